/**
 * Starting worker processes behind one seam (docs/ARCHITECTURE.md §1): `child_process.fork` for `weir
 * run`, `weir serve` and tests; Electron's `utilityProcess.fork` in the desktop app implements
 * the same interface in app/main. Everything above it is identical.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { IpcPeer } from './rpc/endpoints.ts';

/** A started worker process. */
export interface WorkerProcess {
  readonly pid: number;
  /** The IPC channel to it, for comlink endpoints. */
  readonly ipc: IpcPeer;
  kill(signal?: NodeJS.Signals): void;
  /** Called once when the process ends, with its exit code or signal. */
  onExit(listener: (code: number | null, signal: string | null) => void): void;
}

/**
 * The kinds of worker process: the cluster's jobmanager and taskmanagers, and the workbench's
 * notebook kernels (one per open notebook, so that a cell stuck in a loop freezes only itself)
 * and the one-shot processes that find and export a notebook's jobs.
 */
export type WorkerRole = 'jobmanager' | 'taskmanager' | 'kernel' | 'export-worker';

/** Starts worker processes. */
export interface ProcessLauncher {
  launch(role: WorkerRole, args: string[], env?: Record<string, string>): WorkerProcess;
}

/**
 * The entry module of a role: `sourceEntry` when running from sources (by default
 * `<role>/main.ts` next to `from`), `dist/<role>.mjs` when running from the build (the code of
 * `from` is then in `dist/` or `dist/chunks/`).
 *
 * @example
 * fork(roleEntry('taskmanager'), args);
 */
export function roleEntry(role: WorkerRole, from = import.meta.url, sourceEntry?: string): string {
  const here = fileURLToPath(from);
  if (here.endsWith('.ts')) return sourceEntry ?? path.join(path.dirname(here), role, 'main.ts');
  for (const dir of [path.dirname(here), path.dirname(path.dirname(here))]) {
    const candidate = path.join(dir, `${role}.mjs`);
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`Cannot find the ${role} entry (${role}.mjs) near ${here}; rebuild with 'npm run build'`);
}

/**
 * Forks Node child processes with JSON IPC.
 *
 * @example
 * new NodeProcessLauncher().launch('jobmanager', [JSON.stringify(options)]);
 * new NodeProcessLauncher({ kernel: '/path/to/app/kernel/process/main.ts' }).launch('kernel', [config]);
 */
export class NodeProcessLauncher implements ProcessLauncher {
  /** `entries` names the entry module of roles whose code lives outside engine/process. */
  constructor(private readonly entries: Partial<Record<WorkerRole, string>> = {}) {}

  launch(role: WorkerRole, args: string[], env: Record<string, string> = {}): WorkerProcess {
    // WEIR_WORKER_NODE_ARGS adds Node flags to workers only (e.g. --cpu-prof for profiling).
    const extra = process.env.WEIR_WORKER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
    const child: ChildProcess = fork(this.entries[role] ?? roleEntry(role), args, {
      // JSON, not 'advanced': Node's advanced IPC deserialisation can stall on a partial length
      // prefix and stop delivering messages (nodejs/node#55834). Control messages are plain data.
      execArgv: [...process.execArgv, ...extra],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      // A session of its own (setsid): Ctrl+C in a terminal signals the terminal's foreground
      // process group, and a worker in it would die before the client could stop its jobs with
      // a savepoint. The client decides what a signal means; a worker still ends with its
      // parent, when the IPC channel closes (parent-channel.ts: exitWithParent).
      detached: process.platform !== 'win32',
      env: { ...process.env, ...env },
    });
    const exitListeners: ((code: number | null, signal: string | null) => void)[] = [];
    let exited: [number | null, string | null] | undefined;
    child.once('exit', (code, signal) => {
      exited = [code, signal];
      for (const l of exitListeners) l(code, signal);
    });
    // A send to a dead child raises asynchronously; the exit listener reports the death.
    child.on('error', () => {});
    return {
      pid: child.pid ?? -1,
      ipc: child,
      kill: (signal = 'SIGKILL') => {
        if (!exited) child.kill(signal);
      },
      onExit: (listener) => {
        if (exited) listener(...exited);
        else exitListeners.push(listener);
      },
    };
  }
}
