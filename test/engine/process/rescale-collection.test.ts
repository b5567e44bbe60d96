/**
 * Rescaling from a savepoint on two taskmanagers (test/harness/cluster-rescale.ts) with a
 * `fromCollection` source (parallelism 1, its position in the collection), its job's other
 * operators going 2 → 3, 3 → 1 and 1 → 2. The collection reads too fast to be stopped mid-run,
 * so the fixture slows its timestamp assigner (300 µs a record).
 */
import { describeClusterRescale, rescaleCases } from '../../harness/cluster-rescale.ts';

describeClusterRescale(
  'rescale of a collection source from a savepoint on two taskmanagers',
  rescaleCases(
    ['collection'],
    [
      [2, 3],
      [3, 1],
      [1, 2],
    ],
  ),
);
