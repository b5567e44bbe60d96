import { registerSinkFactory, registerSourceFactory } from '../../runtime/connectors.ts';
import { createDuckDBSink } from './sink.ts';

/**
 * Registers `env.fromDuckDB`, `env.replay` and `Sinks.duckdb` in this process (the Node entry
 * `engine/index.node.ts` does it through `registerNodeConnectors`). The readers load DuckDB's
 * native library on first use only, so processes that never read with DuckDB (most
 * taskmanagers, `weir --help`) do not pay for it. The sink talks to DuckDB from a worker thread.
 *
 * @example
 * registerDuckDBConnectors();
 */
export function registerDuckDBConnectors(): void {
  registerSourceFactory('duckdb', async (d, ctx) => (await import('./query-reader.ts')).createDuckDBReader(d, ctx));
  registerSourceFactory('replay', async (d, ctx) => (await import('./replay-reader.ts')).createReplayReader(d, ctx));
  registerSinkFactory('duckdb', createDuckDBSink);
}
