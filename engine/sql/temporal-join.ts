/**
 * Event-time temporal joins: `o JOIN r FOR SYSTEM_TIME AS OF o.ts ON o.k = r.k`, where `r` is a
 * versioned table (a primary key and a rowtime). Each left row joins the version of its key that
 * was current at the row's time: the right row with the largest time at or before it. A left row
 * waits in keyed state until the watermark passes its time, so every version up to then has come;
 * versions older than the one current at the watermark go. The result is append-only; a LEFT
 * join pads a row that finds no version (or a deleted one). (Flink's counterparts:
 * `StreamPhysicalTemporalJoin`, `TemporalRowTimeJoinOperator`.)
 */
import type { CoProcessFunction, Collector, KeyedProcessContext, RuntimeContext } from '../runtime/functions.ts';
import { ValueStateDescriptor } from '../state/descriptors.ts';
import type { ValueState } from '../state/state.ts';
import type { Row } from './catalog.ts';
import { RowsAwaitingWatermark } from './rows-awaiting-watermark.ts';
import { isAccumulate, kindOf, withoutKind } from './changelog.ts';

/** One version of a key: its time, and the row (null when the key was deleted then). */
type Version = [number, Row | null];

/**
 * The keyed two-input function of a temporal join: left rows waiting for the watermark, and the
 * versions of the right side's key in time order.
 *
 * @example
 * orders.connect(rates).keyBy(o => o.cur, r => r.cur).process(new TemporalRowTimeJoinFunction('ts', 'rate_ts', (o, r) => ({ ...o, ...r }), undefined, false))
 */
export class TemporalRowTimeJoinFunction implements CoProcessFunction<Row, Row, Row, string> {
  private pending!: RowsAwaitingWatermark;
  private versions!: ValueState<Version[]>;

  constructor(
    private readonly leftTime: string,
    private readonly rightTime: string,
    /** The joined row (right undefined: padded with NULLs). */
    private readonly combine: (left: Row, right: Row | undefined) => Row,
    /** The rest of ON, over a joined row. */
    private readonly residual: ((joined: Row) => boolean) | undefined,
    private readonly leftOuter: boolean,
  ) {}

  open(ctx: RuntimeContext): void {
    this.pending = new RowsAwaitingWatermark(ctx, 'temporal-join-left', this.leftTime);
    this.versions = ctx.getState(new ValueStateDescriptor<Version[]>('temporal-join-versions'));
  }

  processElement1(row: Row, ctx: KeyedProcessContext<string>, _out: Collector<Row>): void {
    this.pending.add(row, ctx);
  }

  processElement2(input: Row, _ctx: KeyedProcessContext<string>, _out: Collector<Row>): void {
    const ts = input[this.rightTime] as number;
    const version: Version = [ts, isAccumulate(kindOf(input)) ? withoutKind(input) : null];
    const versions = this.versions.value() ?? [];
    // After the versions of the same time: the one that came last is the current one.
    let at = versions.length;
    while (at > 0 && versions[at - 1]![0] > ts) at--;
    versions.splice(at, 0, version);
    this.versions.update(versions);
  }

  onTimer(timestamp: number, _ctx: KeyedProcessContext<string>, out: Collector<Row>): void {
    const due = this.pending.takeDue(timestamp);
    const versions = this.versions.value() ?? [];
    for (const left of due) {
      const version = this.versionAt(versions, left[this.leftTime] as number);
      const joined = version ? this.combine(left, version) : undefined;
      if (joined && (!this.residual || this.residual(joined))) out.collect(joined);
      else if (this.leftOuter) out.collect(this.combine(left, undefined));
    }
    // Left rows still to come are later than this timer: the version current now is the oldest they can need.
    let current = -1;
    for (let i = 0; i < versions.length && versions[i]![0] <= timestamp; i++) current = i;
    if (current > 0) this.versions.update(versions.slice(current));
  }

  private versionAt(versions: Version[], ts: number): Row | null {
    let found: Row | null = null;
    for (const [t, row] of versions) {
      if (t > ts) break;
      found = row;
    }
    return found;
  }
}
