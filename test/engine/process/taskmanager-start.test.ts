import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as Comlink from 'comlink';
import { ipcEndpoint } from '../../../engine/process/rpc/endpoints.ts';
import { NodeProcessLauncher, type ProcessLauncher, type WorkerProcess } from '../../../engine/process/launcher.ts';
import { serveLaunchRequests } from '../../../engine/process/relayed-launcher.ts';

/** Starts real processes, and SIGKILLs the first `doomed` taskmanagers as soon as they start. */
function killingLauncher(doomed: number): { launcher: ProcessLauncher; started: { role: string; proc: WorkerProcess }[] } {
  const node = new NodeProcessLauncher();
  const started: { role: string; proc: WorkerProcess }[] = [];
  let toKill = doomed;
  return {
    started,
    launcher: {
      launch(role, args, env) {
        const proc = node.launch(role, args, env);
        started.push({ role, proc });
        if (role === 'taskmanager' && toKill > 0) {
          toKill--;
          proc.kill('SIGKILL');
        }
        return proc;
      },
    },
  };
}

async function startCluster(doomed: number): Promise<{ ready: Promise<boolean>; started: { role: string; proc: WorkerProcess }[]; stop(): void }> {
  const { launcher, started } = killingLauncher(doomed);
  const jm = launcher.launch('jobmanager', [JSON.stringify({ taskManagers: 2, launchTaskManagers: 'parent' })]);
  serveLaunchRequests(jm, launcher);
  const api = Comlink.wrap<{ ready(): Promise<boolean> }>(ipcEndpoint(jm.ipc, 'jobmanager'));
  return { ready: api.ready(), started, stop: () => started.forEach((s) => s.proc.kill('SIGKILL')) };
}

describe('taskmanager start', () => {
  it('a taskmanager killed while it starts is started again, and the cluster comes up', { timeout: 60_000 }, async () => {
    const cluster = await startCluster(1);
    try {
      assert.equal(await cluster.ready, true);
      assert.deepEqual(
        cluster.started.map((s) => s.role),
        ['jobmanager', 'taskmanager', 'taskmanager', 'taskmanager'],
        'the killed taskmanager was replaced once',
      );
    } finally {
      cluster.stop();
    }
  });

  it('a taskmanager that dies at every start fails the cluster after three attempts', { timeout: 60_000 }, async () => {
    const cluster = await startCluster(Infinity);
    try {
      await assert.rejects(cluster.ready, /taskmanager \d \(pid \d+\) was killed by SIGKILL/);
      // Two taskmanager slots, each tried three times before the jobmanager gave up.
      assert.ok(cluster.started.filter((s) => s.role === 'taskmanager').length <= 6);
    } finally {
      cluster.stop();
    }
  });
});
