/**
 * The workbench host: the notebooks of one folder, a kernel per open notebook, the jobs they
 * start and their live charts, served to any number of clients over message links. Electron's
 * utility process and `weir serve` both run one `Workbench`; only the link differs (a
 * MessagePort from main, or a WebSocket).
 *
 * Jobs that notebook cells start run on a cluster of worker processes (workbench-cluster.ts)
 * unless `taskManagers` is 0.
 *
 * The host owns process-wide seams while it runs: the engine's execution host (to learn of
 * jobs), the 'chart' sink factory, `console` (output goes to the cell that wrote it) and the
 * process's uncaught-error handlers (a late failure lands under its cell instead of ending the
 * process).
 */
import { readFileSync, realpathSync, rmSync, unwatchFile, watchFile, type Stats } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { registerSinkFactory } from '../../engine/runtime/connectors.ts';
import { installExecutionHost, type HostDefaults } from '../../engine/runtime/host.ts';
import { FsCheckpointStorage } from '../../engine/process/checkpoint/fs-storage.ts';
import { NodeProcessLauncher, type ProcessLauncher } from '../../engine/process/launcher.ts';
import { ownedTempDir, releaseTempDir } from '../../engine/process/temp-dirs.ts';
import { defaultWeirModule } from '../kernel/weir-module.ts';
import { MAX_MESSAGE_BYTES, type GuardOptions } from '../shared/rpc/call-guard.ts';
import { exposeOnLink, wrapLink, type Remote } from '../shared/rpc/comlink-link.ts';
import type { MessageLink } from '../shared/rpc/endpoint.ts';
import type { DiskVersion, NotebookDocument, NotebookEntry, RunRequest, SaveRequest, SaveResult } from '../shared/workbench/protocol.ts';
import type { CellOutputEvent, CellStateEvent, TypeLibrary, WorkbenchClient, WorkbenchInfo, WorkbenchService } from '../shared/workbench/service.ts';
import { cellContext } from './cell-context.ts';
import { noteToCell, routeProcessToCells } from './cell-seams.ts';
import { documentFromText, textOf } from './documents.ts';
import { JobExports } from './job-exports.ts';
import { JobHistory } from './job-history.ts';
import { JobTracker } from './job-tracker.ts';
import { KernelJobs } from '../kernel/process/jobs.ts';
import { kernelEntry } from '../kernel/process/entry.ts';
import { KernelCuller, DEFAULT_KERNEL_IDLE_MS } from '../kernel/process/culler.ts';
import { KernelSession } from '../kernel/process/session.ts';
import { KernelStatus } from '../kernel/process/status.ts';
import { SavedOutputs } from './saved-outputs.ts';
import { RemoteKernel } from '../kernel/process/remote-kernel.ts';
import { LiveCharts } from './live-charts.ts';
import { WorkbenchCluster } from './workbench-cluster.ts';
import { ChangedOnDiskError, NotebookFiles, versionOf } from './notebook-files.ts';
import { packageRoot, typeLibraries } from './type-libraries.ts';

/** How a workbench is set up. */
export interface WorkbenchOptions {
  /** The folder whose notebooks it serves. */
  root: string;
  shell: WorkbenchInfo['shell'];
  /** The module `import ... from 'weir'` loads (default: the one next to the kernel). */
  weirModule?: string;
  /** How often open files are checked for changes on disk, ms. Default 1000. */
  watchIntervalMs?: number;
  /** How often running jobs' figures are sent, ms. Default 500. */
  jobPollMs?: number;
  /**
   * Where jobs' checkpoints (`checkpoints/`) go. Default: a new directory under the OS temp dir,
   * not beside the notebooks: checkpoints are scratch data of this session (the job panel
   * rewinds to them; they are removed when the workbench closes), can be large, and do not
   * belong in the user's folder, which is often a git repository. Savepoints are the user's:
   * they go to `savepoints/` next to the notebook whose job takes them (only a job no notebook
   * started puts them in `savepoints/` here).
   */
  checkpointDir?: string;
  /**
   * Taskmanager processes that notebook jobs run on (started with the first job, stopped with the
   * workbench); 0 runs jobs in the host process. Default: as many as the machine has cores.
   */
  taskManagers?: number;
  /** How worker processes are started (Electron's utility process asks main). Default: `child_process.fork`. */
  launcher?: ProcessLauncher;
  /** 'parent' when only the launcher's process can start taskmanagers (Electron). */
  launchTaskManagers?: 'fork' | 'parent';
  /**
   * Completed checkpoints each job keeps on disk to rewind to (at least; a job that retains
   * more with `setNumRetainedCheckpoints` keeps its own number). The history lists every
   * checkpoint; only these can be rewound to. Default 10 (`weir serve --rewindable N`).
   */
  rewindable?: number;
  /**
   * How long a taskmanager may miss its heartbeats before its job fails over (Flink's
   * `heartbeat.timeout`). Default 50 s. A function stuck in a loop is found sooner, by the 3 s of
   * CPU it burns without answering; given alone, this also raises that limit.
   */
  heartbeatTimeoutMs?: number;
  /**
   * How long the kernel of a notebook that no client has open may stay idle before it is shut
   * down, ms (`Infinity`: never). Default 10 minutes (`weir serve --kernel-idle-timeout <s>`).
   */
  kernelIdleMs?: number;
}

/** A notebook's kernel, in this process or in one of its own. */
type NotebookKernel = Pick<KernelSession, 'run' | 'interrupt' | 'dispose'> & { warmUp?(): Promise<void> };

/** Completed checkpoints kept per job to rewind to, unless the options say otherwise. */
const REWINDABLE = 10;

/** One connected client: which notebooks it has open, and its event proxy. */
interface Connection {
  client: Remote<WorkbenchClient>;
  open: Set<string>;
}

/** The text of a new notebook. */
const NEW_NOTEBOOK = `// %% [markdown]
// # New notebook

// %%
import { StreamExecutionEnvironment } from 'weir';
`;

/**
 * A running workbench.
 *
 * @example
 * const workbench = await Workbench.start({ root: 'notebooks', shell: 'web' });
 * const detach = workbench.connect(link);   // serve one client
 * await workbench.dispose();
 */
export class Workbench {
  readonly files: NotebookFiles;
  private readonly sessions = new Map<string, NotebookKernel>();
  /** What each notebook's kernel indicator shows; kept after a shutdown (it then says `none`). */
  private readonly kernelStatus = new Map<string, KernelStatus>();
  private readonly culler: KernelCuller;
  /** Each notebook's last outputs, kept in `.weir/<file>.outputs.json` beside it. */
  private readonly savedOutputs: SavedOutputs;
  private readonly connections = new Set<Connection>();
  private readonly jobs: JobTracker;
  private readonly jobPaths = new Map<string, string>();
  private readonly charts: LiveCharts;
  /** Every job's figures and every chart's points, for a page that reloads. */
  private readonly history = new JobHistory();
  /** Where notebook jobs run, unless they run in this process. */
  private readonly cluster: WorkbenchCluster | undefined;
  private readonly exports: JobExports;
  /** The jobs kernel processes hand to this host (with a cluster, every notebook's kernel is a process). */
  private readonly kernelJobs: KernelJobs;
  /** The content hash last read or written by the workbench, per open path. */
  private readonly known = new Map<string, string>();
  private readonly watched = new Map<string, (current: Stats, previous: Stats) => void>();
  private readonly cleanups: (() => void)[] = [];
  private readonly weirModule: string;
  private libraries: Promise<TypeLibrary[]> | undefined;
  /** Where checkpoints and savepoints go; made on the first job that needs it. */
  private checkpointRoot: string | undefined;

  private constructor(private readonly options: WorkbenchOptions) {
    this.files = new NotebookFiles(options.root);
    this.savedOutputs = new SavedOutputs(this.files);
    this.weirModule = options.weirModule ?? defaultWeirModule();
    this.charts = new LiveCharts({
      points: (event) => {
        this.history.chartPoints(event);
        this.emit(event.path, (client) => client.onDidAppendChartPoints(event));
      },
    });
    const taskManagers = options.taskManagers ?? availableParallelism();
    const rewindable = options.rewindable ?? REWINDABLE;
    if (!(Number.isSafeInteger(rewindable) && rewindable >= 1)) throw new Error(`Workbench: rewindable must be an integer of at least 1, got ${rewindable}`);
    if (taskManagers > 0) {
      this.cluster = new WorkbenchCluster({
        taskManagers,
        directory: () => this.checkpointDirectory(),
        savepointDirFor: (notebook) => this.savepointDirectory(notebook),
        minRetained: rewindable,
        charts: this.charts,
        ...(options.launcher ? { launcher: options.launcher } : {}),
        ...(options.launchTaskManagers ? { launchTaskManagers: options.launchTaskManagers } : {}),
        ...(options.heartbeatTimeoutMs ? { heartbeatTimeoutMs: options.heartbeatTimeoutMs } : {}),
      });
    }
    this.jobs = new JobTracker(
      {
        started: (job) => {
          this.jobPaths.set(job.id, job.path);
          this.history.started(job);
          this.emit(job.path, (client) => client.onDidStartJob(job));
        },
        updated: (event) => {
          this.history.updated(event);
          this.emit(this.jobPaths.get(event.jobId) ?? '', (client) => client.onDidUpdateJob(event));
        },
      },
      {
        ...(options.jobPollMs === undefined ? {} : { pollMs: options.jobPollMs }),
        ...(this.cluster ? { cluster: this.cluster } : {}),
        rewindable,
        storageFor: (jobName, notebook) => {
          const root = this.checkpointDirectory();
          const savepointDir = notebook === undefined ? path.join(root, 'savepoints') : this.savepointDirectory(notebook);
          // One directory per job, so that a later run of the same cell never sees this one's checkpoints.
          return new FsCheckpointStorage({ checkpointDir: path.join(root, 'checkpoints'), savepointDir, jobName: `${jobName}-${randomBytes(4).toString('hex')}` });
        },
      },
    );
    this.culler = new KernelCuller({
      idleMs: options.kernelIdleMs ?? DEFAULT_KERNEL_IDLE_MS,
      busy: (notebook) => this.kernelStatus.get(notebook)?.busy ?? false,
      shutdown: (notebook) => this.shutdownKernel(notebook),
    });
    this.kernelJobs = new KernelJobs(this.jobs, (event) => this.output(event));
    this.exports = new JobExports({ files: this.files, weirModule: this.weirModule, weirVersion: weirVersion(), ...(options.launcher ? { launcher: options.launcher } : {}) });
  }

  /**
   * Savepoints belong to the user: they go to `savepoints/` next to the notebook whose job took
   * them, where the user sees them (checkpoints are the session's scratch data, in the temp folder).
   */
  private savepointDirectory(notebook: string): string {
    const dir = path.join(path.dirname(this.files.resolve(notebook)), 'savepoints');
    this.files.assertInsideOnDisk(dir, 'the savepoint directory');
    return dir;
  }

  private checkpointDirectory(): string {
    this.checkpointRoot ??= this.options.checkpointDir ?? ownedTempDir('weir-workbench');
    return this.checkpointRoot;
  }

  /** Starts a workbench: loads the engine and installs the process-wide seams. */
  static async start(options: WorkbenchOptions): Promise<Workbench> {
    const workbench = new Workbench(options);
    await workbench.install();
    return workbench;
  }

  private async install(): Promise<void> {
    // Loading the engine registers its Node connectors, the headless chart sink among them;
    // the workbench's chart sink must be registered after that to win.
    await import(pathToFileURL(this.weirModule).href);
    registerSinkFactory('chart', this.charts.factory);
    this.cleanups.push(
      installExecutionHost({
        headless: false,
        // Cells of every notebook run in this process here: each job's relative paths resolve
        // in the folder of the notebook whose cell defines it.
        defaults: {
          get baseDir() {
            return cellContext.getStore()?.code?.baseDir;
          },
        } as HostDefaults,
        submitJob: (job) => this.jobs.submit(job),
        onJobStarted: (client) => this.jobs.started(client),
        note: noteToCell,
      }),
    );
    this.cleanups.push(routeProcessToCells('weir workbench'));
  }

  /**
   * Serves one client over `link`: exposes the service and sends it events for the notebooks
   * it opens. Returns a function to call when the link has closed.
   */
  connect(link: MessageLink): () => void {
    const connection: Connection = { client: wrapLink<WorkbenchClient>(link), open: new Set() };
    this.connections.add(connection);
    exposeOnLink(this.serviceFor(connection), link, this.guard());
    return () => {
      this.connections.delete(connection);
      for (const notebook of connection.open) this.release(notebook);
      connection.open.clear();
    };
  }

  /**
   * How the service's link is guarded: calls up to `MAX_MESSAGE_BYTES`, and error replies that
   * do not name the install's folders (the package, the `node_modules` it sits in), though they
   * do name the user's files in the served folder, which may lie inside the package (its
   * `notebooks/`).
   */
  private guard(): GuardOptions {
    const installPaths = new Set<string>();
    for (const root of [packageRoot(), path.dirname(this.weirModule)]) {
      for (const dir of [root, tryRealpath(root)]) {
        installPaths.add(dir);
        if (path.basename(path.dirname(dir)) === 'node_modules') installPaths.add(path.dirname(dir));
      }
    }
    const keepPaths = [this.files.root, tryRealpath(this.files.root)].map((dir) => dir + path.sep);
    return { maxBytes: MAX_MESSAGE_BYTES, installPaths: [...installPaths], keepPaths };
  }

  /** Interrupts every kernel, cancels every job and restores the process-wide seams. */
  async dispose(): Promise<void> {
    this.culler.dispose();
    this.jobs.dispose();
    await this.savedOutputs.flushAll();
    this.exports.dispose();
    for (const file of this.watched.keys()) unwatchFile(file);
    this.watched.clear();
    await Promise.all([...this.sessions.values()].map((session) => session.dispose()));
    this.sessions.clear();
    await this.cluster?.shutdown();
    for (const cleanup of this.cleanups.reverse()) cleanup();
    this.cleanups.length = 0;
    // Checkpoints were for rewinding in this session; savepoints belong to the user and stay.
    if (this.checkpointRoot && this.checkpointRoot === this.options.checkpointDir) rmSync(path.join(this.checkpointRoot, 'checkpoints'), { recursive: true, force: true });
    else if (this.checkpointRoot) releaseTempDir(this.checkpointRoot);
  }

  /** The service one connection sees: a frozen object of methods, nothing else reachable. */
  private serviceFor(connection: Connection): WorkbenchService {
    const service: WorkbenchService = {
      describe: async () => ({ folderName: path.basename(this.files.root), version: weirVersion(), shell: this.options.shell }),
      listNotebooks: () => this.files.list(),
      openNotebook: async (notebook) => {
        const document = await this.open(notebook);
        if (!connection.open.has(document.path)) {
          connection.open.add(document.path);
          this.watch(document.path);
        }
        this.culler.opened(document.path);
        const previous = await this.savedOutputs.load(document);
        if (previous.length > 0) document.previousOutputs = previous;
        return document;
      },
      closeNotebook: async (notebook) => {
        if (connection.open.delete(notebook)) this.release(notebook);
      },
      saveNotebook: (request) => this.save(request),
      createNotebook: async (notebook) => {
        const version = await this.files.create(notebook, NEW_NOTEBOOK);
        return documentFromText(this.files.relative(this.files.resolve(notebook)), NEW_NOTEBOOK, version);
      },
      renameNotebook: (from, to) => this.rename(from, to),
      runCells: (request) => this.run(request),
      interrupt: async (notebook) => this.sessions.get(this.canonical(notebook))?.interrupt(),
      clearOutputs: (notebook, cellIds) => this.savedOutputs.clear(this.canonical(notebook), cellIds),
      kernelState: async (notebook) => this.kernelStatus.get(this.canonical(notebook))?.state ?? 'none',
      restartKernel: (notebook) => this.restartKernel(this.canonical(notebook)),
      shutdownKernel: (notebook) => this.shutdownKernel(this.canonical(notebook)),
      stopJob: (jobId) => this.jobs.stop(jobId),
      cancelJob: async (jobId) => this.jobs.cancel(jobId),
      triggerSavepoint: (jobId) => this.jobs.triggerSavepoint(jobId),
      controlReplay: (jobId, name, action) => this.jobs.controlReplay(jobId, name, action),
      planJobs: (notebook) => this.exports.plan(notebook),
      exportJob: (request) => this.exports.export(request),
      typeLibraries: () => (this.libraries ??= typeLibraries()),
      jobHistory: async (notebook) => this.history.snapshot(this.canonical(notebook)),
      taskManagers: async () => (await this.cluster?.taskManagers()) ?? [],
    };
    return Object.freeze(service);
  }

  private canonical(notebook: string): string {
    return this.files.relative(this.files.resolve(notebook));
  }

  private async open(notebook: string): Promise<NotebookDocument> {
    const relative = this.canonical(notebook);
    const { text, version } = await this.files.read(relative);
    this.known.set(relative, version.sha256);
    return documentFromText(relative, text, version);
  }

  private async save(request: SaveRequest): Promise<SaveResult> {
    const relative = this.canonical(request.path);
    const text = textOf(request);
    const previous = this.known.get(relative);
    // Known before the rename lands, so the watcher does not report our own write.
    this.known.set(relative, versionOf(Buffer.from(text, 'utf8'), { mtimeMs: 0, size: 0 }).sha256);
    try {
      const version = await this.files.write(relative, text, request.force ? undefined : request.baseVersion);
      return { ok: true, version };
    } catch (error) {
      if (previous === undefined) this.known.delete(relative);
      else this.known.set(relative, previous);
      if (error instanceof ChangedOnDiskError) return { ok: false, reason: 'changed-on-disk', disk: error.disk };
      throw error;
    }
  }

  private async rename(from: string, to: string): Promise<NotebookEntry> {
    const source = this.canonical(from);
    const entry = await this.files.rename(source, to);
    await this.savedOutputs.renamed(source, entry.path);
    // Clients that have the notebook open follow it to its new name.
    for (const connection of this.connections) {
      if (connection.open.delete(source)) {
        connection.open.add(entry.path);
        this.release(source);
        this.watch(entry.path);
      }
    }
    const session = this.sessions.get(source);
    if (session) {
      this.sessions.delete(source);
      this.kernelStatus.delete(source);
      this.culler.opened(source);
      void session.dispose();
    }
    return entry;
  }

  private async run(request: RunRequest): Promise<void> {
    if (!request.restore) return this.runCells(request);
    // Rewind: the job's cell runs again, and its job starts from the checkpoint.
    const target = await this.jobs.prepareRewind(request.restore);
    if (target.path !== this.canonical(request.path)) throw new Error(`Job ${request.restore.jobId} belongs to ${target.path}, not to ${request.path}`);
    try {
      await this.runCells({ ...request, run: [target.cellId] });
    } finally {
      this.jobs.clearRewind();
    }
  }

  private async runCells(request: RunRequest): Promise<void> {
    const relative = this.canonical(request.path);
    // Checked on disk before a kernel compiles it: a link may lead out of the folder.
    const file = await this.files.resolveOnDisk(relative);
    const session = this.sessionFor(relative, file);
    await this.savedOutputs.ran(relative, request.cells);
    return session.run({ ...request, path: relative });
  }

  /** The notebook's kernel, made (not started: a remote one starts on its first run) when it has none. */
  private sessionFor(relative: string, file: string): NotebookKernel {
    const existing = this.sessions.get(relative);
    if (existing) return existing;
    const where = this.cluster ? 'remote' : 'local';
    const status = new KernelStatus(where, (state) => this.emit(relative, (client) => client.onDidChangeKernelState({ path: relative, state })));
    this.kernelStatus.set(relative, status);
    const options = {
      path: relative,
      file,
      weirModule: this.weirModule,
      events: {
        cellState: (event: CellStateEvent) => {
          status.cellState(event);
          this.savedOutputs.cellState(event);
          if (event.status === 'running' || event.status === 'skipped') this.history.cellCleared(event.path, event.cellId);
          this.emit(relative, (client) => client.onDidChangeCellState(event));
        },
        output: (event: CellOutputEvent) => this.output(event),
      },
      cancelJobsOf: (notebook: string, cellId: string) => this.jobs.cancelJobsOf(notebook, cellId),
    };
    // With worker processes, cells run in a kernel process of their own too: a cell stuck in
    // a loop then freezes only its notebook's kernel, which an interrupt restarts.
    const session = this.cluster
      ? new RemoteKernel({
          ...options,
          launcher: this.kernelLauncher(),
          jobs: this.kernelJobs,
          onProcess: (event) => (event.started ? status.processStarted() : status.processEnded(event.crashed)),
        })
      : new KernelSession(options);
    this.sessions.set(relative, session);
    return session;
  }

  /** Ends a notebook's kernel (its jobs go on); the next run starts a new one. */
  private async shutdownKernel(relative: string): Promise<void> {
    this.culler.opened(relative);
    const session = this.sessions.get(relative);
    if (!session) return;
    this.sessions.delete(relative);
    await session.dispose();
    // An in-process kernel has no process to report its end.
    this.kernelStatus.get(relative)?.processEnded(false);
  }

  /** Ends a notebook's kernel and starts a fresh one. */
  private async restartKernel(relative: string): Promise<void> {
    const file = await this.files.resolveOnDisk(relative);
    await this.shutdownKernel(relative);
    const session = this.sessionFor(relative, file);
    if (session.warmUp) await session.warmUp();
    else this.kernelStatus.get(relative)?.processStarted();
  }

  /** Starts kernel processes: as the cluster's processes are started (Electron's main), else forked. */
  private kernelLauncher(): ProcessLauncher {
    return this.options.launcher ?? new NodeProcessLauncher({ kernel: kernelEntry() });
  }

  /** Output under a cell: to the clients, and a chart into the history too. */
  private output(event: CellOutputEvent): void {
    this.savedOutputs.output(event);
    if (event.output.kind === 'chart') this.history.chartAdded(event.path, event.cellId, event.output.chart);
    this.emit(event.path, (client) => client.onDidWriteOutput(event));
  }

  /** Sends an event to every client that has `notebook` open; a closed link just drops it. */
  private emit(notebook: string, send: (client: Remote<WorkbenchClient>) => Promise<unknown>): void {
    for (const connection of this.connections) {
      if (connection.open.has(notebook)) send(connection.client).catch(() => {});
    }
  }

  private watch(relative: string): void {
    const file = this.files.resolve(relative);
    if (this.watched.has(file)) return;
    const listener = (current: Stats, previous: Stats): void => {
      if (current.mtimeMs === previous.mtimeMs && current.size === previous.size) return;
      if (current.nlink === 0 && current.mtimeMs === 0) {
        this.emit(relative, (client) => client.onDidChangeNotebookOnDisk({ path: relative, version: { mtimeMs: 0, size: 0, sha256: '' }, deleted: true }));
        return;
      }
      void this.files.version(relative).then((version?: DiskVersion) => {
        if (!version || version.sha256 === this.known.get(relative)) return;
        this.known.set(relative, version.sha256);
        this.emit(relative, (client) => client.onDidChangeNotebookOnDisk({ path: relative, version }));
      }, () => {});
    };
    this.watched.set(file, listener);
    watchFile(file, { interval: this.options.watchIntervalMs ?? 1000, persistent: false }, listener);
  }

  /** Stops watching a notebook no client has open any more. */
  private release(relative: string): void {
    for (const connection of this.connections) if (connection.open.has(relative)) return;
    if (this.sessions.has(relative)) this.culler.closed(relative);
    const file = this.files.resolve(relative);
    const listener = this.watched.get(file);
    if (listener) unwatchFile(file, listener);
    this.watched.delete(file);
  }
}

/** The real path of `dir`, or `dir` itself when it cannot be resolved. */
function tryRealpath(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    return dir;
  }
}

let version: string | undefined;
function weirVersion(): string {
  try {
    version ??= (JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    version = 'unknown';
  }
  return version;
}
