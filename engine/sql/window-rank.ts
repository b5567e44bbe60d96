/**
 * Window Top-N and window deduplication: ROW_NUMBER() OVER (PARTITION BY window_start,
 * window_end, ... ORDER BY ...) with rn <= N over a window TVF or a window aggregate. A window's
 * rows wait in keyed state until the watermark passes its end; then its first N rows (by the
 * ORDER BY) are emitted once, as inserts, and the state goes. Rows of a window that has already
 * fired are late and dropped. The output is append-only, unlike the regular Top-N's changelog.
 * (Flink's counterparts: `StreamPhysicalWindowRank`, `StreamPhysicalWindowDeduplicate`,
 * `WindowRankOperator`, `RowTimeWindowDeduplicateProcessor`.)
 */
import type { Collector, KeyedProcessContext, KeyedProcessFunction, RuntimeContext } from '../runtime/functions.ts';
import { ValueStateDescriptor } from '../state/descriptors.ts';
import type { ValueState } from '../state/state.ts';
import type { Row } from './catalog.ts';

/** The columns of a planned table that hold its rows' window bounds (a window TVF's or a window aggregate's). */
export interface WindowColumns {
  start: string;
  end: string;
}

/** Ranks `start`..`end` (1-based) of one partition of one window, emitted when the window ends. */
export class WindowRankFunction implements KeyedProcessFunction<string, Row, Row> {
  private state!: ValueState<Row[]>;

  constructor(
    private readonly order: (a: Row, b: Row) => number,
    private readonly start: number,
    private readonly end: number,
    /** The rn column, when the query outputs it. */
    private readonly rankColumn: string | undefined,
    /** The column holding the row's window end (exclusive, epoch ms). */
    private readonly windowEnd: string,
  ) {}

  open(ctx: RuntimeContext): void {
    this.state = ctx.getState(new ValueStateDescriptor<Row[]>('window-top-n'));
  }

  processElement(row: Row, ctx: KeyedProcessContext<string>, _out: Collector<Row>): void {
    const fireAt = (row[this.windowEnd] as number) - 1;
    // The partition key holds the window, so a fired window's timer is gone: its rows are late.
    if (fireAt <= ctx.timerService().currentWatermark()) return;
    const rows = this.state.value() ?? [];
    // After the rows it ties with; a row at or beyond rank `end` can never enter, as the window only grows.
    let at = rows.length;
    while (at > 0 && this.order(rows[at - 1]!, row) > 0) at--;
    if (at >= this.end) return;
    rows.splice(at, 0, row);
    if (rows.length > this.end) rows.length = this.end;
    this.state.update(rows);
    ctx.timerService().registerEventTimeTimer(fireAt);
  }

  onTimer(_timestamp: number, _ctx: KeyedProcessContext<string>, out: Collector<Row>): void {
    const rows = (this.state.value() ?? []).slice(this.start - 1, this.end);
    rows.forEach((row, i) => out.collect(this.rankColumn === undefined ? { ...row } : { ...row, [this.rankColumn]: this.start + i }));
    this.state.clear();
  }
}
