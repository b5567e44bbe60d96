/**
 * The checkpoint history a job keeps for its whole life: every checkpoint stays listable, only
 * the newest keep their per-operator detail, and the coordinator records into it without
 * copying it. Counted in entries, not bytes over time: after thousands of checkpoints the detail
 * kept is bounded, which the old history (every entry with its operators, copied on each change)
 * was not.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CheckpointCoordinator, type CoordinatorIO } from '../../../engine/checkpoint/coordinator.ts';
import { CheckpointHistory, DETAILED_CHECKPOINTS } from '../../../engine/checkpoint/checkpoint-history.ts';
import { DEFAULT_CHECKPOINT_CONFIG, type CheckpointStats } from '../../../engine/checkpoint/types.ts';

const OPERATORS = [
  { uid: 'source', name: 'Source', parallelism: 2, maxParallelism: 128 },
  { uid: 'window', name: 'Window', parallelism: 2, maxParallelism: 128 },
];

/** A coordinator of a job of `tasks` tasks whose IO completes at once; no timers (interval 0). */
function coordinator(history: CheckpointHistory, firstId = 1, tasks = 4) {
  const io: CoordinatorIO = {
    trigger: () => {},
    complete: async (m) => `/checkpoints/chk-${m.checkpointId}`,
    notifyComplete: () => {},
    discard: async () => {},
    failJob: (reason) => assert.fail(reason),
  };
  return new CheckpointCoordinator({ ...DEFAULT_CHECKPOINT_CONFIG, timeoutMs: 60_000 }, io, tasks, { name: 'soak', operators: OPERATORS }, () => Date.now(), firstId, history);
}

/** Takes one checkpoint to completion: every task acknowledges with state for both operators. */
async function checkpoint(c: CheckpointCoordinator, tasks = 4): Promise<CheckpointStats> {
  const done = c.trigger(false);
  const id = c.history.lastId;
  for (let t = 0; t < tasks; t++) {
    const uid = OPERATORS[t % 2]!.uid;
    c.acknowledge({ checkpointId: id, task: `task ${t}`, handles: [{ uid, subtask: t >> 1, file: `${uid}-${t}`, bytes: 100 + t, checksum: '0' }], syncMs: 1, asyncMs: 1, alignmentMs: t });
  }
  return done;
}

const stats = (id: number, status: CheckpointStats['status'] = 'COMPLETED'): CheckpointStats => ({
  id,
  status,
  savepoint: false,
  triggerTime: 1_700_000_000_000 + id,
  durationMs: 3,
  syncMs: 1,
  asyncMs: 1,
  alignmentMs: 0,
  sizeBytes: 10,
  operators: [{ uid: 'a', sizeBytes: 10 }],
});

describe('checkpoint history', () => {
  it('lists every checkpoint of a long run, with per-operator detail only for the newest', async () => {
    const history = new CheckpointHistory();
    const c = coordinator(history);
    const n = 3000;
    for (let i = 0; i < n; i++) await checkpoint(c);
    assert.equal(history.size, n, 'every checkpoint stays listable');
    assert.deepEqual(
      history.from().map((s) => s.id),
      Array.from({ length: n }, (_, i) => i + 1),
    );
    assert.equal(history.detailedEntries(), DETAILED_CHECKPOINTS, 'detail is kept for the newest only, however many were taken');
    const newest = history.from(n);
    assert.equal(newest.length, 1);
    assert.deepEqual(newest[0]!.operators, [
      { uid: 'source', sizeBytes: 100 + 102 },
      { uid: 'window', sizeBytes: 101 + 103 },
    ]);
    const oldest = history.from()[0]!;
    assert.equal(oldest.status, 'COMPLETED');
    assert.equal(oldest.sizeBytes, 406, 'a compacted entry keeps its totals');
    assert.equal(oldest.path, undefined, 'but not its location: it is long gone from disk');
    assert.deepEqual(oldest.operators, []);
    assert.equal(history.from(n - DETAILED_CHECKPOINTS + 1).every((e) => e.path !== undefined), true, 'the newest keep their locations');
  });

  it('spans the attempts of a job: a new coordinator goes on from the last id, in the same history', async () => {
    const history = new CheckpointHistory();
    const first = coordinator(history);
    for (let i = 0; i < 5; i++) await checkpoint(first);
    first.stop('the job failed');
    // A restart: the new attempt's coordinator never reuses an id, even when told an older one.
    const second = coordinator(history, 2);
    const s = await checkpoint(second);
    assert.equal(s.id, 6);
    assert.deepEqual(
      history.from(4).map((e) => e.id),
      [4, 5, 6],
    );
  });

  it('updates an entry in place by id, compacting one that ended after newer ones began', () => {
    const history = new CheckpointHistory(2);
    history.record(stats(1, 'IN_PROGRESS'));
    for (let id = 2; id <= 5; id++) history.record(stats(id));
    // Checkpoint 1 is still pending: it holds back compaction, and a poller asks for it again.
    assert.equal(history.unsettledFrom(), 1);
    assert.equal(history.detailedEntries(), 5);
    history.record({ ...stats(1, 'FAILED'), failureReason: 'expired' });
    assert.equal(history.size, 5);
    assert.equal(history.get(1)!.status, 'FAILED');
    assert.equal(history.get(1)!.failureReason, 'expired');
    assert.equal(history.detailedEntries(), 2);
    assert.equal(history.unsettledFrom(), 6);
    // A late update of a compacted checkpoint changes nothing.
    history.record(stats(2, 'FAILED'));
    assert.equal(history.get(2)!.status, 'COMPLETED');
  });

  it('tells a poller where to ask from: the oldest pending checkpoint, else the next id', () => {
    const history = new CheckpointHistory();
    assert.equal(history.unsettledFrom(), 1);
    history.merge([stats(1), stats(2, 'IN_PROGRESS'), stats(3, 'IN_PROGRESS')]);
    assert.equal(history.unsettledFrom(), 2);
    // The next poll brings 2 and 3 again, settled, and a new one.
    history.merge([stats(2), stats(3, 'FAILED'), stats(4)]);
    assert.deepEqual(
      history.from().map((e) => [e.id, e.status]),
      [
        [1, 'COMPLETED'],
        [2, 'COMPLETED'],
        [3, 'FAILED'],
        [4, 'COMPLETED'],
      ],
    );
    assert.equal(history.unsettledFrom(), 5);
  });

  it('keeps a savepoint\'s location and a failure\'s reason after compaction', () => {
    const history = new CheckpointHistory(1);
    history.record({ ...stats(1), savepoint: true, path: '/savepoints/savepoint-1' });
    history.record({ ...stats(2, 'FAILED'), failureReason: 'expired after 600000 ms' });
    history.record({ ...stats(3), path: '/checkpoints/chk-3' });
    history.record(stats(4));
    assert.deepEqual(
      history.from(1).map((e) => [e.id, e.status, e.savepoint, e.path, e.failureReason]),
      [
        [1, 'COMPLETED', true, '/savepoints/savepoint-1', undefined],
        [2, 'FAILED', false, undefined, 'expired after 600000 ms'],
        [3, 'COMPLETED', false, undefined, undefined],
        [4, 'COMPLETED', false, undefined, undefined],
      ],
    );
    assert.equal(history.from(3)[0]!.triggerTime, 1_700_000_000_003, 'numbers survive the columns');
  });

  it('hands out copies: a reader cannot change the history', () => {
    const history = new CheckpointHistory();
    history.record(stats(1));
    const copy = history.from()[0]!;
    copy.status = 'FAILED';
    copy.operators.push({ uid: 'b', sizeBytes: 1 });
    assert.equal(history.get(1)!.status, 'COMPLETED');
    assert.equal(history.get(1)!.operators.length, 1);
  });
});
