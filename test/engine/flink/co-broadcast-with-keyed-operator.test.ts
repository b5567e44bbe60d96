/**
 * Port of Flink's `CoBroadcastWithKeyedOperatorTest` (flink-streaming-java,
 * api/operators/co): a keyed stream connected to a broadcast stream. Flink's
 * `ctx.currentWatermark()` is `ctx.timerService().currentWatermark()` in Weir.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TwoInputOperatorHarness, type HarnessEvent } from '../../harness/operator-harness.ts';
import { KeyedBroadcastProcessOperator } from '../../../engine/runtime/operators/broadcast-process.ts';
import { ListStateDescriptor } from '../../../engine/state/descriptors.ts';
import type { BroadcastProcessFunction, RuntimeContext } from '../../../engine/runtime/functions.ts';
import type { ListState } from '../../../engine/state/state.ts';
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
