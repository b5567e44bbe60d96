/**
 * `'weir'` as notebooks and `weir run` load it in Node: the DataStream API plus the connectors
 * that need Node (files, and later DuckDB), registered on import.
 */
import { registerNodeConnectors } from './connectors/register.ts';

registerNodeConnectors();

export * from './api/index.ts';
export { replayControls } from './connectors/duckdb/replay-control.ts';
export type { ReplayControl, ReplayProgress } from './connectors/duckdb/replay-control.ts';
// What each compiled cell calls when its code starts (app/kernel/module-source.ts): cells reach
// the process that runs them through the engine module they import.
export { cellBody } from './process/cell-body.ts';
