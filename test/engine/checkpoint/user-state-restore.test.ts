/**
 * A savepoint restored into a job whose user functions declare their state differently (Flink's
 * StateMigrationException): a keyed state of the same name with another kind, or an operator
 * list state that became a union list, is refused when the operator opens, before any record,
 * without restarts, naming operator uid, state and both kinds; state the job no longer declares
 * is refused too, and dropped only with `allowNonRestoredState`. A keyed state whose TTL was
 * switched on or off is refused the same way, naming both TTLs (a TTL of another length is
 * taken, as in Flink). The same job restored as it was continues exactly (the control that shows
 * the savepoint holds what the refusals are about).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ListStateDescriptor, MapStateDescriptor, StateTtlConfig, StreamExecutionEnvironment, ValueStateDescriptor, type RuntimeContext } from '../../../engine/api/index.ts';
import { CheckpointingExecutor } from '../../../engine/checkpoint/checkpointing-executor.ts';
import { MemoryCheckpointStorage } from '../../../engine/checkpoint/memory-storage.ts';
import type { JobDefinition } from '../../../engine/runtime/job.ts';
import type { CheckpointStats } from '../../../engine/checkpoint/types.ts';

const N = 4_000;
const KEYS = 5;

/** How the counting function declares its state in open(). */
type Declaration = 'value' | 'list' | 'map' | 'renamed' | 'union';

interface Totals {
  /** key → its running count, as last emitted. */
  last: Map<number, number>;
  /** Records the counting function saw in this run. */
  seen: number;
}

/**
 * Numbers → keyBy(i mod 5) → a function counting per key in a state named 'count' (declared as
 * `decl` says; 'renamed' declares 'tally' instead; a value state has a TTL of `ttlMs` when given)
 * and its records in an operator list state 'seen' ('union' declares that one as a union list) →
 * a sink keeping each key's last count.
 */
function countingJob(decl: Declaration, totals: Totals, rate: number, ttlMs?: number): JobDefinition {
  const env = StreamExecutionEnvironment.create({ parallelism: 2 });
  env.enableCheckpointing(20);
  env
    .fromGenerator(N, (i) => i, { recordsPerSecond: rate })
    .uid('numbers')
    .keyBy((i) => i % KEYS)
    .process<[number, number]>({
      open(ctx: RuntimeContext) {
        const name = decl === 'renamed' ? 'tally' : 'count';
        const store = ctx.getOperatorStateStore();
        this.records = decl === 'union' ? store.getUnionListState<number>('seen') : store.getListState<number>('seen');
        if (decl === 'list') this.count = ctx.getListState(new ListStateDescriptor<number>(name));
        else if (decl === 'map') this.count = ctx.getMapState(new MapStateDescriptor<string, number>(name));
        else {
          const count = new ValueStateDescriptor<number>(name);
          if (ttlMs !== undefined) count.enableTimeToLive(StateTtlConfig.newBuilder(ttlMs).build());
          this.count = ctx.getState(count);
        }
      },
      processElement(i: number, ctx, out) {
        totals.seen++;
        (this.records as number[]).push(i);
        if (decl !== 'value' && decl !== 'renamed' && decl !== 'union') return;
        const n = ((this.count.value() as number | undefined) ?? 0) + 1;
        this.count.update(n);
        out.collect([ctx.getCurrentKey() as number, n]);
      },
    })
    .uid('counter')
    .sinkTo({ invoke: ([k, n]: [number, number]) => void totals.last.set(k, n) })
    .uid('sink');
  return env.buildJob('counting');
}

const completed = (cs: CheckpointStats[]) => cs.filter((c) => c.status === 'COMPLETED');
const fresh = (): Totals => ({ last: new Map(), seen: 0 });

/** Runs the job with 'value' declarations and stops it with a savepoint mid-run. */
async function savepointMidRun(storage: MemoryCheckpointStorage, ttlMs?: number): Promise<{ savepoint: string; totals: Totals }> {
  const totals = fresh();
  const first = new CheckpointingExecutor(countingJob('value', totals, 4_000, ttlMs), { storage }).start();
  let ended = false;
  void first.result.finally(() => (ended = true));
  while (!ended && (completed(first.checkpoints!()).length === 0 || totals.seen < N / 10)) await new Promise((r) => setTimeout(r, 5));
  assert.ok(!ended, 'the job was still running when it was stopped');
  const savepoint = await first.stopWithSavepoint!();
  assert.equal((await first.result).report.status, 'FINISHED');
  assert.ok(totals.seen > 0 && totals.seen < N, `stopped mid-run (${totals.seen} of ${N})`);
  return { savepoint, totals };
}

/**
 * Takes a savepoint of the 'value' job (its state with a TTL of `savedTtlMs`, if given) and
 * restores it into the job declared as `decl` (with `ttlMs`): refused with `message` (and the
 * way out), before any record reaches the function and without restarts.
 */
async function refusedBeforeAnyRecord(savedTtlMs: number | undefined, decl: Declaration, ttlMs: number | undefined, message: RegExp): Promise<void> {
  const storage = new MemoryCheckpointStorage('counting');
  const { savepoint } = await savepointMidRun(storage, savedTtlMs);
  const totals = fresh();
  const client = new CheckpointingExecutor(countingJob(decl, totals, 1e9, ttlMs), { storage, restoreFrom: savepoint }).start();
  await assert.rejects(client.result, (e: Error) => {
    assert.match(e.message, message);
    assert.match(e.message, /--allow-non-restored-state/);
    return true;
  });
  assert.equal(totals.seen, 0, 'no record reached the function');
  assert.equal(client.restarts!().length, 0, 'not restarted');
}

describe('restoring user state into changed declarations', () => {
  it('the same declarations continue exactly (the control)', { timeout: 120_000 }, async () => {
    const storage = new MemoryCheckpointStorage('counting');
    const { savepoint } = await savepointMidRun(storage);
    const totals = fresh();
    await new CheckpointingExecutor(countingJob('value', totals, 1e9), { storage, restoreFrom: savepoint }).start().result;
    assert.deepEqual([...totals.last.entries()].sort(), Array.from({ length: KEYS }, (_, k) => [k, N / KEYS]));
  });

  for (const decl of ['list', 'map'] as const) {
    it(`a keyed value state declared as ${decl} state is refused before any record, without restarts`, { timeout: 120_000 }, async () => {
      await refusedBeforeAnyRecord(undefined, decl, undefined, new RegExp(`uid counter\\b.*state 'count' as value state, but the job declares it as ${decl} state`));
    });
  }

  it('a keyed state declared as another kind is dropped with allowNonRestoredState: the function starts without it', { timeout: 120_000 }, async () => {
    const storage = new MemoryCheckpointStorage('counting');
    const { savepoint } = await savepointMidRun(storage);
    const totals = fresh();
    const result = await new CheckpointingExecutor(countingJob('list', totals, 1e9), { storage, restoreFrom: savepoint, allowNonRestoredState: true }).start().result;
    assert.equal(result.report.status, 'FINISHED');
    assert.ok(totals.seen > 0 && totals.seen < N, `the rest of the input was read (${totals.seen})`);
  });

  it('keyed state the job no longer declares is refused naming it, and dropped only with allowNonRestoredState', { timeout: 120_000 }, async () => {
    const storage = new MemoryCheckpointStorage('counting');
    const { savepoint } = await savepointMidRun(storage);
    const refused = fresh();
    await assert.rejects(
      new CheckpointingExecutor(countingJob('renamed', refused, 1e9), { storage, restoreFrom: savepoint }).start().result,
      /uid counter\b.*the savepoint holds value state 'count', which the job no longer declares.*--allow-non-restored-state/,
    );
    assert.equal(refused.seen, 0, 'no record reached the function');

    const allowed = fresh();
    await new CheckpointingExecutor(countingJob('renamed', allowed, 1e9), { storage, restoreFrom: savepoint, allowNonRestoredState: true }).start().result;
    // 'tally' starts empty: each key counts only the records after the savepoint.
    const after = [...allowed.last.values()].reduce((a, b) => a + b, 0);
    assert.equal(after, allowed.seen);
    assert.ok(after < N);
  });

  it('an operator list state declared as a union list is refused, naming both kinds', { timeout: 120_000 }, async () => {
    const storage = new MemoryCheckpointStorage('counting');
    const { savepoint } = await savepointMidRun(storage);
    const totals = fresh();
    await assert.rejects(
      new CheckpointingExecutor(countingJob('union', totals, 1e9), { storage, restoreFrom: savepoint }).start().result,
      /uid counter\b.*state 'seen' as list operator state, but the job declares it as union operator state/,
    );
    assert.equal(totals.seen, 0);
  });
  const HOUR = 3_600_000;
  for (const [before, after] of [
    [HOUR, undefined],
    [undefined, HOUR],
  ] as const) {
    const ttl = (ms: number | undefined) => (ms === undefined ? 'without a TTL' : `with a TTL of ${ms} ms`);
    it(`a keyed state saved ${ttl(before)} and declared ${ttl(after)} is refused before any record, naming both TTLs`, { timeout: 120_000 }, async () => {
      await refusedBeforeAnyRecord(before, 'value', after, new RegExp(`uid counter\\b.*value state 'count' ${ttl(before)}, but the job declares it ${ttl(after)}`));
    });
  }

  it('a keyed state whose TTL only changed its length continues exactly', { timeout: 120_000 }, async () => {
    const storage = new MemoryCheckpointStorage('counting');
    const { savepoint } = await savepointMidRun(storage, HOUR);
    const totals = fresh();
    await new CheckpointingExecutor(countingJob('value', totals, 1e9, 2 * HOUR), { storage, restoreFrom: savepoint }).start().result;
    assert.deepEqual([...totals.last.entries()].sort(), Array.from({ length: KEYS }, (_, k) => [k, N / KEYS]));
  });
});
