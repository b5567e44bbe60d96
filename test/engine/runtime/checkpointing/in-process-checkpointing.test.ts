/**
 * Checkpoints of jobs run in this process (`CheckpointingExecutor`): a failure mid-run with a
 * fixed-delay restart strategy restores state and source positions and gives the output of a
 * failure-free run; stop-with-savepoint then resume gives it too; the history is live; a
 * savepoint with state for an operator the job lacks is refused.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StreamExecutionEnvironment, WatermarkStrategy, TumblingEventTimeWindows, RestartStrategies } from '../../../../engine/api/index.ts';
import { TwoPhaseCommitSinkFunction } from '../../../../engine/runtime/sinks/two-phase-commit-sink.ts';
import { CheckpointingExecutor } from '../../../../engine/checkpoint/checkpointing-executor.ts';
import { MemoryCheckpointStorage } from '../../../../engine/checkpoint/memory-storage.ts';
import type { JobDefinition } from '../../../../engine/runtime/job.ts';
import type { CheckpointStats } from '../../../../engine/checkpoint/types.ts';

interface Ev {
  key: string;
  ts: number;
  v: number;
}
interface Out {
  key: string;
  start: number;
  sum: number;
}

/** The external system of the test sink: what became visible, and transactions in flight. */
class Store {
  private next = 0;
  readonly open = new Map<string, Out[]>();
  readonly prepared = new Map<string, Out[]>();
  readonly committed = new Set<string>();
  readonly visible: Out[] = [];
  newId(): string {
    return `t${this.next++}`;
  }
  /** Visible rows as sorted lines, for comparing runs. */
  lines(): string[] {
    return this.visible.map((o) => `${o.key} ${o.start} ${o.sum}`).sort();
  }
}

/** An exactly-once sink into a `Store` by two-phase commit. */
class StoreSink extends TwoPhaseCommitSinkFunction<Out, { id: string }> {
  constructor(private readonly store: Store) {
    super();
  }
  protected beginTransaction() {
    const id = this.store.newId();
    this.store.open.set(id, []);
    return { id };
  }
  protected invoke(txn: { id: string }, value: Out) {
    this.store.open.get(txn.id)?.push(value);
  }
  protected preCommit(txn: { id: string }) {
    this.store.prepared.set(txn.id, this.store.open.get(txn.id) ?? []);
    this.store.open.delete(txn.id);
  }
  protected commit(txn: { id: string }) {
    if (this.store.committed.has(txn.id)) return;
    this.store.visible.push(...(this.store.prepared.get(txn.id) ?? []));
    this.store.prepared.delete(txn.id);
    this.store.committed.add(txn.id);
  }
  protected abort(txn: { id: string }) {
    this.store.open.delete(txn.id);
    this.store.prepared.delete(txn.id);
  }
}

const RECORDS = 6_000;

interface JobOptions {
  store: Store;
  /** Called with every record the map sees; may throw to inject a failure. */
  onRecord?: (e: Ev) => void;
  restart?: boolean;
  withWindow?: boolean;
  /** A plain sink that appends to the store as records come (at-least-once), instead of two-phase commit. */
  plainSink?: boolean;
}

/** A keyed-window job: generator (rate-limited, so checkpoints fall mid-run) → map → 1 s windows → sink. */
function keyedWindowJob(options: JobOptions): StreamExecutionEnvironment {
  const env = StreamExecutionEnvironment.create({ parallelism: 2 });
  env.enableCheckpointing(50);
  if (options.restart) env.setRestartStrategy(RestartStrategies.fixedDelay(3, 20));
  else env.setRestartStrategy(RestartStrategies.none());
  const events = env
    .fromGenerator(RECORDS, (i): Ev => ({ key: `k${(i * 7) % 5}`, ts: i * 10, v: i % 31 }), { recordsPerSecond: 6_000 })
    .uid('events')
    .map((e) => {
      options.onRecord?.(e);
      return e;
    })
    .uid('inject')
    .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<Ev>().withTimestampAssigner((e) => e.ts))
    .uid('timestamps');
  if (options.withWindow === false) {
    events.map((e): Out => ({ key: e.key, start: e.ts, sum: e.v })).uid('per-event').sinkTo(new StoreSink(options.store)).uid('sink');
  } else {
    events
      .keyBy((e) => e.key)
      .window(TumblingEventTimeWindows.of(1_000))
      .reduce((a, b) => ({ ...a, v: a.v + b.v }), (key, w, r): Out => ({ key, start: w.start, sum: r.v }))
      .uid('windows')
      .sinkTo(options.plainSink ? { invoke: (o: Out) => void options.store.visible.push(o) } : new StoreSink(options.store))
      .uid('sink');
  }
  return env;
}

const completed = (c: unknown[]) => (c as CheckpointStats[]).filter((s) => s.status === 'COMPLETED');

describe('in-process checkpoints', () => {
  let baseline: string[] = [];

  it('a failure-free run checkpoints while it runs and reports its history', async () => {
    const store = new Store();
    const client = keyedWindowJob({ store }).executeAsync('windows');
    let live: CheckpointStats[] = [];
    for (let i = 0; i < 200 && completed(live).length === 0; i++) {
      await new Promise((r) => setTimeout(r, 10));
      live = client.checkpoints?.() ?? [];
    }
    assert.ok(completed(live).length > 0, 'a completed checkpoint shows while the job runs');
    const { report } = await client.result;
    assert.equal(report.status, 'FINISHED');
    assert.equal(report.restarts, 0);
    assert.ok(completed(report.checkpoints).length >= completed(live).length);
    const first = completed(report.checkpoints)[0]!;
    assert.ok(first.sizeBytes > 0 && first.operators.some((o) => o.uid === 'windows'), 'window state is in the checkpoint');
    baseline = store.lines();
    // 5 keys; event time 0..59,990 ms in 1 s windows: 60 windows, every key in each.
    assert.equal(baseline.length, 5 * 60);
  });

  it('a failure mid-run with a fixed-delay restart gives the output of a failure-free run', async () => {
    const store = new Store();
    let seen = 0;
    let seenAtFailure = 0;
    let failed = false;
    const client = keyedWindowJob({
      store,
      restart: true,
      onRecord: () => {
        seen++;
        // Fail once, after a few checkpoints have completed.
        if (!failed && seen > RECORDS / 2 && completed(client.checkpoints?.() ?? []).length >= 2) {
          failed = true;
          seenAtFailure = seen;
          throw new Error('injected failure');
        }
      },
    }).executeAsync('windows with a failure');
    const { report } = await client.result;
    assert.ok(failed, 'the failure was injected');
    assert.equal(report.status, 'FINISHED');
    assert.equal(report.restarts, 1);
    assert.match(JSON.stringify((report as { restartCauses?: unknown }).restartCauses), /injected failure/);
    assert.deepEqual(store.lines(), baseline);
    // Restored source positions: the restart did not read the input again from the start (how
    // far back it went depends on when the last checkpoint completed, late on a loaded machine).
    const readAgain = seen - seenAtFailure;
    assert.ok(readAgain < RECORDS, `the sources resumed from a checkpoint (${readAgain} records read after the restart, of ${RECORDS})`);
  });

  it('without a restart strategy the failure fails the job', async () => {
    const store = new Store();
    const client = keyedWindowJob({
      store,
      onRecord: (e) => {
        if (e.ts === 20_000) throw new Error('no second chance');
      },
    }).executeAsync('windows failing');
    await assert.rejects(client.result, (e: Error & { report?: { status: string; restarts: number } }) => {
      assert.match(e.message, /no second chance/);
      assert.equal(e.report?.status, 'FAILED');
      assert.equal(e.report?.restarts, 0);
      return true;
    });
  });

  it('stop-with-savepoint then resume gives the output of an uninterrupted run', async () => {
    const store = new Store();
    const storage = new MemoryCheckpointStorage('stop and resume');
    const job = (): JobDefinition => keyedWindowJob({ store }).buildJob('stop and resume');
    const first = new CheckpointingExecutor(job(), { storage }).start();
    await new Promise((r) => setTimeout(r, 300));
    const savepoint = await first.stopWithSavepoint!();
    const { report } = await first.result;
    assert.equal(report.status, 'FINISHED', 'a job stopped with a savepoint ends FINISHED');
    assert.match(savepoint, /savepoint-\d+$/);
    const savepoints = (report.checkpoints as CheckpointStats[]).filter((c) => c.savepoint);
    assert.deepEqual(savepoints.map((c) => [c.status, c.path]), [['COMPLETED', savepoint]]);
    const before = store.lines().length;
    assert.ok(before > 0 && before < baseline.length, `stopped mid-run (${before} of ${baseline.length} windows committed)`);

    const resumed = new CheckpointingExecutor(job(), { storage, restoreFrom: savepoint }).start();
    assert.equal((await resumed.result).report.status, 'FINISHED');
    assert.deepEqual(store.lines(), baseline);
  });

  it('stop-with-savepoint emits nothing after the savepoint: with an at-least-once sink, resume has no duplicates', async () => {
    // A busy job (no rate limit) whose records go straight to a plain sink: anything a task
    // emitted after its part of the savepoint would come again after the resume.
    const n = 2_000_000;
    const seen: number[] = [];
    const job = (): JobDefinition => {
      const env = StreamExecutionEnvironment.create({ parallelism: 2 });
      env.enableCheckpointing(20);
      env
        .fromGenerator(n, (i) => i)
        .uid('numbers')
        .map((i) => i)
        .uid('copy')
        .sinkTo({ invoke: (i: number) => void seen.push(i) })
        .uid('sink');
      return env.buildJob('busy');
    };
    const storage = new MemoryCheckpointStorage('busy');
    const first = new CheckpointingExecutor(job(), { storage }).start();
    let ended = false;
    void first.result.finally(() => (ended = true));
    while (completed(first.checkpoints!()).length === 0 && !ended) await new Promise((r) => setTimeout(r, 2));
    assert.ok(!ended, 'the job was still running after its first checkpoint');
    const savepoint = await first.stopWithSavepoint!();
    assert.equal((await first.result).report.status, 'FINISHED');
    assert.ok(seen.length > 0 && seen.length < n, `stopped mid-run (${seen.length} of ${n})`);
    await new CheckpointingExecutor(job(), { storage, restoreFrom: savepoint }).start().result;
    assert.equal(seen.length, n, 'every number once');
    assert.equal(new Set(seen).size, n);
  });

  it('refuses a savepoint with state for an operator the job lacks, unless allowed', async () => {
    const storage = new MemoryCheckpointStorage('changed job');
    const first = new CheckpointingExecutor(keyedWindowJob({ store: new Store() }).buildJob('changed job'), { storage }).start();
    await new Promise((r) => setTimeout(r, 200));
    const savepoint = await first.stopWithSavepoint!();
    await first.result;
    const changed = () => keyedWindowJob({ store: new Store(), withWindow: false }).buildJob('changed job');
    await assert.rejects(new CheckpointingExecutor(changed(), { storage, restoreFrom: savepoint }).start().result, /operator '.*' \(uid windows\): the savepoint holds state for it, the job has no operator with this uid.*--allow-non-restored-state/);
    const allowed = new CheckpointingExecutor(changed(), { storage, restoreFrom: savepoint, allowNonRestoredState: true }).start();
    assert.equal((await allowed.result).report.status, 'FINISHED');
  });

  it('a job without checkpoints cannot take a savepoint, and says why', async () => {
    const env = StreamExecutionEnvironment.create();
    env.fromGenerator(Infinity, (i) => i, { recordsPerSecond: 100 }).sinkTo({ invoke() {} });
    const client = env.executeAsync('no checkpoints');
    await assert.rejects(client.stopWithSavepoint!(), /does not take checkpoints.*enableCheckpointing/);
    client.cancel();
    assert.equal((await client.result).report.status, 'CANCELED');
  });
});
