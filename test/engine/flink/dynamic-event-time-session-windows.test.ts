/**
 * Port of Flink's `DynamicEventTimeSessionWindowsTest` (flink-streaming-java,
 * runtime/operators/windowing): Weir's `EventTimeSessionWindows.withDynamicGap`. The cases are
 * shared with the processing-time class (dynamic-session-windows-cases.ts).
 */
import { EventTimeSessionWindows, EventTimeTrigger } from '../../../engine/runtime/windowing/index.ts';
import { dynamicSessionWindowCases } from './dynamic-session-windows-cases.ts';

dynamicSessionWindowCases('DynamicEventTimeSessionWindowsTest', (extractor) => EventTimeSessionWindows.withDynamicGap(extractor), true, EventTimeTrigger as never);
