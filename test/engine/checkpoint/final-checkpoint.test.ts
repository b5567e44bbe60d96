/**
 * End of input goes through a final checkpoint (Flink's FLIP-147): a bounded job that
 * checkpoints commits its two-phase-commit sinks' last transactions on the notification of a
 * checkpoint the coordinator completed after the end of input, not at `finish()` with ids of
 * checkpoints that may never complete. In this process and on two taskmanagers; a job that
 * does not checkpoint still commits at its end of input.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { StreamExecutionEnvironment } from '../../../engine/api/index.ts';
import { CheckpointingExecutor } from '../../../engine/checkpoint/checkpointing-executor.ts';
import type { CheckpointStats } from '../../../engine/checkpoint/types.ts';
import { CommitRecordingSink, type Commit } from '../../fixtures/final-checkpoint/commit-recording-sink.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const RECORDS = 2_000;

/** A bounded job into the recording sink; checkpoints every `intervalMs` when given. */
function job(commits: Commit[], intervalMs?: number) {
  const env = StreamExecutionEnvironment.create({ parallelism: 2 });
  if (intervalMs !== undefined) env.enableCheckpointing(intervalMs);
  env
    .fromCollection(Array.from({ length: RECORDS }, (_, i) => i))
    .rebalance()
    .map((i) => i * 2)
    .sinkTo(new CommitRecordingSink((c) => commits.push(c)));
  return env.buildJob('final checkpoint');
}

const expected = Array.from({ length: RECORDS }, (_, i) => i * 2);
const completedIds = (checkpoints: CheckpointStats[]) => checkpoints.filter((c) => c.status === 'COMPLETED').map((c) => c.id);

describe('the final checkpoint after the end of input (FLIP-147)', () => {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'weir-final-checkpoint-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('in this process: the last transactions are committed on a checkpoint the coordinator completed after the end of input', async () => {
    const commits: Commit[] = [];
    // An interval longer than the job runs: the final checkpoint is the only one.
    const { report } = await new CheckpointingExecutor(job(commits, 600_000)).start().result;
    assert.equal(report.status, 'FINISHED');
    assert.deepEqual(completedIds(report.checkpoints), [1], 'one checkpoint, completed after the end of input');
    assert.deepEqual(
      commits.map((c) => c.on),
      commits.map(() => 1),
      'every transaction committed on the notification of checkpoint 1',
    );
    assert.deepEqual(commits.flatMap((c) => c.records).sort((a, b) => a - b), expected);
  });

  it('in this process, checkpointing often: every commit is of a completed checkpoint, every record once', async () => {
    const commits: Commit[] = [];
    const { report } = await new CheckpointingExecutor(job(commits, 10)).start().result;
    const completed = new Set(completedIds(report.checkpoints));
    for (const c of commits) assert.ok(c.on !== undefined && completed.has(c.on), `committed on ${c.on}, completed: ${[...completed].join(' ')}`);
    assert.deepEqual(commits.flatMap((c) => c.records).sort((a, b) => a - b), expected);
  });

  it('without checkpoints the sink still commits at its end of input', async () => {
    const commits: Commit[] = [];
    const { report } = await new CheckpointingExecutor(job(commits)).start().result;
    assert.equal(report.status, 'FINISHED');
    assert.deepEqual(report.checkpoints, []);
    assert.ok(commits.length > 0 && commits.every((c) => c.on === undefined));
    assert.deepEqual(commits.flatMap((c) => c.records).sort((a, b) => a - b), expected);
  });

  it('on two taskmanagers: the commits are of the final checkpoint, which the report lists as completed', { timeout: 300_000 }, () => {
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'pipe' });
    const reportFile = path.join(scratch, 'report.json');
    const r = spawnSync(process.execPath, [path.join(root, 'bin/weir.mjs'), 'run', path.join(root, 'test/fixtures/cluster/final-checkpoint.ts'), '--taskmanagers', '2', '--quiet', '--report', reportFile], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, TMPDIR: scratch },
      timeout: 280_000,
      killSignal: 'SIGKILL',
    });
    assert.equal(r.status, 0, `${r.stderr}\n${r.stdout.slice(-2000)}`);
    const job = (JSON.parse(readFileSync(reportFile, 'utf8')) as { jobs: { status: string; checkpoints: CheckpointStats[] }[] }).jobs[0]!;
    assert.equal(job.status, 'FINISHED');
    assert.deepEqual(completedIds(job.checkpoints), [1]);
    const commits = [...r.stdout.matchAll(/^commit (\[.*\]) on (.+)$/gm)].map((m) => ({ records: JSON.parse(m[1]!) as number[], on: m[2] }));
    assert.deepEqual(
      commits.map((c) => c.on),
      commits.map(() => '1'),
    );
    assert.deepEqual(commits.flatMap((c) => c.records).sort((a, b) => a - b), expected);
  });
});
