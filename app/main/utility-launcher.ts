/**
 * Worker processes of the desktop app: Electron's `utilityProcess.fork` behind the engine's
 * `ProcessLauncher` seam (engine/process/launcher.ts), so the jobmanager and taskmanagers run as
 * utility processes, shown by Electron's task manager with their service names. Only the main
 * process may fork utility processes: processes that need workers (the workbench host, the
 * jobmanager) use a `RelayedProcessLauncher`, and main serves their requests with this launcher
 * (`serveLaunchRequests`).
 */
import path from 'node:path';
import type { ProcessLauncher, WorkerProcess, WorkerRole } from '../../engine/process/launcher.ts';
import type { IpcPeer } from '../../engine/process/rpc/endpoints.ts';

/** The part of Electron's `UtilityProcess` a launcher uses. */
export interface UtilityProcessLike {
  readonly pid: number | undefined;
  postMessage(message: unknown): void;
  kill(): boolean;
  on(event: 'message', listener: (message: any) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
  on(event: 'spawn', listener: () => void): unknown;
  off(event: 'message', listener: (message: any) => void): unknown;
}

/** Electron's `utilityProcess.fork`, or a stand-in in tests. */
export type UtilityFork = (modulePath: string, args: string[], options: { serviceName: string; env: Record<string, string | undefined>; stdio: 'inherit' }) => UtilityProcessLike;

/**
 * An `IpcPeer` over a utility process: `postMessage` and its 'message' events carry the message
 * itself, as Node IPC does.
 *
 * @example
 * Comlink.wrap<JobManagerApi>(ipcEndpoint(utilityPeer(child), 'jobmanager'));
 */
export function utilityPeer(child: UtilityProcessLike): IpcPeer {
  return {
    send(message: unknown) {
      child.postMessage(message);
      return true;
    },
    on: (_event: 'message', listener: (message: any) => void) => child.on('message', listener),
    off: (_event: 'message', listener: (message: any) => void) => child.off('message', listener),
  };
}

/**
 * Forks `<distDir>/<role>.mjs` as an Electron utility process.
 *
 * @example
 * import { utilityProcess } from 'electron';
 * const launcher = new UtilityProcessLauncher(utilityProcess.fork, distDir);
 * serveLaunchRequests(host, launcher);
 */
export class UtilityProcessLauncher implements ProcessLauncher {
  constructor(
    private readonly fork: UtilityFork,
    /** Where the built `jobmanager.mjs` and `taskmanager.mjs` are. */
    private readonly distDir: string,
  ) {}

  launch(role: WorkerRole, args: string[], env: Record<string, string> = {}): WorkerProcess {
    const child = this.fork(path.join(this.distDir, `${role}.mjs`), args, {
      serviceName: `weir-${role}`,
      env: { ...process.env, ...env },
      stdio: 'inherit',
    });
    const exitListeners: ((code: number | null, signal: string | null) => void)[] = [];
    let exited: [number | null, string | null] | undefined;
    let killed: string | null = null;
    child.on('exit', (code) => {
      // Electron reports only a code; a kill we asked for is reported as that signal.
      exited = killed ? [null, killed] : [code, null];
      for (const l of exitListeners) l(...exited);
    });
    return {
      get pid() {
        return child.pid ?? -1;
      },
      ipc: utilityPeer(child),
      kill: (signal = 'SIGKILL') => {
        if (exited) return;
        killed = signal;
        child.kill();
      },
      onExit: (listener) => {
        if (exited) listener(...exited);
        else exitListeners.push(listener);
      },
    };
  }
}
