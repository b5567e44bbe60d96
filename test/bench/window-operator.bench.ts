/**
 * The window operator alone, driven through the operator harness (no task, no channels):
 * 1000 keys, a watermark every 1000 records trailing the data by one record. Lines:
 * (a) tumbling 10 s event-time aggregate (sum + count), the engine benchmark's shape;
 * (b) the same with a reduce and a (key, window, result) function;
 * (c) sliding 10 s / 5 s aggregate (two windows per record);
 * (d) event-time sessions (gap 500 ms) with an aggregate.
 *
 *   node --import tsx test/bench/window-operator.bench.ts
 */
import {
  createWindowOperator,
  EventTimeSessionWindows,
  SlidingEventTimeWindows,
  TumblingEventTimeWindows,
  type WindowOperatorSpec,
} from '../../engine/runtime/windowing/index.ts';
import { OneInputOperatorHarness } from '../harness/operator-harness.ts';
import { bestRate, fmtRate, machineLine } from './machine.ts';

interface Ev {
  key: number;
  v: number;
}

const KEYS = 1000;
const WINDOW = 10_000;

const sumAgg = {
  createAccumulator: () => ({ sum: 0, count: 0 }),
  add: (e: Ev, acc: { sum: number; count: number }) => {
    acc.sum += e.v;
    acc.count++;
    return acc;
  },
  getResult: (acc: { sum: number; count: number }) => acc,
  merge: (a: { sum: number; count: number }, b: { sum: number; count: number }) => ({ sum: a.sum + b.sum, count: a.count + b.count }),
};

const events: Ev[] = [];
for (let i = 0; i < KEYS * 7; i++) events.push({ key: (i * 7919) % KEYS, v: i & 1023 });

/** Feeds `n` records (record i at event time i) through a fresh operator; returns the results count. */
function feed(spec: WindowOperatorSpec, n: number): number {
  const op = createWindowOperator(spec);
  const h = new OneInputOperatorHarness(op, { keySelector: (e: Ev) => e.key });
  h.open();
  let results = 0;
  // Count results rather than record them: the harness's bookkeeping is not what is measured.
  h.outputCollector.collect = () => {
    results++;
  };
  h.outputCollector.emitWatermark = () => {};
  const m = events.length;
  for (let i = 0; i < n; i++) {
    op.processElement(events[i % m]!, i);
    if (i % 1000 === 999) op.processWatermark(i - 1);
  }
  op.processWatermark(Number.POSITIVE_INFINITY);
  return results;
}

/** One line per scenario, as `npm run bench` prints them. */
export async function benchWindowOperator(n = 2_000_000): Promise<string[]> {
  const scenarios: [string, WindowOperatorSpec][] = [
    ['tumbling 10s aggregate', { assigner: TumblingEventTimeWindows.of(WINDOW), contents: { kind: 'aggregate', aggregate: sumAgg }, windowFunction: { kind: 'pass' } }],
    [
      'tumbling 10s reduce + window fn',
      {
        assigner: TumblingEventTimeWindows.of(WINDOW),
        contents: { kind: 'reduce', reduce: (a: Ev, b: Ev) => ({ key: a.key, v: a.v + b.v }) },
        windowFunction: { kind: 'simple', fn: (key: number, w: { end: number }, r: Ev) => ({ key, end: w.end, v: r.v }) },
      },
    ],
    ['sliding 10s/5s aggregate', { assigner: SlidingEventTimeWindows.of(WINDOW, WINDOW / 2), contents: { kind: 'aggregate', aggregate: sumAgg }, windowFunction: { kind: 'pass' } }],
    ['session gap 500ms aggregate', { assigner: EventTimeSessionWindows.withGap(500), contents: { kind: 'aggregate', aggregate: sumAgg }, windowFunction: { kind: 'pass' } }],
  ];
  const lines: string[] = [];
  for (const [name, spec] of scenarios) {
    const size = name.startsWith('session') ? n / 4 : n;
    const { rate } = await bestRate(size, 3, () => {
      feed(spec, size);
    });
    lines.push(`window operator, ${KEYS} keys, ${name}: ${fmtRate(rate)}`);
  }
  return lines;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(machineLine());
  for (const line of await benchWindowOperator()) console.log(line);
}
