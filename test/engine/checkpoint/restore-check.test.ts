/**
 * The restore check (engine/checkpoint/restore-check.ts) against plans built by the API: each
 * incompatibility is named with old and new and a way out; a savepoint written before the check
 * existed (no kinds, windows or shapes in its metadata) still restores; and the in-process
 * executor refuses before any task starts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StreamExecutionEnvironment, SlidingEventTimeWindows, TumblingEventTimeWindows, WatermarkStrategy } from '../../../engine/index.ts';
import { checkRestore, formatRestoreReport } from '../../../engine/checkpoint/restore-check.ts';
import { metadataOperators } from '../../../engine/checkpoint/task-snapshots.ts';
import { CheckpointingExecutor } from '../../../engine/checkpoint/checkpointing-executor.ts';
import { MemoryCheckpointStorage } from '../../../engine/checkpoint/memory-storage.ts';
import type { CheckpointMetadata } from '../../../engine/checkpoint/types.ts';
import type { StreamGraphSpec } from '../../../engine/plan/job-graph.ts';

interface Ev {
  key: string;
  ts: number;
  v: number;
}
type Variant = { name?: string; window?: 'tumbling-2s' | 'sliding'; fn?: 'reduce' | 'array-accumulator'; uid?: string };

/** A keyed-window job; the variant changes it as a user might between stop and resume. */
function plan(variant: Variant = {}, sink: (v: unknown) => void = () => {}, opened: () => void = () => {}) {
  const env = StreamExecutionEnvironment.create({ parallelism: 2 });
  env.enableCheckpointing(20);
  const keyed = env
    .fromSource<Ev>(
      {
        name: 'events',
        boundedness: 'bounded',
        createReader: () => {
          opened();
          let i = 0;
          return {
            pollNext: (out) => {
              if (i >= 200) return 'end';
              out.collect({ key: `k${i % 3}`, ts: i * 10, v: i });
              i++;
              return 'more';
            },
            snapshotPosition: () => i,
            restorePosition: (p) => void (i = p as number),
          };
        },
      },
      'events',
    )
    .uid('events')
    .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<Ev>().withTimestampAssigner((e) => e.ts))
    .uid('timestamps')
    .keyBy((e) => e.key)
    .window(variant.window === 'tumbling-2s' ? TumblingEventTimeWindows.of(2_000) : variant.window === 'sliding' ? SlidingEventTimeWindows.of(1_000, 500) : TumblingEventTimeWindows.of(1_000));
  const windows =
    variant.fn === 'reduce'
      ? keyed.reduce((a, b) => ({ ...a, v: a.v + b.v }))
      : variant.fn === 'array-accumulator'
        ? keyed.aggregate({ createAccumulator: () => [0], add: (e: Ev, a: number[]) => [a[0]! + e.v], getResult: (a) => a[0]!, merge: (a, b) => [a[0]! + b[0]!] })
        : keyed.aggregate({ createAccumulator: () => ({ sum: 0 }), add: (e: Ev, a) => ({ sum: a.sum + e.v }), getResult: (a) => a.sum, merge: (a, b) => ({ sum: a.sum + b.sum }) });
  windows.uid(variant.uid ?? 'windows').sinkTo({ invoke: sink }).uid('sink');
  return env.buildJob(variant.name ?? 'windows job');
}

/** The metadata a savepoint of `graph` records, with state for every operator. */
function savepointOf(graph: StreamGraphSpec): CheckpointMetadata {
  return {
    version: 1,
    kind: 'savepoint',
    jobName: graph.name,
    checkpointId: 1,
    timestamp: 0,
    operators: metadataOperators(graph),
    states: graph.vertices.map((v) => ({ uid: v.uid, subtask: 0, file: `${v.uid}-0`, bytes: 1, checksum: '0', states: [{ name: 'window-contents', kind: 'aggregating' }] })),
  };
}

describe('restore check', () => {
  const saved = savepointOf(plan().graph);

  it('the same job is compatible', () => {
    const report = checkRestore(saved, plan().graph);
    assert.equal(report.compatible, true, formatRestoreReport(report, 'sp'));
    assert.deepEqual(report.issues, []);
  });

  const refusals: [string, Variant, RegExp][] = [
    ['another job', { name: 'other job' }, /job name differs: savepoint 'windows job', job 'other job'.*--allow-job-mismatch/],
    ['a changed window size', { window: 'tumbling-2s' }, /\(uid windows\): window assigner differs: savepoint TumblingEventTimeWindows size 1000 ms, job TumblingEventTimeWindows size 2000 ms/],
    ['another window kind', { window: 'sliding' }, /window assigner differs: savepoint TumblingEventTimeWindows size 1000 ms, job SlidingEventTimeWindows size 1000 ms, slide 500 ms/],
    ['another window state kind', { fn: 'reduce' }, /window state differs: savepoint aggregate \(states window-contents \(aggregating\)\), job reduce/],
    ['another accumulator shape', { fn: 'array-accumulator' }, /state value shape differs: savepoint \{sum:number\}, job number\[\]/],
    ['a missing uid', { uid: 'renamed' }, /\(uid windows\): the savepoint holds state for it, the job has no operator with this uid.*\.uid\('windows'\)/],
  ];
  for (const [what, variant, message] of refusals) {
    it(`refuses ${what}, naming it and the way out`, () => {
      const report = checkRestore(saved, plan(variant).graph);
      const text = formatRestoreReport(report, 'sp');
      assert.equal(report.compatible, false, text);
      assert.match(text, message);
      assert.match(text, /To resume: /);
    });
  }

  it('allowing non-restored state drops the changed operator’s state instead', () => {
    const report = checkRestore(saved, plan({ window: 'tumbling-2s' }).graph, { allowNonRestoredState: true });
    assert.equal(report.compatible, true);
    assert.ok(!report.restoredUids.includes('windows') && report.restoredUids.includes('sink'));
  });

  it('a savepoint written before fingerprints (no kinds, windows, shapes) is not refused for what it lacks', () => {
    const old: CheckpointMetadata = { ...saved, operators: saved.operators.map(({ uid, name, parallelism, maxParallelism }) => ({ uid, name, parallelism, maxParallelism })), states: saved.states.map(({ states: _, ...h }) => h) };
    for (const variant of [{ window: 'tumbling-2s' }, { fn: 'reduce' }, { fn: 'array-accumulator' }] as Variant[]) {
      assert.equal(checkRestore(old, plan(variant).graph).compatible, true, JSON.stringify(variant));
    }
    assert.equal(checkRestore(old, plan({ name: 'other job' }).graph).compatible, false, 'the job name was always recorded');
  });

  it('the in-process executor refuses before any task starts', async () => {
    const storage = new MemoryCheckpointStorage('restore check');
    const metadata = savepointOf(plan().graph);
    // The check reads metadata only: the state files are placeholders.
    const states = await Promise.all(metadata.states.map((h) => storage.writeState(1, 'savepoint', h.uid, h.subtask, new Uint8Array(1))));
    const location = await storage.complete({ ...metadata, states: states.map((h, i) => ({ ...h, states: metadata.states[i]!.states })) });
    let opened = 0;
    const written: unknown[] = [];
    const refused = new CheckpointingExecutor(plan({ window: 'tumbling-2s' }, (v) => written.push(v), () => opened++), { storage, restoreFrom: location }).start();
    await assert.rejects(refused.result, /window assigner differs: savepoint TumblingEventTimeWindows size 1000 ms, job TumblingEventTimeWindows size 2000 ms/);
    assert.equal(opened, 0, 'no source reader was created');
    assert.deepEqual(written, [], 'nothing was written');
  });
});
