/**
 * What `weir run` prints about a job, from a scripted `JobClient`: states and restarts said once
 * each, the status line only when asked for, and after a jobmanager loss the newest checkpoint
 * still on disk with a command that resumes from it.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { JobProgress, describeRestart } from '../../../app/cli/job-progress.ts';
import { resumeCommand } from '../../../app/cli/cluster-session.ts';
import type { CheckpointStats } from '../../../engine/runtime/checkpoint-stats.ts';
import type { JobClient, JobResult, JobState, RestartInfo } from '../../../engine/runtime/job.ts';
import { until } from '../../harness/until.ts';

/** The escape that starts "erase to the end of the line". */
const ESC = String.fromCharCode(27);

function checkpoint(id: number, status: CheckpointStats['status'], extra: Partial<CheckpointStats> = {}): CheckpointStats {
  return { id, status, savepoint: false, triggerTime: Date.now(), durationMs: 5, syncMs: 0, asyncMs: 0, alignmentMs: 0, sizeBytes: 0, operators: [], ...extra };
}

/** A job client whose state the test sets. */
function scriptedJob() {
  const job = { state: 'CREATED' as JobState, restarts: [] as RestartInfo[], checkpoints: [] as CheckpointStats[], recordsOut: 0 };
  let settle!: (r: JobResult) => void;
  let fail!: (e: unknown) => void;
  const result = new Promise<JobResult>((resolve, reject) => ((settle = resolve), (fail = reject)));
  const client: JobClient = {
    jobName: 'demo',
    result,
    cancel() {},
    metrics: () => [{ uid: 'src', name: 'Source', parallelism: 1, recordsIn: 0, recordsOut: job.recordsOut, watermark: 5000 }],
    checkpoints: () => job.checkpoints.slice(),
    restarts: () => job.restarts.slice(),
    state: () => job.state,
  };
  return { job, client, settle, fail };
}

describe('JobProgress', () => {
  it('says each state change, restart and failed checkpoint once, and the final state', async () => {
    let text = '';
    const progress = new JobProgress({ write: (t) => (text += t), statusLine: false, resumeCommand: (p) => `resume ${p}` });
    const { job, client, settle } = scriptedJob();
    progress.watch(client);
    job.state = 'RUNNING';
    await until('RUNNING', () => (text.includes("job 'demo': RUNNING\n") ? true : undefined));
    job.restarts.push({ at: 1, cause: 'boom', operator: { uid: 'm', name: 'Map', subtask: 1, parallelism: 2 }, taskManager: 0 });
    job.checkpoints.push(checkpoint(3, 'FAILED', { failureReason: 'expired after 10 ms' }));
    await until('the restart and the failure', () => (text.includes('checkpoint 3 failed') && text.includes('restart 1') ? true : undefined));
    settle({ report: { status: 'FINISHED' } as JobResult['report'] });
    await until('FINISHED', () => (text.includes("job 'demo': FINISHED") ? true : undefined));
    progress.dispose();
    assert.equal(
      text,
      [
        "job 'demo': RUNNING",
        "job 'demo': restart 1, after Map (2/2) on taskmanager 0: boom",
        "job 'demo': checkpoint 3 failed: expired after 10 ms",
        "job 'demo': FINISHED",
        '',
      ].join('\n'),
    );
  });

  it('draws a status line in place when asked, with records/s, watermark and the last checkpoint', async () => {
    let text = '';
    const progress = new JobProgress({ write: (t) => (text += t), statusLine: true, resumeCommand: (p) => p });
    const { job, client, settle } = scriptedJob();
    job.state = 'RUNNING';
    job.checkpoints.push(checkpoint(7, 'COMPLETED', { path: '/cp/7' }));
    progress.watch(client);
    const timer = setInterval(() => (job.recordsOut += 100), 10);
    await until('two status lines', () => ((text.match(new RegExp(`\r${ESC}\\[Kdemo: [\\d,]+ rec/s, watermark 5000, checkpoint 7 \\(\\d+ s ago\\)`, 'g')) ?? []).length >= 2 ? true : undefined));
    clearInterval(timer);
    settle({ report: { status: 'FINISHED' } as JobResult['report'] });
    await until('FINISHED', () => (text.includes("job 'demo': FINISHED") ? true : undefined));
    progress.dispose();
    assert.ok(/[1-9][\d,]* rec\/s/.test(text), 'a rate above zero once records flow');
  });

  it('after a jobmanager loss, names the newest checkpoint still on disk and the command to resume', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'weir-progress-test-'));
    try {
      let text = '';
      const progress = new JobProgress({ write: (t) => (text += t), statusLine: false, resumeCommand: (p) => resumeCommand(['nb.ts', '--taskmanagers', '2', '--from-savepoint', '/old'], p) });
      const { job, client, fail } = scriptedJob();
      // chk-4 is complete on disk; chk-5, which the client saw complete, has since been subsumed
      // (its folder half removed) by chk-6, which the client never heard of.
      const complete = (name: string) => {
        mkdirSync(path.join(dir, name));
        writeFileSync(path.join(dir, name, '_metadata'), '');
      };
      complete('chk-4');
      mkdirSync(path.join(dir, 'chk-5'));
      job.checkpoints.push(checkpoint(4, 'COMPLETED', { path: path.join(dir, 'chk-4') }), checkpoint(5, 'COMPLETED', { path: path.join(dir, 'chk-5') }));
      const newest = path.join(dir, 'chk-6');
      progress.watch(client);
      complete('chk-6');
      fail(Object.assign(new Error("Job 'demo' failed: the jobmanager killed by SIGKILL", { cause: new Error('the jobmanager killed by SIGKILL') }), { jobManagerLost: true }));
      await until('the resume command', () => (text.includes('resume with') ? true : undefined));
      progress.dispose();
      assert.match(text, new RegExp(`last completed checkpoint: 6 at ${newest}\\n  resume with: npx weir run nb.ts --taskmanagers 2 --from-savepoint ${newest}\\n`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('quotes what a shell would split, and names where a restart happened', () => {
    assert.equal(resumeCommand(['my notebook.ts', "--from-savepoint=/x"], "/tmp/it's"), "npx weir run 'my notebook.ts' --from-savepoint '/tmp/it'\\''s'");
    assert.equal(describeRestart({ at: 0, cause: 'taskmanager 1 (pid 42) was killed by SIGKILL while running Map (1/2)', taskManager: 1 }), 'taskmanager 1 (pid 42) was killed by SIGKILL while running Map (1/2)');
  });
});
