import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TwoInputOperatorHarness } from '../../../harness/operator-harness.ts';
import { BroadcastProcessOperator, KeyedBroadcastProcessOperator } from '../../../../engine/runtime/operators/broadcast-process.ts';
import { ListStateDescriptor, MapStateDescriptor, ValueStateDescriptor } from '../../../../engine/state/descriptors.ts';
import type { BroadcastProcessFunction, ReadOnlyBroadcastContext, RuntimeContext } from '../../../../engine/runtime/functions.ts';
import type { ListState, ValueState } from '../../../../engine/state/state.ts';
import { NO_KEY_GROUP } from '../../../../engine/state/state-table.ts';

interface Rule {
  type: string;
  factor: number;
}
interface Ev {
  user: string;
  type: string;
  v: number;
}

const rules = new MapStateDescriptor<string, number>('rules');

function scaler(): BroadcastProcessFunction<Ev, Rule, string> {
  return {
    processElement(e, ctx, out) {
      const factor = ctx.getBroadcastState(rules).get(e.type);
      out.collect(factor === undefined ? `${e.user}: no rule for ${e.type}` : `${e.user}: ${e.v * factor}`);
    },
    processBroadcastElement(r, ctx) {
      if (r.factor === 0) ctx.getBroadcastState(rules).remove(r.type);
      else ctx.getBroadcastState(rules).put(r.type, r.factor);
    },
  };
}

test('broadcast records write broadcast state; the data side reads it', () => {
  const h = new TwoInputOperatorHarness<string>(new BroadcastProcessOperator(scaler(), ['rules']));
  h.open();
  h.processElement1({ user: 'u', type: 'a', v: 2 }, 1);
  h.processElement2({ type: 'a', factor: 10 }, 2);
  h.processElement1({ user: 'u', type: 'a', v: 3 }, 3);
  h.processElement2({ type: 'a', factor: 0 }, 4);
  h.processElement1({ user: 'u', type: 'a', v: 4 }, 5);
  assert.deepEqual(h.outputValues(), ['u: no rule for a', 'u: 30', 'u: no rule for a']);
  assert.deepEqual(
    h.output().map((r) => r.timestamp),
    [1, 3, 5],
  );
});

test('broadcast state is read-only on the data side, even for callers that ignore the types', () => {
  const h = new TwoInputOperatorHarness<string>(
    new BroadcastProcessOperator<Ev, Rule, string>(
      {
        processElement(_e, ctx) {
          (ctx.getBroadcastState(rules) as unknown as { put(k: string, v: number): void }).put('x', 1);
        },
        processBroadcastElement() {},
      },
      ['rules'],
    ),
    { name: 'rules-op' },
  );
  h.open();
  assert.throws(() => h.processElement1({ user: 'u', type: 'a', v: 1 }, 1), /'rules' is read-only.*processBroadcastElement/);
});

test('asking for a broadcast state that was not declared names it and the declared ones', () => {
  const other = new MapStateDescriptor<string, number>('other');
  const h = new TwoInputOperatorHarness<string>(
    new BroadcastProcessOperator<Ev, Rule, string>(
      { processElement() {}, processBroadcastElement: (_r, ctx) => void ctx.getBroadcastState(other) },
      ['rules'],
    ),
    { name: 'op' },
  );
  h.open();
  assert.throws(() => h.processElement2({ type: 'a', factor: 1 }, 1), /no broadcast state 'other'.*declared: 'rules'/);
});

test('the non-keyed variant has no timers, keys or applyToKeyedState: each asks for keyBy', () => {
  const h = new TwoInputOperatorHarness<string>(
    new BroadcastProcessOperator<Ev, Rule, string>(
      {
        processElement: (_e, ctx) => ctx.timerService().registerEventTimeTimer(5),
        processBroadcastElement: (_r, ctx) => ctx.applyToKeyedState!('x', () => {}),
      },
      ['rules'],
    ),
  );
  h.open();
  assert.throws(() => h.processElement1({ user: 'u', type: 'a', v: 1 }, 1), /keyBy/);
  assert.throws(() => h.processElement2({ type: 'a', factor: 1 }, 1), /applyToKeyedState.*keyBy/);
});

test('broadcast state is in snapshots (even when empty) and every subtask restores the same copy', () => {
  const h = new TwoInputOperatorHarness<string>(new BroadcastProcessOperator(scaler(), ['rules']));
  h.open();
  const empty = h.snapshot();
  assert.ok(empty.operator, 'an empty broadcast state is still registered');
  h.processElement2({ type: 'a', factor: 10 }, 1);
  const s0 = h.snapshot();
  // Rescale 1 → 2: both new subtasks get subtask 0's broadcast state.
  for (const subtask of [0, 1]) {
    const r = new TwoInputOperatorHarness<string>(new BroadcastProcessOperator(scaler(), ['rules']), { subtask, parallelism: 2 });
    r.open([s0]);
    r.processElement1({ user: 'u', type: 'a', v: 2 }, 1);
    assert.deepEqual(r.outputValues(), ['u: 20']);
  }
});

test('side outputs and records from both sides carry the record timestamp', () => {
  const h = new TwoInputOperatorHarness<string>(
    new BroadcastProcessOperator<Ev, Rule, string>(
      {
        processElement: (e, ctx, out) => {
          out.collect(e.user);
          ctx.output({ id: 'seen' }, `event ${ctx.timestamp()}`);
        },
        processBroadcastElement: (r, ctx, out) => {
          out.collect(r.type);
          ctx.output({ id: 'seen' }, `rule ${ctx.timestamp()}`);
        },
      },
      ['rules'],
    ),
  );
  h.open();
  h.processElement2({ type: 'a', factor: 1 }, 7);
  h.processElement1({ user: 'u', type: 'a', v: 1 }, 9);
  assert.deepEqual(h.output(), [
    { value: 'a', timestamp: 7 },
    { value: 'u', timestamp: 9 },
  ]);
  assert.deepEqual(
    h.sideOutput('seen').map((r) => r.value),
    ['rule 7', 'event 9'],
  );
});

/**
 * Keyed: events wait in keyed list state until a rule for their type arrives; the rule then
 * releases the waiting events of every key through applyToKeyedState. Timers report keys that
 * still wait, with the rules known at that time.
 */
function keyedScaler(): BroadcastProcessFunction<Ev, Rule, string, string> & { pending?: ListState<Ev>; count?: ValueState<number> } {
  return {
    open(ctx: RuntimeContext) {
      this.pending = ctx.getListState(new ListStateDescriptor<Ev>('pending'));
      this.count = ctx.getState(new ValueStateDescriptor<number>('count', 0));
    },
    processElement(e, ctx, out) {
      this.count!.update(this.count!.value()! + 1);
      const factor = ctx.getBroadcastState(rules).get(e.type);
      if (factor !== undefined) out.collect(`${ctx.getCurrentKey()}: ${e.v * factor}`);
      else {
        this.pending!.add(e);
        ctx.timerService().registerEventTimeTimer(ctx.timestamp()! + 100);
      }
    },
    processBroadcastElement(r, ctx, out) {
      const state = ctx.getBroadcastState(rules);
      state.put(r.type, r.factor);
      ctx.applyToKeyedState!('pending', (key) => {
        const waiting: Ev[] = this.pending!.get();
        const ready = waiting.filter((e) => e.type === r.type);
        for (const e of ready) out.collect(`${String(key)}: ${e.v * r.factor} (late rule)`);
        this.pending!.update(waiting.filter((e) => e.type !== r.type));
      });
    },
    onTimer(ts, ctx, out) {
      const waiting = this.pending!.get();
      // As in Flink, onTimer of a keyed broadcast function may read broadcast state.
      const known = (ctx as unknown as ReadOnlyBroadcastContext<string>)
        .getBroadcastState(rules)
        .entries()
        .map(([k]) => k);
      if (waiting.length) out.collect(`${ctx.getCurrentKey()} still waits at ${ts} (rules: ${known.join(',')})`);
    },
  };
}

test('keyed: applyToKeyedState visits every key that has the state, with that key current', () => {
  const h = new TwoInputOperatorHarness<string>(new KeyedBroadcastProcessOperator(keyedScaler(), ['rules']), {
    keySelector1: (e: Ev) => e.user,
  });
  h.open();
  h.processElement1({ user: 'ann', type: 'a', v: 1 }, 1);
  h.processElement1({ user: 'bob', type: 'a', v: 2 }, 2);
  h.processElement1({ user: 'bob', type: 'b', v: 3 }, 3);
  h.processElement1({ user: 'cy', type: 'b', v: 4 }, 4);
  assert.deepEqual(h.outputValues(), []);
  h.processElement2({ type: 'a', factor: 10 }, 5);
  assert.deepEqual(h.outputValues().sort(), ['ann: 10 (late rule)', 'bob: 20 (late rule)']);
  h.clearOutput();
  h.processElement1({ user: 'ann', type: 'a', v: 5 }, 6);
  assert.deepEqual(h.outputValues(), ['ann: 50']);
  h.clearOutput();
  h.processWatermark1(1_000);
  h.processWatermark2(1_000);
  // ann's timer finds nothing waiting; bob (two timers) and cy still wait for a 'b' rule.
  assert.deepEqual(h.outputValues().sort(), [
    'bob still waits at 102 (rules: a)',
    'bob still waits at 103 (rules: a)',
    'cy still waits at 104 (rules: a)',
  ]);
});

test('keyed: applyToKeyedState leaves no key current afterwards (the broadcast side has none) and tolerates clearing the visited state', () => {
  const seen: string[] = [];
  const fn: BroadcastProcessFunction<Ev, Rule, string, string> & { pending?: ListState<Ev> } = {
    open(ctx) {
      this.pending = ctx.getListState(new ListStateDescriptor<Ev>('pending'));
    },
    processElement(e, ctx) {
      this.pending!.add(e);
      seen.push(`element key ${ctx.getCurrentKey()}`);
    },
    processBroadcastElement(_r, ctx) {
      ctx.applyToKeyedState!('pending', (key) => {
        seen.push(`visit ${String(key)}`);
        this.pending!.clear();
      });
      ctx.applyToKeyedState!('never-used', () => seen.push('unexpected'));
    },
  };
  const op = new KeyedBroadcastProcessOperator(fn, ['rules']);
  const h = new TwoInputOperatorHarness<string>(op, { keySelector1: (e: Ev) => e.user });
  h.open();
  h.processElement1({ user: 'a', type: 't', v: 1 }, 1);
  h.processElement1({ user: 'b', type: 't', v: 1 }, 1);
  h.processElement2({ type: 't', factor: 1 }, 2);
  assert.equal(op.keyedBackend!.currentKeyGroup, NO_KEY_GROUP, 'no key is current on the broadcast side, after applyToKeyedState too');
  h.processElement2({ type: 't', factor: 1 }, 3); // nothing left to visit
  // Keys are visited key group by key group (state is sharded by key group), not in arrival order.
  assert.deepEqual([...seen.slice(0, 2), ...seen.slice(2).sort()], ['element key a', 'element key b', 'visit a', 'visit b']);
  assert.equal(op.stateEntries(), 0, 'the visited state was cleared');
});

test('keyed: the broadcast side has no current key, so it cannot register timers', () => {
  const h = new TwoInputOperatorHarness<string>(
    new KeyedBroadcastProcessOperator<string, Ev, Rule, string>(
      { processElement() {}, processBroadcastElement: (_r, ctx) => ctx.timerService().registerEventTimeTimer(1) },
      ['rules'],
    ),
    { keySelector1: (e: Ev) => e.user },
  );
  h.open();
  assert.throws(() => h.processElement2({ type: 'a', factor: 1 }, 1), /registerEventTimeTimer in processBroadcastElement.*no current key/);
});

test('keyed: processing-time timers fire with the key set and no timestamp', () => {
  const h = new TwoInputOperatorHarness<string>(
    new KeyedBroadcastProcessOperator<string, Ev, Rule, string>(
      {
        processElement: (_e, ctx) => ctx.timerService().registerProcessingTimeTimer(10),
        processBroadcastElement() {},
        onTimer: (ts, ctx, out) => out.collect(`${ctx.getCurrentKey()} ${ts} ${ctx.timeDomain()}`),
      },
      ['rules'],
    ),
    { keySelector1: (e: Ev) => e.user },
  );
  h.open();
  h.processElement1({ user: 'x', type: 'a', v: 1 }, 1);
  h.setProcessingTime(10);
  assert.deepEqual(h.output(), [{ value: 'x 10 PROCESSING_TIME', timestamp: Number.NEGATIVE_INFINITY }]);
});
