/**
 * The message channel from a worker process to whoever started it, whatever started it: Node's
 * child-process IPC (`process.send`) under `child_process.fork`, or Electron's
 * `process.parentPort` under `utilityProcess.fork`. Worker entry points talk to their parent
 * only through this, so the same jobmanager and taskmanager run in both.
 */
import { Worker } from 'node:worker_threads';
import type { ElectronPortLike, IpcPeer } from './rpc/endpoints.ts';

/** `process.parentPort` of an Electron utility process (absent under plain Node). */
function electronParentPort(): ElectronPortLike | undefined {
  return (process as unknown as { parentPort?: ElectronPortLike }).parentPort;
}

/**
 * An `IpcPeer` over an Electron port: `send` posts, listeners get the message itself (not the
 * `{ data }` event), as with Node IPC.
 *
 * @example
 * const peer = portPeer(process.parentPort);
 * peer.send({ hello: 1 });
 */
export function portPeer(port: ElectronPortLike): IpcPeer {
  const wrapped = new Map<(message: any) => void, (event: { data: any }) => void>();
  return {
    send(message: unknown) {
      port.postMessage(message);
      return true;
    },
    on(_event: 'message', listener: (message: any) => void) {
      const l = (event: { data: any }) => listener(event.data);
      wrapped.set(listener, l);
      port.on('message', l);
      port.start?.();
    },
    off(_event: 'message', listener: (message: any) => void) {
      const l = wrapped.get(listener);
      if (!l) return;
      port.off('message', l);
      wrapped.delete(listener);
    },
  };
}

/**
 * The channel to this process's parent.
 *
 * @example
 * Comlink.expose(api, ipcEndpoint(parentChannel(), 'taskmanager'));
 */
export function parentChannel(): IpcPeer {
  if (process.send) return nodeParentPeer();
  const port = electronParentPort();
  if (port) return portPeer(port);
  throw new Error('This process has no channel to its parent: start it with child_process.fork (with IPC) or Electron utilityProcess.fork');
}

/**
 * Node IPC to the parent, whose sends never throw at this process: a parent SIGKILLed between two
 * messages makes the next write fail (EPIPE, or the channel is already closed). Without a callback
 * Node raises that as an unhandled 'error' on `process`, which crashed a taskmanager whose
 * jobmanager had been killed and printed its stack into the user's terminal, in the middle of
 * `weir run`'s resume hint. The parent is gone either way and 'disconnect' ends this process
 * (`exitWithParent`); any other send error is still reported.
 */
function nodeParentPeer(): IpcPeer {
  return {
    send(message: unknown) {
      return process.send!(message, undefined, undefined, (error: Error | null) => {
        if (error && !process.connected) return;
        if (error && (error as NodeJS.ErrnoException).code === 'EPIPE') return;
        if (error) process.emitWarning(error);
      });
    },
    on: (event, listener) => process.on(event, listener),
    off: (event, listener) => process.off(event, listener),
  };
}

/**
 * Makes a worker process end when its parent goes away, so that none outlives the `weir run`
 * or the app that started it. Node IPC closes when the parent exits or is killed; Electron ends
 * its utility processes itself when the app quits.
 *
 * @example
 * exitWithParent(); // first thing in a worker's entry point
 */
export function exitWithParent(): void {
  if (!process.send && electronParentPort()) return;
  process.on('disconnect', () => process.exit(0));
  if (!process.connected) process.exit(0);
  watchParentFromAThread();
}

/**
 * A process stuck in a user's endless loop never runs its 'disconnect' handler: a kernel spinning
 * in a cell, a taskmanager spinning in a map, when the process above them is SIGKILLed (which
 * runs none of its exit hooks either). A worker thread runs beside the stuck main thread, sees
 * the process re-parented, and ends it.
 */
function watchParentFromAThread(): void {
  const watchdog = new Worker(
    `const { workerData } = require('node:worker_threads');
     setInterval(() => { if (process.ppid !== workerData.parent) process.kill(workerData.self, 'SIGKILL'); }, 500);`,
    { eval: true, workerData: { parent: process.ppid, self: process.pid } },
  );
  // It must never keep the process alive by itself.
  watchdog.unref();
}
