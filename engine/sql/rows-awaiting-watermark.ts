/**
 * Rows that wait in keyed state until the watermark passes their event time, so that an
 * operator takes them in event-time order with all of the other input up to then (Flink's
 * row-time OVER and temporal join operators buffer their inputs the same way).
 */
import type { KeyedProcessContext, RuntimeContext } from '../runtime/functions.ts';
import { ValueStateDescriptor } from '../state/descriptors.ts';
import type { ValueState } from '../state/state.ts';
import type { Row } from './catalog.ts';

/**
 * One key's rows awaiting the watermark: `add` keeps a row and sets a timer at its time, `takeDue`
 * (from `onTimer`) gives back those at or before the timer's time, in arrival order.
 *
 * @example
 * const rows = new RowsAwaitingWatermark(ctx, 'over-pending', 'ts'); rows.add(row, ctx); ... rows.takeDue(timestamp)
 */
export class RowsAwaitingWatermark {
  private readonly state: ValueState<Row[]>;

  constructor(ctx: RuntimeContext, name: string, private readonly rowtime: string) {
    this.state = ctx.getState(new ValueStateDescriptor<Row[]>(name));
  }

  add(row: Row, ctx: KeyedProcessContext<string>): void {
    const rows = this.state.value() ?? [];
    rows.push(row);
    this.state.update(rows);
    ctx.timerService().registerEventTimeTimer(row[this.rowtime] as number);
  }

  takeDue(timestamp: number): Row[] {
    const rows = this.state.value() ?? [];
    const due = rows.filter((r) => (r[this.rowtime] as number) <= timestamp);
    const later = rows.filter((r) => (r[this.rowtime] as number) > timestamp);
    if (later.length > 0) this.state.update(later);
    else this.state.clear();
    return due;
  }
}
