/**
 * Starting processes through the parent (relayed-launcher.ts): the protocol between a
 * `RelayedProcessLauncher` and `serveLaunchRequests` with in-memory channels, and a real
 * taskmanager started for a child process through the test process, greeted over the relayed
 * control channel and killed when that child dies.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as Comlink from 'comlink';
import { ipcEndpoint } from '../../../engine/process/rpc/endpoints.ts';
import { NodeProcessLauncher, type ProcessLauncher, type WorkerProcess } from '../../../engine/process/launcher.ts';
import { RelayedProcessLauncher, serveLaunchRequests } from '../../../engine/process/relayed-launcher.ts';
import type { IpcPeer } from '../../../engine/process/rpc/endpoints.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** Two connected in-memory IPC ends (messages cloned, delivered synchronously). */
function pipe(): [IpcPeer, IpcPeer] {
  const listeners: [Set<(m: any) => void>, Set<(m: any) => void>] = [new Set(), new Set()];
  const end = (mine: number): IpcPeer => ({
    send: (m: unknown) => {
      for (const l of listeners[1 - mine]!) l(structuredClone(m));
      return true;
    },
    on: (_e: 'message', l: (m: any) => void) => listeners[mine]!.add(l),
    off: (_e: 'message', l: (m: any) => void) => listeners[mine]!.delete(l),
  });
  return [end(0), end(1)];
}

/** A fake process: its ipc is one end of a pipe; the test holds the other end. */
function fakeProcess(pid: number) {
  const [outside, inside] = pipe();
  const exits: ((code: number | null, signal: string | null) => void)[] = [];
  const killed: string[] = [];
  const proc: WorkerProcess = {
    pid,
    ipc: outside,
    kill: (signal = 'SIGKILL') => void killed.push(signal),
    onExit: (l) => void exits.push(l),
  };
  return { proc, inside, killed, exit: (code: number | null, signal: string | null) => exits.forEach((l) => l(code, signal)) };
}

describe('relayed launcher', () => {
  it('launches through the parent, relays messages both ways, reports the pid, kills and exits', () => {
    const requester = fakeProcess(100);
    const launched: { role: string; args: string[]; child: ReturnType<typeof fakeProcess> }[] = [];
    const parentLauncher: ProcessLauncher = {
      launch(role, args) {
        const child = fakeProcess(200 + launched.length);
        launched.push({ role, args, child });
        return child.proc;
      },
    };
    serveLaunchRequests(requester.proc, parentLauncher);

    const launcher = new RelayedProcessLauncher(requester.inside);
    const tm = launcher.launch('taskmanager', ['3']);
    assert.deepEqual(launched.map((l) => [l.role, l.args]), [['taskmanager', ['3']]]);
    assert.equal(tm.pid, 200, 'the pid of the real process');

    const atChild: unknown[] = [];
    launched[0]!.child.inside.on('message', (m) => atChild.push(m));
    tm.ipc.send!({ hi: 'tm' });
    assert.deepEqual(atChild, [{ hi: 'tm' }]);

    const atRequester: unknown[] = [];
    tm.ipc.on('message', (m) => atRequester.push(m));
    launched[0]!.child.inside.send!({ hi: 'jm' });
    assert.deepEqual(atRequester, [{ hi: 'jm' }]);

    tm.kill('SIGTERM');
    assert.deepEqual(launched[0]!.child.killed, ['SIGTERM']);

    const exits: (number | string | null)[][] = [];
    tm.onExit((code, signal) => exits.push([code, signal]));
    launched[0]!.child.exit(null, 'SIGKILL');
    assert.deepEqual(exits.slice(), [[null, 'SIGKILL']]);
    tm.onExit((code, signal) => exits.push(['late', code, signal]));
    assert.deepEqual(exits[1], ['late', null, 'SIGKILL'], 'a listener added after the exit hears of it');
    assert.equal(tm.ipc.send!({ after: 'exit' }), false, 'nothing is sent to an exited process');
  });

  it('a launch that fails at the parent is an exit with code 1; processes of a requester that died are killed', () => {
    const requester = fakeProcess(100);
    const children: ReturnType<typeof fakeProcess>[] = [];
    let fail = true;
    serveLaunchRequests(requester.proc, {
      launch() {
        if (fail) throw new Error('no such entry');
        const child = fakeProcess(300);
        children.push(child);
        return child.proc;
      },
    });
    const launcher = new RelayedProcessLauncher(requester.inside);
    const exits: unknown[] = [];
    const original = console.error;
    console.error = () => {};
    try {
      launcher.launch('taskmanager', []).onExit((code) => exits.push(code));
    } finally {
      console.error = original;
    }
    assert.deepEqual(exits, [1]);
    fail = false;
    launcher.launch('taskmanager', []);
    requester.exit(null, 'SIGKILL');
    assert.deepEqual(children[0]!.killed, ['SIGKILL']);
  });

  it('a real taskmanager started through the parent answers over the relayed channel and dies with its requester', { timeout: 60_000 }, async () => {
    const started: WorkerProcess[] = [];
    const node = new NodeProcessLauncher();
    const recording: ProcessLauncher = {
      launch(role, args, env) {
        const p = node.launch(role, args, env);
        started.push(p);
        return p;
      },
    };
    // The requester: a Node child with IPC, running the fixture.
    const { fork } = await import('node:child_process');
    const child = fork(path.join(root, 'test/fixtures/cluster/relay-requester.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.on('error', () => {}); // a send after its exit: the exit is what counts
    const requester: WorkerProcess = {
      pid: child.pid!,
      ipc: child,
      kill: (signal = 'SIGKILL') => void child.kill(signal),
      onExit: (l) => void child.once('exit', l),
    };
    serveLaunchRequests(requester, recording);
    try {
      const report = await new Promise<any>((resolve) => child.on('message', (m: any) => m?.requester?.hello && resolve(m.requester)));
      assert.equal(started.length, 1);
      const tmPid = started[0]!.pid;
      assert.equal(report.hello.pid, tmPid, 'the taskmanager answered hello with its own pid');
      assert.equal(report.relayedPid, tmPid, 'the requester knows the real pid');
      assert.ok(Math.abs(report.heartbeat - Date.now()) < 60_000);
      const ps = spawnSync('ps', ['-o', 'ppid=,args=', '-p', String(tmPid)], { encoding: 'utf8' }).stdout.trim();
      assert.match(ps, new RegExp(`^${process.pid}\\s+weir-taskmanager`), 'a child of this process, titled weir-taskmanager');

      const tmExited = new Promise<void>((resolve) => started[0]!.onExit(() => resolve()));
      child.kill('SIGKILL');
      await tmExited;
    } finally {
      child.kill('SIGKILL');
      for (const p of started) p.kill('SIGKILL');
    }
  });

  it("a jobmanager with launchTaskManagers 'parent' starts its taskmanagers through the client", { timeout: 60_000 }, async () => {
    const node = new NodeProcessLauncher();
    const started: { role: string; proc: WorkerProcess }[] = [];
    const recording: ProcessLauncher = {
      launch(role, args, env) {
        const proc = node.launch(role, args, env);
        started.push({ role, proc });
        return proc;
      },
    };
    const jm = recording.launch('jobmanager', [JSON.stringify({ taskManagers: 2, launchTaskManagers: 'parent' })]);
    serveLaunchRequests(jm, recording);
    const api = Comlink.wrap<{ ready(): Promise<boolean>; shutdown(): Promise<void> }>(ipcEndpoint(jm.ipc, 'jobmanager'));
    try {
      assert.equal(await api.ready(), true, 'the taskmanagers answered the jobmanager through the relay');
      assert.deepEqual(started.map((s) => s.role), ['jobmanager', 'taskmanager', 'taskmanager']);
      const exited = Promise.all(started.map((s) => new Promise<void>((resolve) => s.proc.onExit(() => resolve()))));
      jm.kill('SIGKILL');
      await exited; // the relayed taskmanagers die with the jobmanager that asked for them
    } finally {
      for (const s of started) s.proc.kill('SIGKILL');
    }
  });
});
