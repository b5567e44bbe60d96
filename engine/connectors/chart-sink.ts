import type { SinkDescriptor, SinkFactoryContext } from '../runtime/connectors.ts';
import type { SinkFunction } from '../runtime/functions.ts';

/**
 * The chart sink where no UI can draw it (headless `weir run`): drops records and says so once
 * per job. The workbench registers its own factory that streams points to the renderer.
 */
export function createHeadlessChartSink(d: SinkDescriptor, ctx: SinkFactoryContext): SinkFunction<unknown> {
  // A `[flink-sql]` SELECT's live table: headless, the cell prints the final table instead.
  if (ctx.subtask === 0 && d.options?.type !== 'table') ctx.note(`chart sink '${ctx.operatorName}' of job '${ctx.jobName}' is ignored in headless mode`);
  return { invoke() {} };
}
