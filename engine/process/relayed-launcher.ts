/**
 * Starting processes through the parent, for a process that cannot start the kind of process it
 * needs itself. In the desktop app only Electron's main process may call
 * `utilityProcess.fork`, yet the jobmanager (a utility process) starts taskmanagers: it uses a
 * `RelayedProcessLauncher`, which asks its parent, and the parent serves those requests with
 * `serveLaunchRequests` and its own launcher, passing messages between the two children. Relays
 * compose: a parent that is itself relayed forwards the request one level up. Only the control
 * plane travels this way; taskmanagers exchange records over their own sockets.
 *
 * The relay protocol, on the channel between the requesting process and its parent:
 * - up: `{ weirLaunch: { id, role, args, env } }`, `{ weirKill: { id, signal } }`,
 *   `{ weirToChild: { id, message } }`;
 * - down: `{ weirLaunched: { id, pid } }`, `{ weirFromChild: { id, message } }`,
 *   `{ weirChildExit: { id, code, signal } }`.
 */
import type { ProcessLauncher, WorkerProcess, WorkerRole } from './launcher.ts';
import type { IpcPeer } from './rpc/endpoints.ts';

type Listener = (message: any) => void;
type ExitListener = (code: number | null, signal: string | null) => void;

interface Up {
  weirLaunch?: { id: number; role: WorkerRole; args: string[]; env?: Record<string, string> };
  weirKill?: { id: number; signal?: string };
  weirToChild?: { id: number; message: unknown };
}

interface Down {
  weirLaunched?: { id: number; pid: number };
  weirFromChild?: { id: number; message: unknown };
  weirChildExit?: { id: number; code: number | null; signal: string | null };
}

/** One child started through the parent, as the requesting process sees it. */
class RelayedChild implements WorkerProcess {
  pid = -1;
  private readonly listeners = new Set<Listener>();
  private readonly exitListeners: ExitListener[] = [];
  private exited: [number | null, string | null] | undefined;
  readonly ipc: IpcPeer;

  constructor(
    private readonly id: number,
    private readonly parent: IpcPeer,
  ) {
    this.ipc = {
      send: (message: unknown) => {
        if (this.exited) return false;
        return this.parent.send!({ weirToChild: { id: this.id, message } } satisfies Up);
      },
      on: (_event: 'message', listener: Listener) => this.listeners.add(listener),
      off: (_event: 'message', listener: Listener) => this.listeners.delete(listener),
    };
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (!this.exited) this.parent.send!({ weirKill: { id: this.id, signal } } satisfies Up);
  }

  onExit(listener: ExitListener): void {
    if (this.exited) listener(...this.exited);
    else this.exitListeners.push(listener);
  }

  deliver(message: unknown): void {
    for (const l of this.listeners) l(message);
  }

  exit(code: number | null, signal: string | null): void {
    if (this.exited) return;
    this.exited = [code, signal];
    for (const l of this.exitListeners) l(code, signal);
  }
}

/**
 * A `ProcessLauncher` that asks the parent process to start the process and relays its messages.
 *
 * @example
 * // In a jobmanager started as an Electron utility process:
 * const jobManager = new JobManager(options, new RelayedProcessLauncher(parentChannel()));
 */
export class RelayedProcessLauncher implements ProcessLauncher {
  private nextId = 1;
  private readonly children = new Map<number, RelayedChild>();

  constructor(private readonly parent: IpcPeer) {
    if (!parent.send) throw new Error('RelayedProcessLauncher needs a channel to the parent that can send');
    parent.on('message', (m: Down) => this.onMessage(m));
  }

  launch(role: WorkerRole, args: string[], env?: Record<string, string>): WorkerProcess {
    const id = this.nextId++;
    const child = new RelayedChild(id, this.parent);
    this.children.set(id, child);
    this.parent.send!({ weirLaunch: { id, role, args, ...(env ? { env } : {}) } } satisfies Up);
    return child;
  }

  private onMessage(m: Down): void {
    if (!m || typeof m !== 'object') return;
    if (m.weirFromChild) this.children.get(m.weirFromChild.id)?.deliver(m.weirFromChild.message);
    else if (m.weirLaunched) {
      const child = this.children.get(m.weirLaunched.id);
      if (child) child.pid = m.weirLaunched.pid;
    } else if (m.weirChildExit) {
      const { id, code, signal } = m.weirChildExit;
      this.children.get(id)?.exit(code, signal);
      this.children.delete(id);
    }
  }
}

/**
 * Serves the launch requests of `requester` (a child of this process) with `launcher`, and
 * passes messages between it and the processes started for it. The started processes are
 * killed when the requester exits, so none is orphaned.
 *
 * @example
 * const jm = launcher.launch('jobmanager', [options]);
 * serveLaunchRequests(jm, launcher);
 */
export function serveLaunchRequests(requester: WorkerProcess, launcher: ProcessLauncher): void {
  const started = new Map<number, WorkerProcess>();
  const down = (message: Down) => {
    try {
      requester.ipc.send?.(message);
    } catch {
      // The requester is gone (its channel closed): its exit handler below cleans up.
    }
  };
  const onMessage = (m: Up) => {
    if (!m || typeof m !== 'object') return;
    if (m.weirToChild) {
      started.get(m.weirToChild.id)?.ipc.send?.(m.weirToChild.message);
    } else if (m.weirLaunch) {
      const { id, role, args, env } = m.weirLaunch;
      let child: WorkerProcess;
      try {
        child = launcher.launch(role, args, env);
      } catch (e) {
        // Reported as an exit: the requester's failure handling takes it from there.
        console.error(`weir: could not start a ${role}: ${(e as Error).message}`);
        down({ weirChildExit: { id, code: 1, signal: null } });
        return;
      }
      started.set(id, child);
      down({ weirLaunched: { id, pid: child.pid } });
      child.ipc.on('message', (message) => down({ weirFromChild: { id, message } }));
      child.onExit((code, signal) => {
        started.delete(id);
        down({ weirChildExit: { id, code, signal } });
      });
    } else if (m.weirKill) {
      started.get(m.weirKill.id)?.kill((m.weirKill.signal ?? 'SIGKILL') as NodeJS.Signals);
    }
  };
  requester.ipc.on('message', onMessage);
  requester.onExit(() => {
    requester.ipc.off('message', onMessage);
    for (const child of started.values()) child.kill('SIGKILL');
    started.clear();
  });
}
