/**
 * The workbench host in Electron's utility process. Main hands it one MessagePort per window
 * (a `{ type: 'connect' }` message carrying the port); the window then talks to the host over
 * that port directly, as docs/ARCHITECTURE.md §1 has it. Notebook jobs run on worker
 * processes that main starts for this process (relayed-launcher.ts).
 *
 * Started as `utilityProcess.fork(this file, [folder])`.
 */
import { parentChannel } from '../../engine/process/parent-channel.ts';
import { RelayedProcessLauncher } from '../../engine/process/relayed-launcher.ts';
import { removeOrphanedTempDirs } from '../../engine/process/temp-dirs.ts';
import { Workbench } from '../host/workbench.ts';
import type { MessageLink } from '../shared/rpc/endpoint.ts';

/** The part of Electron's `MessagePortMain` the link uses. */
interface PortMain {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
  on(event: 'close', listener: () => void): void;
  off(event: 'message', listener: (event: { data: unknown }) => void): void;
  start(): void;
}

/** A `MessagePortMain` as a message link. */
export function portMainLink(port: PortMain): MessageLink {
  return {
    send: (message) => port.postMessage(message),
    listen(listener) {
      const deliver = (event: { data: unknown }): void => listener(event.data);
      port.on('message', deliver);
      return () => port.off('message', deliver);
    },
  };
}

const parentPort = (process as unknown as { parentPort?: { on(event: 'message', listener: (event: { data: unknown; ports: PortMain[] }) => void): void } }).parentPort;
if (parentPort) {
  const folder = process.argv[2] ?? process.cwd();
  // Temp folders of earlier app runs that were killed before they could clean up.
  removeOrphanedTempDirs();
  // Only main can start utility processes: the cluster asks it, for the jobmanager and taskmanagers alike.
  const workbench = await Workbench.start({ root: folder, shell: 'desktop', launcher: new RelayedProcessLauncher(parentChannel()), launchTaskManagers: 'parent' });
  parentPort.on('message', (event) => {
    const port = event.ports[0];
    if ((event.data as { type?: string } | undefined)?.type !== 'connect' || !port) return;
    const detach = workbench.connect(portMainLink(port));
    port.on('close', detach);
    port.start();
  });
}
