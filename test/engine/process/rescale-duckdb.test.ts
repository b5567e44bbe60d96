/**
 * Rescaling from a savepoint on two taskmanagers (test/harness/cluster-rescale.ts) with a
 * `fromDuckDB` query over a CSV file (its splits and their positions): 2 → 3, 3 → 1 and 1 → 2.
 * The query reads too fast to be stopped mid-run, so the fixture slows its timestamp assigner
 * (300 µs a record).
 */
import { describeClusterRescale, rescaleCases } from '../../harness/cluster-rescale.ts';

describeClusterRescale(
  'rescale of a DuckDB query source from a savepoint on two taskmanagers',
  rescaleCases(
    ['duckdb'],
    [
      [2, 3],
      [3, 1],
      [1, 2],
    ],
  ),
);
