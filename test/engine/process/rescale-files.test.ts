/**
 * Rescaling from a savepoint on two taskmanagers (test/harness/cluster-rescale.ts) with a source
 * that reads a file through DuckDB as a replay (`env.replay`): 2 → 3, 3 → 1 and 1 → 2. The
 * `fromDuckDB` query and the `fromCollection` source have files of their own
 * (rescale-duckdb.test.ts, rescale-collection.test.ts): each file's cases run in one `weir run`
 * and must end within the test runner's 10 minutes on a loaded machine.
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
