/**
 * Port of Flink's `DynamicProcessingTimeSessionWindowsTest` (flink-streaming-java,
 * runtime/operators/windowing): Weir's `ProcessingTimeSessionWindows.withDynamicGap`. The cases
 * are shared with the event-time class (dynamic-session-windows-cases.ts).
 */
import { ProcessingTimeSessionWindows, ProcessingTimeTrigger } from '../../../engine/runtime/windowing/index.ts';
import { dynamicSessionWindowCases } from './dynamic-session-windows-cases.ts';

dynamicSessionWindowCases('DynamicProcessingTimeSessionWindowsTest', (extractor) => ProcessingTimeSessionWindows.withDynamicGap(extractor), false, ProcessingTimeTrigger as never);
