/**
 * The DuckDB connectors (Node only): `env.fromDuckDB` and `env.replay` readers, the
 * `Sinks.duckdb` sink, SQL cells, and the live controls of running replays.
 */
export { registerDuckDBConnectors } from './register.ts';
export { replayControls } from './replay-control.ts';
export type { ReplayControl, ReplayControlRegistry, ReplayProgress, ReplaySpeed } from './replay-control.ts';
export { runSqlCell, formatTable } from './sql-cell.ts';
export type { SqlCellOptions, SqlCellResult } from './sql-cell.ts';
export { closeDuckDB } from './instance.ts';
export { DuckDBQueryError } from './errors.ts';
