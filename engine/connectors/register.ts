import { registerSinkFactory } from '../runtime/connectors.ts';
import { createJsonlSink } from './jsonl-sink.ts';
import { createHeadlessChartSink } from './chart-sink.ts';
import { registerDuckDBConnectors } from './duckdb/register.ts';

/** Registers the Node connectors in this process (idempotent; a UI host may override 'chart'). */
export function registerNodeConnectors(): void {
  registerSinkFactory('jsonl', createJsonlSink);
  registerSinkFactory('chart', createHeadlessChartSink);
  registerDuckDBConnectors();
}
