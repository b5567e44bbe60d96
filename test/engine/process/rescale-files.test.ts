/**
 * Rescaling from a savepoint on two taskmanagers (test/harness/cluster-rescale.ts) with a source
 * that reads a file through DuckDB: a replay (`env.replay`), 2 → 3, 3 → 1 and 1 → 2.
 *
 * TODO: `fromDuckDB` and `fromCollection` cases of this job are not run on taskmanagers yet.
 * They read too fast to be stopped mid-run, so the fixture slows their timestamp assigner
 * (a spin or a sleep per record, i.e. source steps of 0.15-0.5 s); on taskmanagers such a job
 * then completes no checkpoint at all until its end (checkpoint 1 stays pending 20-28 s, the job
 * finishes, the stop finds it FINISHED), while the same job without the slowdown checkpoints
 * every 50 ms, and in this process it checkpoints either way. Their splits and positions are
 * covered in this process by test/engine/checkpoint/rescale.test.ts.
 */
import { describeClusterRescale, rescaleCases } from '../../harness/cluster-rescale.ts';

describeClusterRescale(
  'rescale of a replay source from a savepoint on two taskmanagers',
  rescaleCases(
    ['replay'],
    [
      [2, 3],
      [3, 1],
      [1, 2],
    ],
  ),
);
