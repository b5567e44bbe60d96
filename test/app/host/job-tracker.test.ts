/**
 * `JobTracker` against a fake executor: which checkpoint rows can be rewound to, restarts with
 * their causes, Stop with a savepoint and its fallback to cancel, and refused rewinds.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RestartStrategies, StreamExecutionEnvironment } from '../../../engine/api/index.ts';
import { installExecutionHost } from '../../../engine/runtime/host.ts';
import { Sinks } from '../../../engine/index.ts';
import type { CheckpointStats } from '../../../engine/checkpoint/types.ts';
import type { JobClient, JobDefinition, JobResult } from '../../../engine/runtime/job.ts';
import { MemoryCheckpointStorage } from '../../../engine/checkpoint/memory-storage.ts';
import { HISTORY_SENT, JobTracker, checkpointSummary, finalOperators } from '../../../app/host/job-tracker.ts';
import { cellContext, type CellContext } from '../../../app/host/cell-context.ts';
import type { JobDescription } from '../../../app/shared/workbench/protocol.ts';
import type { JobUpdateEvent } from '../../../app/shared/workbench/service.ts';

function stats(id: number, status: CheckpointStats['status'] = 'COMPLETED', savepoint = false): CheckpointStats {
  const s: CheckpointStats = { id, status, savepoint, triggerTime: 1_000 + id, durationMs: 5, syncMs: 1, asyncMs: 2, alignmentMs: 0, sizeBytes: 100 * id, operators: [] };
  if (status === 'COMPLETED') s.path = `memory:x/${savepoint ? 'savepoint' : 'chk'}-${id}`;
  if (status === 'FAILED') s.failureReason = 'expired';
  return s;
}

/** A running job whose history, restarts and savepoint behaviour the test sets. */
class FakeClient implements JobClient {
  readonly jobName: string;
  readonly result: Promise<JobResult>;
  history: CheckpointStats[] = [];
  /** Entries each `checkpoints()` call copied out. */
  copied: number[] = [];
  restartList: { at: number; cause: string }[] = [];
  cancelled = false;
  savepointFails: string | undefined;
  private end!: (r: JobResult) => void;
  constructor(name: string) {
    this.jobName = name;
    this.result = new Promise((resolve) => (this.end = resolve));
  }
  cancel() {
    this.cancelled = true;
    this.end({ report: { name: this.jobName, status: 'CANCELED', durationMs: 1, operators: [], checkpoints: this.history, restarts: this.restartList.length } });
  }
  metrics() {
    return [];
  }
  checkpoints(fromId = 0) {
    const entries = this.history.filter((c) => c.id >= fromId);
    this.copied.push(entries.length);
    return entries;
  }
  restarts() {
    return this.restartList;
  }
  async stopWithSavepoint() {
    if (this.savepointFails) throw new Error(this.savepointFails);
    this.history.push(stats(99, 'COMPLETED', true));
    this.end({ report: { name: this.jobName, status: 'FINISHED', durationMs: 1, operators: [], checkpoints: this.history, restarts: 0 } });
    return 'memory:x/savepoint-99';
  }
}

function jobWith(checkpointing: boolean): JobDefinition {
  const env = StreamExecutionEnvironment.create();
  if (checkpointing) env.enableCheckpointing(100);
  env.fromGenerator(Infinity, (i) => i).sinkTo({ invoke() {} });
  return { graph: env.getStreamGraph('fake job'), vertices: new Map(), edges: [] };
}

const context: CellContext = { path: 'n.ts', cellId: 'c7', write() {}, output() {}, fail() {} };

/** A tracker whose jobs are fakes; `start` submits one from cell c7 of n.ts. */
function setup() {
  const started: JobDescription[] = [];
  const updates: JobUpdateEvent[] = [];
  const clients: FakeClient[] = [];
  const tracker = new JobTracker(
    { started: (j) => started.push(j), updated: (e) => updates.push(e) },
    {
      pollMs: 5,
      storageFor: (name) => new MemoryCheckpointStorage(name),
      execute: (job) => {
        const c = new FakeClient(job.graph.name);
        clients.push(c);
        return c;
      },
    },
  );
  const start = (checkpointing = true): FakeClient =>
    cellContext.run(context, () => {
      const client = tracker.submit(jobWith(checkpointing));
      tracker.started(client);
      return client as FakeClient;
    });
  const nextUpdate = () => new Promise<JobUpdateEvent>((resolve) => {
    const n = updates.length;
    const timer = setInterval(() => {
      if (updates.length > n) {
        clearInterval(timer);
        resolve(updates.at(-1)!);
      }
    }, 2);
  });
  return { tracker, started, updates, clients, start, nextUpdate };
}

describe('JobTracker', () => {
  it('maps checkpoint stats to history rows', () => {
    assert.deepEqual(checkpointSummary(stats(3)), { id: 3, status: 'COMPLETED', triggerTime: 1003, durationMs: 5, sizeBytes: 300, alignmentMs: 0, location: 'memory:x/chk-3' });
    assert.deepEqual(checkpointSummary(stats(4, 'FAILED')), { id: 4, status: 'FAILED', triggerTime: 1004, durationMs: 5, sizeBytes: 400, alignmentMs: 0, failureReason: 'expired' });
    assert.deepEqual(checkpointSummary({ ...stats(5), savepoint: true }).savepoint, true);
  });

  it('streams the history while the job runs: only kept checkpoints and savepoints can be rewound to', async () => {
    const { tracker, started, start, nextUpdate } = setup();
    const client = start();
    assert.equal(started[0]!.checkpointing, true);
    assert.deepEqual([started[0]!.path, started[0]!.cellId], ['n.ts', 'c7']);
    client.history = [...Array.from({ length: 12 }, (_, i) => stats(i + 1)), stats(13, 'COMPLETED', true), stats(14, 'FAILED'), stats(15, 'IN_PROGRESS')];
    client.restartList = [{ at: 5, cause: 'boom' }];
    const update = await nextUpdate();
    assert.equal(update.status, 'RUNNING');
    const restorable = update.checkpoints.filter((c) => c.restorable).map((c) => c.id);
    assert.deepEqual(restorable, [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13], 'the newest 10 checkpoints and the savepoint');
    assert.equal(update.checkpoints.find((c) => c.id === 14)?.failureReason, 'expired');
    assert.equal(update.restarts, 1);
    assert.deepEqual(update.restartCauses, [{ at: 5, cause: 'boom' }]);
    await assert.rejects(tracker.prepareRewind({ jobId: started[0]!.id, checkpointId: 2 }), /not kept any more: only the newest 10/);
    await assert.rejects(tracker.prepareRewind({ jobId: started[0]!.id, checkpointId: 14 }), /has no completed checkpoint 14/);
    tracker.dispose();
  });

  it('sends only the newest rows of a long history', async () => {
    const { tracker, start, nextUpdate } = setup();
    const client = start();
    client.history = Array.from({ length: HISTORY_SENT + 30 }, (_, i) => stats(i + 1));
    const update = await nextUpdate();
    assert.equal(update.checkpoints.length, HISTORY_SENT);
    assert.equal(update.checkpoints.at(-1)!.id, HISTORY_SENT + 30);
    tracker.dispose();
  });

  it('asks a long-running job only for the rows it sends, not for its whole history on every poll', async () => {
    const { tracker, start, nextUpdate } = setup();
    const client = start();
    client.history = Array.from({ length: 5000 }, (_, i) => stats(i + 1));
    await nextUpdate();
    client.history.push(stats(5001), stats(5002));
    const copiedBefore = client.copied.length;
    let update = await nextUpdate();
    while (update.checkpoints.at(-1)?.id !== 5002) update = await nextUpdate();
    assert.equal(update.checkpoints.length, HISTORY_SENT);
    const later = client.copied.slice(copiedBefore);
    assert.ok(later.length > 0 && later.every((n) => n <= HISTORY_SENT + 2), `entries copied per poll after the first: ${later.join(', ')}`);
    tracker.dispose();
  });

  it('stops a checkpointing job with a savepoint; the final update names it', async () => {
    const { tracker, started, updates, start } = setup();
    const client = start();
    assert.deepEqual(await tracker.stop(started[0]!.id), { savepoint: 'memory:x/savepoint-99' });
    assert.equal(client.cancelled, false);
    await client.result;
    await new Promise((r) => setImmediate(r));
    const end = updates.at(-1)!;
    assert.equal(end.status, 'FINISHED');
    assert.equal(end.savepoint, 'memory:x/savepoint-99');
    tracker.dispose();
  });

  it('cancels when the savepoint cannot be taken, and says why; cancels a job that does not checkpoint', async () => {
    const { tracker, started, start } = setup();
    const failing = start();
    failing.savepointFails = 'some tasks have finished';
    assert.deepEqual(await tracker.stop(started[0]!.id), { savepointError: 'some tasks have finished' });
    assert.equal(failing.cancelled, true);
    const plain = start(false);
    assert.equal(started[1]!.checkpointing, false);
    assert.deepEqual(await tracker.stop(started[1]!.id), {});
    assert.equal(plain.cancelled, true);
    tracker.dispose();
  });
});

describe('JobTracker: a finished job\'s figures', () => {
  it('keeps the larger counts, averages the rates over the run, and keeps the last watermark seen before the end of input', () => {
    const last = [{ uid: 'src', recordsIn: 0, recordsOut: 900, recordsOutPerSecond: 300, watermark: 5_000, subtasks: [{ subtask: 0, recordsIn: 0, recordsOut: 900, taskManager: 1 }] }];
    // The failed attempt's report counted less than the last poll saw; its watermark is +∞ (every input ended).
    const [final] = finalOperators([{ uid: 'src', recordsIn: 0, recordsOut: 400, watermarkAtEnd: true }], last, 2_000);
    assert.equal(final!.recordsOut, 900);
    assert.equal(final!.recordsOutPerSecond, 450);
    assert.equal(final!.watermark, 5_000);
    assert.equal(final!.watermarkAtEnd, true);
    assert.equal(final!.final, true);
    assert.deepEqual(final!.subtasks, last[0]!.subtasks);
  });
});

describe('JobTracker: exceptions history', () => {
  it('reports each restart with its failing task and stack, and the failure that ended the job with its stack', async () => {
    const updates: JobUpdateEvent[] = [];
    const tracker = new JobTracker({ started: () => {}, updated: (e) => updates.push(e) }, { pollMs: 20 });
    const uninstall = installExecutionHost({ submitJob: (job) => tracker.submit(job), onJobStarted: (client) => tracker.started(client) });
    try {
      const env = StreamExecutionEnvironment.create({ parallelism: 1 });
      env.setRestartStrategy(RestartStrategies.fixedDelay(1, 10));
      env.fromSequence(1, 10).map(function explode(n: number): number {
        if (n === 5) throw new Error('boom at 5');
        return n;
      }).name('Exploding map').sinkTo(Sinks.collect());
      await assert.rejects(env.execute('exploding'), /boom at 5/);
    } finally {
      uninstall();
      tracker.dispose();
    }
    const final = updates.at(-1)!;
    assert.equal(final.status, 'FAILED');
    assert.equal(final.restarts, 1);
    const [restart] = final.restartCauses!;
    assert.match(restart!.cause, /boom at 5/);
    assert.equal(restart!.task, 'Exploding map (1/1)');
    assert.match(restart!.stack ?? '', /explode/, 'the stack names the user function');
    assert.match(final.failure?.message ?? '', /boom at 5/);
    assert.match(final.failure?.stack ?? '', /explode/);
    assert.ok(final.failure!.at > 0);
  });
});
