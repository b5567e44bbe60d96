/**
 * The workbench's Stop button on a job with an exactly-once JSONL sink, on two taskmanagers and
 * in the host's own process (`--taskmanagers 0`), with one JobMaster behind both:
 * through the host's protocol, as the UI calls it (`stopJob`), the job stops with a savepoint and
 * leaves no pending or in-progress part file (the savepoint's transactions are committed before
 * the tasks end, as in Flink); a Rewind to that savepoint (`runCells` with `restore`) completes
 * the output exactly: equal to the windows arithmetic gives for the whole input, none lost, none
 * twice.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { JobDescription } from '../../../app/shared/workbench/protocol.ts';
import type { JobUpdateEvent } from '../../../app/shared/workbench/service.ts';
import { committedLines, uncommittedParts } from '../../harness/jsonl-output.ts';
import { until } from '../../harness/until.ts';
import { startHarness, type HostHarness, type RecordedEvent } from './harness.ts';

const EVENTS = 12_000;
const KEYS = 5;

const NOTEBOOK = `// %% Setup
import { StreamExecutionEnvironment, WatermarkStrategy, TumblingEventTimeWindows, Sinks } from 'weir';
interface R { k: string; ts: number; v: number }

// %% Sums
const env = StreamExecutionEnvironment.create({ parallelism: 2 });
env.enableCheckpointing(100);
env
  .fromGenerator(${EVENTS}, (i): R => ({ k: 'k' + (i % ${KEYS}), ts: i * 10, v: i % 13 }), { recordsPerSecond: 1500 })
  .uid('readings')
  .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<R>().withTimestampAssigner((r) => r.ts))
  .uid('timestamps')
  .keyBy((r) => r.k)
  .window(TumblingEventTimeWindows.of(1000))
  .reduce((a, b) => ({ ...a, v: a.v + b.v }), (k, w, r) => ({ k, start: w.start, sum: r.v }))
  .uid('sums')
  .sinkTo(Sinks.jsonl('out/windows/', { semantics: 'exactly-once' }))
  .uid('sink');
await env.execute('sums');
`;

/** The windows of the whole input, independently of the engine: one line per key and second. */
function expectedWindows(): string[] {
  const sums = new Map<string, number>();
  for (let i = 0; i < EVENTS; i++) {
    const id = `k${i % KEYS} ${Math.floor((i * 10) / 1000) * 1000}`;
    sums.set(id, (sums.get(id) ?? 0) + (i % 13));
  }
  return [...sums].map(([id, sum]) => `${id} ${sum}`).sort();
}

const lines = (dir: string): string[] =>
  committedLines(dir)
    .map((l) => JSON.parse(l) as { k: string; start: number; sum: number })
    .map((w) => `${w.k} ${w.start} ${w.sum}`)
    .sort();

const isUpdate = (e: RecordedEvent): e is RecordedEvent & { event: JobUpdateEvent } => e.name === 'onDidUpdateJob';

for (const taskManagers of [2, 0]) {
  describe(`the workbench Stop button with an exactly-once sink, --taskmanagers ${taskManagers}`, () => {
    let h: HostHarness;
    let checkpointDir: string;
    before(async () => {
      checkpointDir = mkdtempSync(path.join(os.tmpdir(), 'weir-host-stop-'));
      h = await startHarness({ 'sums.ts': NOTEBOOK }, { checkpointDir, taskManagers });
    });
    after(async () => {
      await h?.close();
      rmSync(checkpointDir, { recursive: true, force: true });
    });

    it('Stop leaves no pending part file, and a Rewind to its savepoint completes the output exactly', { timeout: 300_000 }, async () => {
      const windows = path.join(h.dir, 'out', 'windows');
      const expected = expectedWindows();
      const doc = await h.service.openNotebook('sums.ts');
      const run = h.service.runCells({ path: 'sums.ts', cells: doc.cells, run: ['c2'] });
      const job = (await h.waitFor((e) => e.name === 'onDidStartJob', 120_000)).event as JobDescription;
      await until('committed windows before the stop', () => lines(windows).length >= 3 * KEYS || undefined, 120_000);

      const stopped = await h.service.stopJob(job.id);
      assert.ok(stopped.savepoint, `Stop took a savepoint: ${JSON.stringify(stopped)}`);
      assert.deepEqual(uncommittedParts(windows), [], 'no pending part file once Stop has returned');
      const end = (await h.waitFor((e) => isUpdate(e) && e.event.jobId === job.id && e.event.status !== 'RUNNING', 60_000)).event as JobUpdateEvent;
      assert.equal(end.status, 'FINISHED');
      await run;
      assert.deepEqual(uncommittedParts(windows), [], 'no pending part file once the job ended');
      const before = lines(windows);
      assert.ok(before.length < expected.length, `stopped before the end (${before.length} of ${expected.length} windows)`);
      assert.deepEqual(
        before.filter((l) => !expected.includes(l)),
        [],
        'every committed window is right',
      );

      const savepointRow = end.checkpoints.find((c) => c.savepoint && c.location === stopped.savepoint);
      assert.ok(savepointRow, `the savepoint is in the job's history: ${JSON.stringify(end.checkpoints.filter((c) => c.savepoint))}`);
      const rewind = h.service.runCells({ path: 'sums.ts', cells: doc.cells, run: ['c2'], restore: { jobId: job.id, checkpointId: savepointRow.id } });
      const resumed = (await h.waitFor((e) => e.name === 'onDidStartJob' && e.event.id !== job.id, 120_000)).event as JobDescription;
      assert.deepEqual(resumed.restoredFrom, { jobId: job.id, checkpointId: savepointRow.id });
      const resumedEnd = (await h.waitFor((e) => isUpdate(e) && e.event.jobId === resumed.id && e.event.status !== 'RUNNING', 240_000)).event as JobUpdateEvent;
      assert.equal(resumedEnd.status, 'FINISHED');
      await rewind;
      const after = lines(windows);
      const lost = expected.filter((l) => !after.includes(l)).length;
      assert.deepEqual({ lost, extra: after.length - (expected.length - lost) }, { lost: 0, extra: 0 }, `${before.length} windows were committed before the stop`);
      assert.deepEqual(after, expected);
      assert.deepEqual(uncommittedParts(windows), []);
    });
  });
}
