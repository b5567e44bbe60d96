/**
 * The desktop app's `ProcessLauncher` over Electron's `utilityProcess.fork`, with a stand-in for
 * the fork (the Electron binary is not on the build machines): what it forks, how messages,
 * kills and exits map onto the engine's `WorkerProcess`, and main serving a relayed launch.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import path from 'node:path';
import { describe, it } from 'node:test';
import { UtilityProcessLauncher, type UtilityFork, type UtilityProcessLike } from '../../../app/main/utility-launcher.ts';
import { serveLaunchRequests } from '../../../engine/process/relayed-launcher.ts';

/** Behaves as Electron's UtilityProcess: 'message' carries the message, 'exit' only a code. */
class FakeUtilityProcess extends EventEmitter implements UtilityProcessLike {
  pid: number | undefined = 4242;
  readonly posted: unknown[] = [];
  kills = 0;
  postMessage(message: unknown): void {
    this.posted.push(message);
  }
  kill(): boolean {
    this.kills++;
    queueMicrotask(() => this.emit('exit', 15));
    return true;
  }
}

function fakeFork() {
  const forks: { modulePath: string; args: string[]; options: Parameters<UtilityFork>[2]; child: FakeUtilityProcess }[] = [];
  const fork: UtilityFork = (modulePath, args, options) => {
    const child = new FakeUtilityProcess();
    forks.push({ modulePath, args, options, child });
    return child;
  };
  return { fork, forks };
}

describe('utility-process launcher', () => {
  it('forks the role entry in the build directory with a service name and the environment, kernels included', () => {
    const { fork, forks } = fakeFork();
    const launcher = new UtilityProcessLauncher(fork, '/opt/weir/dist');
    const tm = launcher.launch('taskmanager', ['1'], { WEIR_X: 'y' });
    assert.equal(forks[0]!.modulePath, path.join('/opt/weir/dist', 'taskmanager.mjs'));
    assert.deepEqual(forks[0]!.args, ['1']);
    assert.equal(forks[0]!.options.serviceName, 'weir-taskmanager');
    assert.equal(forks[0]!.options.env.WEIR_X, 'y');
    assert.equal(forks[0]!.options.env.PATH, process.env.PATH, 'the parent environment is passed on');
    assert.equal(tm.pid, 4242);
    // Notebook kernels are utility processes too (the host asks main for them).
    launcher.launch('kernel', ['{}']);
    assert.equal(forks[1]!.modulePath, path.join('/opt/weir/dist', 'kernel.mjs'));
    assert.equal(forks[1]!.options.serviceName, 'weir-kernel');
  });

  it('maps messages, kills and exits onto a WorkerProcess', async () => {
    const { fork, forks } = fakeFork();
    const jm = new UtilityProcessLauncher(fork, '/d').launch('jobmanager', []);
    const child = forks[0]!.child;
    const got: unknown[] = [];
    jm.ipc.on('message', (m) => got.push(m));
    child.emit('message', { weirChannel: 'jobmanager', data: 1 });
    assert.deepEqual(got, [{ weirChannel: 'jobmanager', data: 1 }]);
    jm.ipc.send!({ to: 'jm' });
    assert.deepEqual(child.posted, [{ to: 'jm' }]);

    const exits: unknown[] = [];
    jm.onExit((code, signal) => exits.push([code, signal]));
    jm.kill('SIGTERM');
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(exits.slice(), [[null, 'SIGTERM']], 'a kill we asked for is reported as its signal');
    jm.kill();
    assert.equal(child.kills, 1, 'no kill after the exit');

    const crashed = new UtilityProcessLauncher(fork, '/d').launch('taskmanager', []);
    const codes: unknown[] = [];
    crashed.onExit((code, signal) => codes.push([code, signal]));
    forks[1]!.child.emit('exit', 3);
    assert.deepEqual(codes, [[3, null]]);
  });

  it("main serves a utility process's relayed launch with utility processes", () => {
    const { fork, forks } = fakeFork();
    const launcher = new UtilityProcessLauncher(fork, '/d');
    const host = launcher.launch('jobmanager', []);
    serveLaunchRequests(host, launcher);
    // The host's side: its messages to main are what the fake host process emits.
    const hostChild = forks[0]!.child;
    hostChild.emit('message', { weirLaunch: { id: 1, role: 'taskmanager', args: ['0'] } });
    assert.equal(forks[1]!.modulePath, path.join('/d', 'taskmanager.mjs'));
    assert.deepEqual(hostChild.posted, [{ weirLaunched: { id: 1, pid: 4242 } }]);
    forks[1]!.child.emit('message', { hello: 'from tm' });
    assert.deepEqual(hostChild.posted[1], { weirFromChild: { id: 1, message: { hello: 'from tm' } } });
    hostChild.emit('message', { weirToChild: { id: 1, message: { hello: 'to tm' } } });
    assert.deepEqual(forks[1]!.child.posted, [{ hello: 'to tm' }]);
  });
});
