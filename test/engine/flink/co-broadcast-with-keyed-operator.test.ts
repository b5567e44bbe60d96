/**
 * Port of Flink's `CoBroadcastWithKeyedOperatorTest` (flink-streaming-java,
 * api/operators/co): a keyed stream connected to a broadcast stream. Flink's
 * `ctx.currentWatermark()` is `ctx.timerService().currentWatermark()` in Weir.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TwoInputOperatorHarness, type HarnessEvent } from '../../harness/operator-harness.ts';
import { KeyedBroadcastProcessOperator } from '../../../engine/runtime/operators/broadcast-process.ts';
import { ListStateDescriptor, ValueStateDescriptor } from '../../../engine/state/descriptors.ts';
import type { BroadcastProcessFunction, RuntimeContext } from '../../../engine/runtime/functions.ts';
import type { ListState, ValueState } from '../../../engine/state/state.ts';
import { keyGroupOf, keyGroupRangeFor, keyIdOf } from '../../../engine/state/key-groups.ts';
import { OutputTag } from '../../../engine/api/output-tag.ts';

const C = 'CoBroadcastWithKeyedOperatorTest#';

function harness<I, O>(fn: BroadcastProcessFunction<I, number, O, unknown>, key: (v: I) => unknown) {
  const h = new TwoInputOperatorHarness<O>(new KeyedBroadcastProcessOperator(fn, ['broadcast-state']), { keySelector1: key });
  void h.open();
  return h;
}

const rec = (value: unknown, timestamp: number): HarnessEvent => ({ kind: 'record', value, timestamp });
const wm = (timestamp: number): HarnessEvent => ({ kind: 'watermark', timestamp });

test(C + 'testKeyQuerying', () => {
  const h = harness<[number, string], string>(
    {
      processElement(value, ctx, out) {
        assert.equal(ctx.getCurrentKey(), value[0], 'Did not get expected key.');
        out.collect(value[1]);
      },
      processBroadcastElement() {},
    },
    (v) => v[0],
  );
  h.processElement1([5, '5'], 12);
  h.processElement1([42, '42'], 13);
  assert.deepEqual(h.events(), [rec('5', 12), rec('42', 13)]);
});

test(C + 'testAccessToKeyedStateIt', () => {
  const expected = new Map([
    ['test1', ['test1', 'test1']],
    ['test2', ['test2', 'test2', 'test2', 'test2']],
    ['test3', ['test3', 'test3', 'test3']],
  ]);
  const visited: string[] = [];
  const h = harness<string, string>(
    {
      list: undefined as ListState<string> | undefined,
      open(ctx: RuntimeContext) {
        this.list = ctx.getListState(new ListStateDescriptor<string>('listStateTest'));
      },
      processElement(value) {
        this.list.add(value);
      },
      processBroadcastElement(_v, ctx) {
        ctx.applyToKeyedState!('listStateTest', (key) => {
          visited.push(String(key));
          assert.deepEqual(this.list.get(), expected.get(String(key)));
        });
      },
    },
    (v) => v,
  );
  for (const [v, ts] of [['test1', 12], ['test1', 12], ['test2', 13], ['test2', 13], ['test2', 13], ['test3', 14], ['test3', 14], ['test3', 14], ['test2', 13]] as const) {
    h.processElement1(v, ts);
  }
  h.processElement2(1, 13); // the broadcast record checks every key's state
  assert.deepEqual(visited.sort(), ['test1', 'test2', 'test3']);
});

/** Emits the watermark and timestamp of every record; the keyed side sets a timer at 41 (FunctionWithTimerOnKeyed). */
const withTimer = (timerTs: number, expectedKey: string): BroadcastProcessFunction<string, number, string, unknown> => ({
  processBroadcastElement(value, ctx, out) {
    out.collect(`BR:${value} WM:${ctx.timerService().currentWatermark()} TS:${ctx.timestamp()}`);
  },
  processElement(value, ctx, out) {
    ctx.timerService().registerEventTimeTimer(timerTs);
    out.collect(`NON-BR:${value} WM:${ctx.timerService().currentWatermark()} TS:${ctx.timestamp()}`);
  },
  onTimer(timestamp, ctx, out) {
    assert.equal(ctx.getCurrentKey(), expectedKey);
    out.collect(`TIMER:${timestamp}`);
  },
});

function feedTimerCase(h: TwoInputOperatorHarness<string>) {
  h.processWatermark1(10);
  h.processWatermark2(10);
  h.processElement2(5, 12);
  h.processWatermark1(40);
  h.processWatermark2(40);
  h.processElement1('6', 13);
  h.processElement1('6', 15);
  h.processWatermark1(50);
  h.processWatermark2(50);
}

test(C + 'testFunctionWithTimer', () => {
  const h = harness(withTimer(41, '6'), (v: string) => v);
  feedTimerCase(h);
  assert.deepEqual(h.events(), [
    wm(10),
    rec('BR:5 WM:10 TS:12', 12),
    wm(40),
    rec('NON-BR:6 WM:40 TS:13', 13),
    rec('NON-BR:6 WM:40 TS:15', 15),
    rec('TIMER:41', 41),
    wm(50),
  ]);
});

test(C + 'testSideOutput', () => {
  const broadcastTag = new OutputTag<string>('br-out');
  const nonBroadcastTag = new OutputTag<string>('non-br-out');
  const h = harness<string, string>(
    {
      processBroadcastElement(value, ctx) {
        ctx.output(broadcastTag, `BR:${value} WM:${ctx.timerService().currentWatermark()} TS:${ctx.timestamp()}`);
      },
      processElement(value, ctx) {
        ctx.output(nonBroadcastTag, `NON-BR:${value} WM:${ctx.timerService().currentWatermark()} TS:${ctx.timestamp()}`);
      },
    },
    (v) => v,
  );
  feedTimerCase(h);
  assert.deepEqual(h.sideOutput('br-out'), [{ value: 'BR:5 WM:10 TS:12', timestamp: 12 }]);
  assert.deepEqual(h.sideOutput('non-br-out'), [
    { value: 'NON-BR:6 WM:40 TS:13', timestamp: 13 },
    { value: 'NON-BR:6 WM:40 TS:15', timestamp: 15 },
  ]);
});

/** Flink's mapToString: entries sorted by key (then value), each as ` key=value`. */
const mapToString = (entries: [string, number][]) =>
  entries
    .slice()
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]))
    .map(([k, v]) => ` ${k}=${v}`)
    .join('');

const STATE = { name: 'broadcast-state' };

test(C + 'testFunctionWithBroadcastState', () => {
  const expectedBroadcastState = new Map([
    ['5.key', 5],
    ['34.key', 34],
    ['53.key', 53],
    ['12.key', 12],
    ['98.key', 98],
  ]);
  const checked: boolean[] = [];
  const h = harness<string, string>(
    {
      processBroadcastElement(value, ctx) {
        ctx.getBroadcastState<string, number>(STATE).put(`${value}.key`, value);
      },
      processElement(_value, ctx) {
        // the data side sees exactly the five entries broadcast before it
        assert.deepEqual(new Map(ctx.getBroadcastState<string, number>(STATE).entries()), expectedBroadcastState);
        checked.push(true);
        ctx.timerService().registerEventTimeTimer(41);
      },
      onTimer(timestamp, ctx, out) {
        assert.equal(ctx.getCurrentKey(), 'trigger');
        out.collect(`TS:${timestamp} ${mapToString(ctx.getBroadcastState<string, number>(STATE).entries())}`);
      },
    },
    (v) => v,
  );
  h.processWatermark1(10);
  h.processWatermark2(10);
  for (const [v, ts] of [
    [5, 10],
    [34, 12],
    [53, 15],
    [12, 16],
    [98, 19],
  ]) {
    h.processElement2(v, ts);
  }
  h.processElement1('trigger', 13);
  h.processElement2(51, 21);
  h.processWatermark1(50);
  h.processWatermark2(50);
  assert.deepEqual(checked, [true]);
  expectedBroadcastState.set('51.key', 51);
  assert.deepEqual(h.events(), [wm(10), rec(`TS:41 ${mapToString([...expectedBroadcastState])}`, 41), wm(50)]);
});

const KEYS_TO_REGISTER = ['test1', 'test2', 'test3'];
const MAX_PARALLELISM = 10;

/** Flink's TestFunctionWithOutput: broadcast records set every registered key; data records emit all entries. */
const withOutput = (): BroadcastProcessFunction<string, number, string, unknown> => ({
  processBroadcastElement(value, ctx) {
    for (const k of KEYS_TO_REGISTER) ctx.getBroadcastState<string, number>(STATE).put(k, value);
  },
  processElement(_value, ctx, out) {
    for (const [k, v] of ctx.getBroadcastState<string, number>(STATE).entries()) out.collect(`${k}=${v}`);
  },
});

function subtaskHarness(parallelism: number, subtask: number, restore: ReturnType<TwoInputOperatorHarness['snapshot']>[] = []) {
  const h = new TwoInputOperatorHarness<string>(new KeyedBroadcastProcessOperator(withOutput(), ['broadcast-state']), {
    keySelector1: (v: string) => v,
    maxParallelism: MAX_PARALLELISM,
    parallelism,
    subtask,
  });
  void h.open(restore);
  return h;
}

/** Flink's findValidTriggerKey: the first of "0", "1", … whose key group belongs to the subtask. */
function validTriggerKey(parallelism: number, subtask: number): string {
  const range = keyGroupRangeFor(subtask, MAX_PARALLELISM, parallelism);
  for (let e = 0; ; e++) {
    const kg = keyGroupOf(keyIdOf(String(e)), MAX_PARALLELISM);
    if (kg >= range.start && kg <= range.end) return String(e);
  }
}

/** Every old subtask gets broadcast 3; the merged snapshots restore into the new parallelism; each new subtask sees the whole state. */
function rescale(from: number, to: number) {
  const old = Array.from({ length: from }, (_, i) => subtaskHarness(from, i));
  for (const h of old) h.processElement2(3);
  const snapshots = old.map((h) => h.snapshot());
  for (const h of old) h.close();
  for (let i = 0; i < to; i++) {
    const h = subtaskHarness(to, i, snapshots);
    h.processElement1(validTriggerKey(to, i));
    assert.deepEqual(h.outputValues().sort(), ['test1=3', 'test2=3', 'test3=3'], `new subtask ${i} of ${to}`);
  }
}

test(C + 'testScaleUp', () => rescale(2, 3));
test(C + 'testScaleDown', () => rescale(3, 2));

// Found by this port, not fixed: before any keyed record, Weir's keyed state reads and writes
// under a made-up key (id 0 in key group 0) instead of failing for want of a key, as Flink's does
// (see README.md).
test(C + 'testNoKeyedStateOnBroadcastSide', () => {
  const thrown: unknown[] = [];
  const h = harness<string, string>(
    {
      state: undefined as ValueState<string> | undefined,
      open(ctx: RuntimeContext) {
        this.state = ctx.getState(new ValueStateDescriptor<string>('any'));
      },
      processBroadcastElement() {
        try {
          this.state!.value();
        } catch (e) {
          thrown.push(e);
        }
      },
      processElement() {},
    },
    (v) => v,
  );
  h.processWatermark1(10);
  h.processWatermark2(10);
  h.processElement2(5, 12);
  assert.equal(thrown.length, 1, 'reading keyed state on the broadcast side throws');
  assert.match(String(thrown[0]), /No key set: state 'any' of operator '[^']+' was read/);
});

// Weir's own: Flink's broadcast side keeps whatever key the last keyed record set, so there a
// read after a keyed record silently reads that record's state. Weir's broadcast side has no
// key at all, so reads and writes fail the same way before and after keyed records, and
// applyToKeyedState still visits every key.
test('Weir: the broadcast side has no key after keyed records either (reads, writes and clears fail; applyToKeyedState visits every key)', () => {
  const thrown: string[] = [];
  const visited: string[] = [];
  const h = harness<string, string>(
    {
      state: undefined as ValueState<string> | undefined,
      open(ctx: RuntimeContext) {
        this.state = ctx.getState(new ValueStateDescriptor<string>('seen'));
      },
      processBroadcastElement(_v, ctx) {
        for (const [what, use] of [
          ['read', () => this.state!.value()],
          ['written', () => this.state!.update('x')],
          ['cleared', () => this.state!.clear()],
        ] as const) {
          try {
            use();
          } catch (e) {
            thrown.push(`${what}: ${String(e)}`);
          }
        }
        ctx.applyToKeyedState!('seen', (key) => visited.push(`${String(key)}=${this.state!.value()}`));
        try {
          this.state!.value(); // no key again after applyToKeyedState
        } catch (e) {
          thrown.push(`after apply: ${String(e)}`);
        }
      },
      processElement(value, _ctx, out) {
        this.state!.update(value);
        out.collect(value);
      },
    },
    (v) => v,
  );
  h.processElement1('a', 1);
  h.processElement1('b', 2);
  h.processElement2(5, 3);
  assert.equal(thrown.length, 4);
  assert.match(thrown[0]!, /^read: .*No key set/);
  assert.match(thrown[1]!, /^written: .*No key set/);
  assert.match(thrown[2]!, /^cleared: .*No key set/);
  assert.match(thrown[3]!, /^after apply: .*No key set/);
  assert.deepEqual(visited.sort(), ['a=a', 'b=b']);
  // The keyed side is unaffected: its next record reads its own key's state.
  h.processElement1('a', 4);
  assert.deepEqual(h.events(), [rec('a', 1), rec('b', 2), rec('a', 4)]);
});
