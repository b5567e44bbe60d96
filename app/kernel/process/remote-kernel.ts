/**
 * The host's handle of a notebook's kernel process (main.ts). It starts the process on
 * the first run, passes runs and interrupts to it, serves its requests (cell events, jobs), and
 * restarts it the way Jupyter restarts a kernel:
 *
 * - when an interrupted cell has not stopped within `interruptGraceMs` (a synchronous loop
 *   never yields to the interrupt), or the kernel does not answer soon after (the cell's module
 *   went on evaluating after the interrupt), the process is killed; the cell shows as
 *   interrupted, with a note saying the kernel was restarted;
 * - when the process ends by itself (`process.exit()` in a cell, out of memory), the running
 *   cell fails saying so.
 *
 * Either way the next run starts a fresh kernel, and a cell then runs the cells it reads from
 * first, since the new kernel has not run them (session.ts plans that).
 */
import * as Comlink from 'comlink';
import { ownedTempDir, releaseTempDir } from '../../../engine/process/temp-dirs.ts';
import type { ProcessLauncher, WorkerProcess } from '../../../engine/process/launcher.ts';
import { ipcEndpoint } from '../../../engine/process/rpc/endpoints.ts';
import type { CellOutput, CellRunStatus, RunRequest } from '../../shared/workbench/protocol.ts';
import type { KernelJobs } from './jobs.ts';
import { KERNEL_CHANNEL, KERNEL_HOST_CHANNEL, type KernelApi, type KernelConfig, type KernelHostApi } from './protocol.ts';
import type { SessionEvents } from './session.ts';

/** What a remote kernel needs from the host. */
export interface RemoteKernelOptions extends Omit<KernelConfig, 'tempRoot'> {
  events: SessionEvents;
  /** Starts the kernel process (role 'kernel'). */
  launcher: ProcessLauncher;
  /** Runs the jobs the kernel's cells start. */
  jobs: KernelJobs;
  /** Cancels the running jobs a cell started. */
  cancelJobsOf(path: string, cellId: string): void;
  /** How long an interrupted cell may take to stop before the kernel is restarted, ms. Default 2000. */
  interruptGraceMs?: number;
  /** The kernel process started, or ended (`crashed` when it ended by itself). */
  onProcess?(event: { started: true } | { started: false; crashed: boolean }): void;
}

/** What a cell says when its kernel has gone. */
const STATE_GONE = 'What earlier cells defined is gone; a cell that reads from them runs them again first.';

/** How long a kernel has to answer after an interrupted cell has ended, ms. */
const ANSWER_WITHIN_MS = 1000;

/** A started kernel process. */
interface Started {
  process: WorkerProcess;
  api: Comlink.Remote<KernelApi>;
  /** Resolves with how the process ended. */
  exited: Promise<string>;
  /** Set when the host ends it, so that its end is not reported as a crash. */
  ending: boolean;
}

/**
 * A notebook kernel in a process of its own.
 *
 * @example
 * const kernel = new RemoteKernel({ path: 'a.ts', file, weirModule, events, launcher, jobs, cancelJobsOf });
 * await kernel.run({ path: 'a.ts', cells, run: 'all' });
 * kernel.interrupt(); // restarts the process if the cell does not stop within 2 s
 */
export class RemoteKernel {
  private kernel: Started | undefined;
  /** The last state the kernel reported of each cell that is queued or running. */
  private readonly active = new Map<string, CellRunStatus>();
  private running: string | undefined;
  private restartTimer: ReturnType<typeof setTimeout> | undefined;
  /** The compiled modules of every kernel this notebook has had (see `KernelConfig.tempRoot`). */
  private tempRoot: string | undefined;

  constructor(private readonly options: RemoteKernelOptions) {}

  /** Queues a run in the kernel; settles when it has ended, or when the kernel has gone. */
  async run(request: RunRequest): Promise<void> {
    const kernel = this.start();
    const gone = kernel.exited.then(() => undefined);
    await Promise.race([kernel.api.run(request), gone]);
  }

  /**
   * Interrupts the kernel: queued cells are dropped, the running cell's jobs are cancelled, and
   * if the cell has not stopped within the grace period the kernel process is restarted.
   */
  interrupt(): void {
    const kernel = this.kernel;
    if (!kernel) return;
    kernel.api.interrupt().catch(() => {});
    const cellId = this.running;
    // The kernel asks for this too, but a kernel stuck in a loop cannot.
    if (cellId !== undefined) this.options.cancelJobsOf(this.options.path, cellId);
    clearTimeout(this.restartTimer);
    const grace = this.options.interruptGraceMs ?? 2000;
    this.restartTimer = setTimeout(() => {
      if (this.kernel !== kernel) return;
      if (cellId !== undefined && this.running === cellId) {
        this.restart(kernel, cellId);
        return;
      }
      // The cell has ended, yet code it left behind (a module still evaluating when the
      // interrupt came, a timer) may hold the kernel: after an interrupt, the kernel must answer.
      let answered = false;
      kernel.api.ready().then(
        () => (answered = true),
        () => {},
      );
      this.restartTimer = setTimeout(() => {
        if (this.kernel === kernel && !answered) this.restart(kernel, cellId);
      }, ANSWER_WITHIN_MS);
      this.restartTimer.unref?.();
    }, grace);
    this.restartTimer.unref?.();
  }

  /** Starts the kernel process now (a restart), rather than on the first run; resolves when it answers. */
  async warmUp(): Promise<void> {
    const kernel = this.start();
    await Promise.race([kernel.api.ready(), kernel.exited]);
  }

  /** Ends the kernel process and deletes the compiled modules of every kernel the notebook has had. */
  async dispose(): Promise<void> {
    clearTimeout(this.restartTimer);
    const kernel = this.kernel;
    this.kernel = undefined;
    if (kernel) {
      kernel.ending = true;
      await Promise.race([kernel.api.dispose().catch(() => {}), kernel.exited, delay(1000)]);
      kernel.process.kill('SIGKILL');
      await Promise.race([kernel.exited, delay(2000)]);
      this.settleActive('interrupted');
    }
    if (this.tempRoot) releaseTempDir(this.tempRoot);
    this.tempRoot = undefined;
  }

  private start(): Started {
    if (this.kernel) return this.kernel;
    const { path, file, weirModule } = this.options;
    this.tempRoot ??= ownedTempDir('weir-kernel');
    const config: KernelConfig = { path, file, weirModule, tempRoot: this.tempRoot };
    const child = this.options.launcher.launch('kernel', [JSON.stringify(config)]);
    const api = Comlink.wrap<KernelApi>(ipcEndpoint(child.ipc, KERNEL_CHANNEL));
    Comlink.expose(this.hostApi(), ipcEndpoint(child.ipc, KERNEL_HOST_CHANNEL));
    const exited = new Promise<string>((resolve) => child.onExit((code, signal) => resolve(signal ? `was killed by ${signal}` : `exited with code ${code}`)));
    const kernel: Started = { process: child, api, exited, ending: false };
    void exited.then((how) => this.ended(kernel, how));
    this.kernel = kernel;
    this.options.onProcess?.({ started: true });
    return kernel;
  }

  /** What the kernel may ask of the host. */
  private hostApi(): KernelHostApi {
    const { events, jobs } = this.options;
    return {
      cellState: (event) => {
        if (event.status === 'queued' || event.status === 'running') this.active.set(event.cellId, event.status);
        else this.active.delete(event.cellId);
        if (event.status === 'running') this.running = event.cellId;
        else if (this.running === event.cellId) this.running = undefined;
        events.cellState(event);
      },
      output: (event) => events.output(event),
      cancelJobsOf: (path, cellId) => this.options.cancelJobsOf(path, cellId),
      submitJob: (request) => jobs.submit(request),
      jobOutcome: (handle) => jobs.outcome(handle),
      jobFigures: (handle) => jobs.figures(handle),
      cancelJob: (handle) => jobs.cancel(handle),
      triggerSavepoint: async (handle) => {
        const client = jobs.client(handle);
        if (!client.triggerSavepoint) throw new Error(`Job '${client.jobName}' cannot take savepoints here`);
        return client.triggerSavepoint();
      },
      stopWithSavepoint: async (handle) => {
        const client = jobs.client(handle);
        if (!client.stopWithSavepoint) throw new Error(`Job '${client.jobName}' cannot stop with a savepoint here`);
        return client.stopWithSavepoint();
      },
      controlReplay: async (handle, name, action) => {
        const client = jobs.client(handle);
        if (!client.controlReplay) throw new Error(`Job '${client.jobName}' cannot control replays here`);
        await client.controlReplay(name, action);
      },
    };
  }

  /** Kills a kernel that did not stop when interrupted; `cellId` is the cell that was running then. */
  private restart(kernel: Started, cellId: string | undefined): void {
    kernel.ending = true;
    kernel.process.kill('SIGKILL');
    if (this.kernel === kernel) this.kernel = undefined;
    const note: CellOutput = {
      kind: 'note',
      text: `The kernel did not stop within ${((this.options.interruptGraceMs ?? 2000) / 1000).toFixed(1)} s of the interrupt, so it was restarted. ${STATE_GONE}`,
    };
    // A cell that still runs shows the note as it ends; one that has already ended, under it.
    if (cellId !== undefined && this.active.get(cellId) !== 'running') this.options.events.output({ path: this.options.path, cellId, output: note });
    this.settleActive('interrupted', note);
  }

  private ended(kernel: Started, how: string): void {
    if (this.kernel === kernel) this.kernel = undefined;
    // A kernel that replaced this one is the one the indicator shows.
    if (this.kernel === undefined) this.options.onProcess?.({ started: false, crashed: !kernel.ending });
    if (kernel.ending) return;
    this.settleActive('failed', {
      kind: 'text',
      stream: 'stderr',
      text: `The notebook's kernel process ${how} while this cell ran. ${STATE_GONE}\n`,
    });
  }

  /** Ends the cells of a kernel that is gone: the running one with `status` (and `output`), queued ones as idle. */
  private settleActive(status: CellRunStatus, output?: CellOutput): void {
    clearTimeout(this.restartTimer);
    const { path, events } = this.options;
    for (const [cellId, state] of this.active) {
      if (state === 'running' && output) events.output({ path, cellId, output });
      events.cellState({ path, cellId, status: state === 'running' ? status : 'idle' });
    }
    this.active.clear();
    this.running = undefined;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref?.());
}
