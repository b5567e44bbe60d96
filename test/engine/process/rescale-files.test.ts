/**
 * Rescaling from a savepoint on two taskmanagers (test/harness/cluster-rescale.ts) with the
 * sources that read a file through DuckDB: a replay (`env.replay`) and a query
 * (`env.fromDuckDB`, its splits and positions), 2 → 3, 3 → 1 and 1 → 2 each. The query reads
 * too fast to be stopped mid-run, so the fixture slows its timestamp assigner (300 µs a record).
 */
import { describeClusterRescale, rescaleCases } from '../../harness/cluster-rescale.ts';

describeClusterRescale(
  'rescale of DuckDB file sources from a savepoint on two taskmanagers',
  rescaleCases(
    ['replay', 'duckdb'],
    [
      [2, 3],
      [3, 1],
      [1, 2],
    ],
  ),
);
