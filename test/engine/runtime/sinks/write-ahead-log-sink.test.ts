/**
 * `WriteAheadLogSink` driven through `SinkOperator`: values wait in state per checkpoint and are
 * sent once it completes, in order; a restore sends what the restored checkpoint holds; a failed
 * send is retried; an external commit record makes a re-send after a crash a no-op.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SinkOperator } from '../../../../engine/runtime/operators/sink.ts';
import { WriteAheadLogSink } from '../../../../engine/runtime/sinks/write-ahead-log-sink.ts';
import type { OperatorSnapshot } from '../../../../engine/runtime/operator.ts';
import { OneInputOperatorHarness } from '../../../harness/operator-harness.ts';

interface Sent {
  values: string[];
  checkpointId: number;
  subtask: number;
}

/** The target system: what was sent, and (for the external committer) which checkpoints. */
class Target {
  readonly sent: Sent[] = [];
  readonly commits = new Set<string>();
  /** Sends fail while this is set. */
  down = false;
}

class LogSink extends WriteAheadLogSink<string> {
  constructor(readonly target: Target) {
    super();
  }
  protected sendValues(values: string[], checkpointId: number, _timestamp: number, subtask: number): boolean {
    if (this.target.down) return false;
    this.target.sent.push({ values, checkpointId, subtask });
    return true;
  }
}

/** Keeps its commit record in the target (Flink's CheckpointCommitter). */
class CommittingLogSink extends LogSink {
  protected override isCheckpointCommitted(subtask: number, checkpointId: number): boolean {
    return this.target.commits.has(`${subtask}/${checkpointId}`);
  }
  protected override commitCheckpoint(subtask: number, checkpointId: number): void {
    this.target.commits.add(`${subtask}/${checkpointId}`);
  }
}

function harness(sink: LogSink, subtask = 0, parallelism = 1) {
  return new OneInputOperatorHarness(new SinkOperator<string>(() => sink), { subtask, parallelism, name: 'Sink' });
}

function stored(h: OneInputOperatorHarness, checkpointId: number): OperatorSnapshot {
  return structuredClone(h.snapshot(checkpointId));
}

function feed(h: OneInputOperatorHarness, values: string[]): void {
  for (const v of values) h.processElement(v);
}

test('values are sent when their checkpoint completes, once, in checkpoint order', async () => {
  const target = new Target();
  const h = harness(new LogSink(target));
  await h.open();
  feed(h, ['a', 'b']);
  h.snapshot(1);
  feed(h, ['c']);
  h.snapshot(2);
  feed(h, ['d']);
  assert.equal(target.sent.length, 0);
  h.operator.notifyCheckpointComplete(1);
  assert.deepEqual(target.sent, [{ values: ['a', 'b'], checkpointId: 1, subtask: 0 }]);
  h.operator.notifyCheckpointComplete(1);
  h.operator.notifyCheckpointComplete(2);
  h.operator.notifyCheckpointComplete(2);
  assert.deepEqual(target.sent.map((s) => s.checkpointId), [1, 2], 'a repeated notification sends nothing');
  h.endInput();
  assert.deepEqual(target.sent.map((s) => [s.checkpointId, s.values]), [
    [1, ['a', 'b']],
    [2, ['c']],
    [3, ['d']],
  ], 'the end of input sends the rest as the next checkpoint id');
});

test('a crash before the notification: the restored checkpoint is sent, the records after it are not', async () => {
  const target = new Target();
  const h1 = harness(new LogSink(target));
  await h1.open();
  feed(h1, ['a', 'b']);
  const cp1 = stored(h1, 1);
  feed(h1, ['c']); // after barrier 1: replayed by the sources
  // Crash.
  const h2 = harness(new LogSink(target));
  await h2.open([cp1]);
  assert.equal(target.sent.length, 0, 'sent at the next completed checkpoint, as in Flink');
  feed(h2, ['c', 'd']);
  h2.snapshot(2);
  h2.operator.notifyCheckpointComplete(2);
  assert.deepEqual(target.sent.map((s) => [s.checkpointId, s.values]), [
    [1, ['a', 'b']],
    [2, ['c', 'd']],
  ]);
  h2.endInput();
  assert.equal(target.sent.flatMap((s) => s.values).join(''), 'abcd', 'nothing lost, nothing twice');
});

test('a failed send stays buffered and is retried, in order; at the end of input it fails the job', async () => {
  const target = new Target();
  const h = harness(new LogSink(target));
  await h.open();
  feed(h, ['a']);
  h.snapshot(1);
  target.down = true;
  h.operator.notifyCheckpointComplete(1);
  feed(h, ['b']);
  const cp2 = stored(h, 2);
  assert.equal(target.sent.length, 0);
  target.down = false;
  h.operator.notifyCheckpointComplete(2);
  assert.deepEqual(target.sent.map((s) => s.checkpointId), [1, 2]);

  // What a failed send left in a checkpoint survives a restore.
  const target2 = new Target();
  const h2 = harness(new LogSink(target2));
  await h2.open([cp2]);
  h2.endInput();
  assert.deepEqual(target2.sent.map((s) => [s.checkpointId, s.values]), [
    [1, ['a']],
    [2, ['b']],
  ]);

  const h3 = harness(new LogSink(target2));
  await h3.open();
  feed(h3, ['x']);
  target2.down = true;
  assert.throws(() => h3.endInput(), /LogSink: sendValues returned false for checkpoint 1 at the end of input/);
});

test('with the commit record in the target, a checkpoint sent before a crash is not sent again', async () => {
  const plain = new Target();
  const recorded = new Target();
  for (const [target, make] of [
    [plain, (t: Target) => new LogSink(t)],
    [recorded, (t: Target) => new CommittingLogSink(t)],
  ] as const) {
    const h1 = harness(make(target));
    await h1.open();
    feed(h1, ['a']);
    const cp1 = stored(h1, 1);
    h1.operator.notifyCheckpointComplete(1); // sent, then a crash before checkpoint 2
    const h2 = harness(make(target));
    await h2.open([cp1]);
    h2.endInput();
  }
  assert.deepEqual(recorded.sent.map((s) => s.checkpointId), [1], 'exactly once');
  // The in-state marker cannot know about a send after the restored barrier: the same
  // (subtask, checkpointId) comes again, for an idempotent receiver to drop.
  assert.deepEqual(plain.sent.map((s) => [s.subtask, s.checkpointId]), [
    [0, 1],
    [0, 1],
  ]);
});

test('rescaling: old subtasks\' checkpoints are sent once, by the subtask that recovers them', async () => {
  const target = new Target();
  const olds = [0, 1, 2].map((i) => harness(new LogSink(target), i, 3));
  for (const h of olds) await h.open();
  olds.forEach((h, i) => feed(h, [`v${i}`]));
  const cp = olds.map((h) => stored(h, 5));
  const news = [0, 1].map((i) => harness(new LogSink(target), i, 2));
  for (const h of news) await h.open(cp);
  news.forEach((h) => h.operator.notifyCheckpointComplete(6));
  assert.deepEqual(
    target.sent.map((s) => `${s.subtask}:${s.checkpointId}:${s.values.join()}`).sort(),
    ['0:5:v0', '1:5:v1', '2:5:v2'],
  );
  news.forEach((h) => {
    feed(h, ['w']);
    h.endInput();
  });
  assert.deepEqual(target.sent.slice(3).map((s) => s.checkpointId), [6, 6], 'the end of input continues after the restored checkpoint id');
});
