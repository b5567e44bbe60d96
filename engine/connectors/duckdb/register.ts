import { registerSinkFactory, registerSourceFactory } from '../../runtime/connectors.ts';
import { createDuckDBReader } from './query-reader.ts';
import { createReplayReader } from './replay-reader.ts';
import { createDuckDBSink } from './sink.ts';

/**
 * Registers `env.fromDuckDB`, `env.replay` and `Sinks.duckdb` in this process (the Node entry
 * `engine/index.node.ts` does it through `registerNodeConnectors`).
 *
 * @example
 * registerDuckDBConnectors();
 */
export function registerDuckDBConnectors(): void {
  registerSourceFactory('duckdb', createDuckDBReader);
  registerSourceFactory('replay', createReplayReader);
  registerSinkFactory('duckdb', createDuckDBSink);
}
