/**
 * `TwoPhaseCommitSinkFunction` driven through `SinkOperator`: pre-commit at the barrier, commit
 * on notification, recovery after a crash (commit what the restored checkpoint lists, abort what
 * was open), idempotent commits, rescaling, and the end of a bounded input.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SinkOperator } from '../../../../engine/runtime/operators/sink.ts';
import { TwoPhaseCommitSinkFunction } from '../../../../engine/runtime/sinks/two-phase-commit-sink.ts';
import type { SinkInitializationContext } from '../../../../engine/runtime/functions.ts';
import type { OperatorSnapshot } from '../../../../engine/runtime/operator.ts';
import { OneInputOperatorHarness } from '../../../harness/operator-harness.ts';

interface Txn {
  id: string;
}

/** The external system: transactions and what became visible. */
class Store {
  nextId = 0;
  readonly open = new Map<string, number[]>();
  readonly prepared = new Map<string, number[]>();
  readonly done = new Set<string>();
  readonly visible: number[] = [];
  readonly log: string[] = [];
  /** Recovery calls, as `recover-commit <id>` / `recover-abort <id>`. */
  readonly recovered: string[] = [];
}

class StoreSink extends TwoPhaseCommitSinkFunction<number, Txn> {
  handled: Txn[] = [];
  constructor(readonly store: Store) {
    super();
  }
  protected beginTransaction(): Txn {
    const id = `t${this.store.nextId++}`;
    this.store.open.set(id, []);
    this.store.log.push(`begin ${id}`);
    return { id };
  }
  protected invoke(txn: Txn, value: number): void {
    const values = this.store.open.get(txn.id);
    assert.ok(values, `write to ${txn.id}, which is not open`);
    values.push(value);
  }
  protected preCommit(txn: Txn): void {
    this.store.prepared.set(txn.id, this.store.open.get(txn.id)!);
    this.store.open.delete(txn.id);
    this.store.log.push(`preCommit ${txn.id}`);
  }
  protected commit(txn: Txn): void {
    this.store.log.push(`commit ${txn.id}`);
    if (this.store.done.has(txn.id)) return; // idempotent
    const values = this.store.prepared.get(txn.id);
    assert.ok(values, `commit of ${txn.id}, which was not pre-committed`);
    this.store.visible.push(...values);
    this.store.prepared.delete(txn.id);
    this.store.done.add(txn.id);
  }
  protected abort(txn: Txn): void {
    this.store.log.push(`abort ${txn.id}`);
    this.store.open.delete(txn.id);
    this.store.prepared.delete(txn.id);
  }
  protected override recoverAndCommit(txn: Txn): void {
    this.store.recovered.push(`recover-commit ${txn.id}`);
    super.recoverAndCommit(txn);
  }
  protected override recoverAndAbort(txn: Txn): void {
    this.store.recovered.push(`recover-abort ${txn.id}`);
    super.recoverAndAbort(txn);
  }
  protected override finishRecoveringContext(handled: Txn[], _ctx: SinkInitializationContext): void {
    this.handled = handled;
  }
}

function harness(sink: StoreSink, subtask = 0, parallelism = 1) {
  return new OneInputOperatorHarness(new SinkOperator<number>(() => sink), { subtask, parallelism, name: 'Sink' });
}

/** A snapshot as storage gives it back: a deep copy of plain data. */
function stored(h: OneInputOperatorHarness, checkpointId: number): OperatorSnapshot {
  return structuredClone(h.snapshot(checkpointId));
}

function feed(h: OneInputOperatorHarness, values: number[]): void {
  for (const v of values) h.processElement(v);
}

test('records become visible only when their checkpoint completes', async () => {
  const store = new Store();
  const h = harness(new StoreSink(store));
  await h.open();
  feed(h, [1, 2]);
  h.snapshot(1);
  feed(h, [3]);
  assert.deepEqual(store.visible, [], 'nothing is visible before the notification');
  h.operator.notifyCheckpointComplete(1);
  assert.deepEqual(store.visible, [1, 2], 'exactly the records before barrier 1');
  h.snapshot(2);
  feed(h, [4]);
  h.snapshot(3);
  h.operator.notifyCheckpointComplete(3);
  assert.deepEqual(store.visible, [1, 2, 3, 4], 'a notification commits every pending checkpoint up to it, in order');
  assert.deepEqual(store.log.filter((l) => l.startsWith('commit')), ['commit t0', 'commit t1', 'commit t2']);
});

test('a notification that comes twice commits once', async () => {
  const store = new Store();
  const h = harness(new StoreSink(store));
  await h.open();
  feed(h, [1, 2]);
  h.snapshot(1);
  h.operator.notifyCheckpointComplete(1);
  h.operator.notifyCheckpointComplete(1);
  h.operator.notifyCheckpointComplete(0);
  assert.deepEqual(store.visible, [1, 2]);
  assert.equal(store.log.filter((l) => l.startsWith('commit')).length, 1);
});

test('a crash before the notification: restore commits the checkpoint and aborts what was open', async () => {
  const store = new Store();
  const h1 = harness(new StoreSink(store));
  await h1.open();
  feed(h1, [1, 2]);
  const cp1 = stored(h1, 1);
  feed(h1, [3, 4]); // after barrier 1: replayed by the sources after a restore
  // Crash: h1 is dropped without notification or close.

  const sink2 = new StoreSink(store);
  const h2 = harness(sink2);
  await h2.open([cp1]);
  assert.deepEqual(store.recovered, ['recover-commit t0', 'recover-abort t1']);
  assert.deepEqual(store.visible, [1, 2], 'exactly the records before checkpoint 1, committed at restore');
  assert.ok(!store.open.has('t1'), 'the transaction open at the barrier is aborted');
  assert.deepEqual(
    (h2.operator as unknown as { sink: StoreSink }).sink.handled.map((t) => t.id),
    ['t0', 't1'],
  );

  feed(h2, [3, 4, 5]); // the replay
  h2.snapshot(2);
  h2.operator.notifyCheckpointComplete(2);
  h2.endInput();
  h2.close();
  assert.deepEqual(store.visible, [1, 2, 3, 4, 5], 'nothing lost, nothing twice');
});

test('a crash after the notification: the recovered commit is a no-op', async () => {
  const store = new Store();
  const h1 = harness(new StoreSink(store));
  await h1.open();
  feed(h1, [1, 2]);
  const cp1 = stored(h1, 1);
  h1.operator.notifyCheckpointComplete(1);
  feed(h1, [3]);
  // Crash before checkpoint 2.
  const h2 = harness(new StoreSink(store));
  await h2.open([cp1]);
  assert.deepEqual(store.recovered, ['recover-commit t0', 'recover-abort t1']);
  assert.deepEqual(store.visible, [1, 2]);
  feed(h2, [3]);
  h2.endInput();
  assert.deepEqual(store.visible, [1, 2, 3]);
});

test('pending transactions of several checkpoints survive; restoring an older one commits only its own', async () => {
  const store = new Store();
  const h1 = harness(new StoreSink(store));
  await h1.open();
  feed(h1, [1]);
  const cp1 = stored(h1, 1);
  feed(h1, [2]);
  stored(h1, 2); // checkpoint 2 never completes
  feed(h1, [3]);
  // Restore from 1: t0 commits; t1, open at barrier 1 (and pre-committed at barrier 2, which
  // never completed), aborts; t2, begun after barrier 2, is not in checkpoint 1 at all.
  const h2 = harness(new StoreSink(store));
  await h2.open([cp1]);
  assert.deepEqual(store.visible, [1]);
  assert.deepEqual(store.recovered, ['recover-commit t0', 'recover-abort t1']);
  assert.ok(!store.prepared.has('t1'));
  assert.ok(store.open.has('t2'), 't2 is not in the restored state: cleaning it up is the sink\'s job (finishRecoveringContext)');
});

test('finish pre-commits and commits everything; close aborts only the open transaction', async () => {
  const store = new Store();
  const h = harness(new StoreSink(store));
  await h.open();
  feed(h, [1]);
  h.snapshot(1); // its notification never comes before the end
  feed(h, [2]);
  h.endInput();
  assert.deepEqual(store.visible, [1, 2]);
  h.operator.notifyCheckpointComplete(1); // late notification: nothing left to commit
  assert.deepEqual(store.visible, [1, 2]);
  h.close();
  assert.ok(!store.log.some((l) => l.startsWith('abort')));

  const store2 = new Store();
  const failed = harness(new StoreSink(store2));
  await failed.open();
  feed(failed, [1]);
  failed.snapshot(1);
  feed(failed, [2]);
  failed.close(); // failure: no finish
  assert.deepEqual(store2.log.slice(-1), ['abort t1'], 'the open transaction is aborted');
  assert.ok(store2.prepared.has('t0'), 'the pre-committed one stays for recovery');
});

test('rescaling: every old subtask is recovered by exactly one new subtask', async () => {
  const store = new Store();
  const olds = [0, 1, 2].map((i) => harness(new StoreSink(store), i, 3));
  for (const h of olds) await h.open();
  olds.forEach((h, i) => feed(h, [i * 10, i * 10 + 1]));
  const cp = olds.map((h) => stored(h, 1));
  olds.forEach((h, i) => feed(h, [i * 10 + 2]));

  // 3 → 2: subtask 0 recovers old 0 and 2, subtask 1 recovers old 1.
  const news = [0, 1].map((i) => harness(new StoreSink(store), i, 2));
  for (const h of news) await h.open(cp);
  assert.deepEqual([...store.visible].sort((a, b) => a - b), [0, 1, 10, 11, 20, 21]);
  assert.equal(store.recovered.filter((r) => r.startsWith('recover-commit')).length, 3, 'each pending transaction once');
  assert.equal(store.recovered.filter((r) => r.startsWith('recover-abort')).length, 3);

  // The new subtasks' state holds only their own transactions.
  news.forEach((h, i) => feed(h, [100 + i]));
  const cp2 = news.map((h) => stored(h, 2));
  const before = store.recovered.length;
  // 2 → 4: subtasks 2 and 3 recover nothing.
  const wider = [0, 1, 2, 3].map((i) => harness(new StoreSink(store), i, 4));
  for (const h of wider) await h.open(cp2);
  assert.equal(store.recovered.length - before, 4, 'two commits and two aborts');
  assert.deepEqual(store.visible.slice(-2).sort((a, b) => a - b), [100, 101]);
});

test('each subtask works on its own copy of the sink object', async () => {
  const store = new Store();
  const sink = new StoreSink(store);
  const a = harness(sink, 0, 2);
  const b = harness(sink, 1, 2);
  await a.open();
  await b.open();
  feed(a, [1]);
  feed(b, [2]);
  a.snapshot(1);
  a.operator.notifyCheckpointComplete(1);
  assert.deepEqual(store.visible, [1], 'b\'s records are in b\'s transaction');
  b.endInput();
  assert.deepEqual(store.visible, [1, 2]);
});

test('a sink without open transaction says why', async () => {
  const store = new Store();
  const h = harness(new StoreSink(store));
  await h.open();
  h.endInput();
  assert.throws(() => h.processElement(1), /StoreSink: no open transaction/);
});
