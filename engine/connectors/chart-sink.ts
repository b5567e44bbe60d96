import type { SinkDescriptor, SinkFactoryContext } from '../runtime/connectors.ts';
import type { SinkFunction } from '../runtime/functions.ts';

/**
 * The chart sink where no UI can draw it (headless `weir run`): drops records and says so once
 * per job. The workbench registers its own factory that streams points to the renderer.
 */
export function createHeadlessChartSink(_d: SinkDescriptor, ctx: SinkFactoryContext): SinkFunction<unknown> {
  if (ctx.subtask === 0) ctx.note(`chart sink '${ctx.operatorName}' of job '${ctx.jobName}' is ignored in headless mode`);
  return { invoke() {} };
}
