/**
 * The workbench's Plan and Export actions. Each runs as one task in a child process
 * (app/kernel/export-worker.ts), the same code `weir plan` and `weir export` run: finding a
 * notebook's jobs evaluates its cells with a process-wide execution host and a silenced console,
 * which must not capture the jobs or the output of notebooks the workbench runs meanwhile. A
 * task that does not answer within `timeoutMs` is killed, and `dispose()` kills running ones,
 * so no worker outlives the workbench.
 */
import { fork, type Serializable } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProcessLauncher } from '../../engine/process/launcher.ts';
import type { ExportTask, ExportTaskReply } from '../kernel/export-task.ts';
import type { ExportRequest, ExportResult, NotebookPlan } from '../shared/workbench/protocol.ts';
import { jobPlanOf } from './job-plans.ts';
import type { NotebookFiles } from './notebook-files.ts';
import { realPathEscape } from './real-path.ts';

/** What the actions need. */
export interface JobExportsOptions {
  files: NotebookFiles;
  /** The engine module the notebook's cells import as 'weir'. */
  weirModule: string;
  weirVersion: string;
  /** How long one task may take before its process is killed, ms (default 120 s). */
  timeoutMs?: number;
  /** The directory the shown `weir run` command is relative to (default: this process's cwd). */
  cwd?: string;
  /** Starts the task processes (Electron: main starts utility processes); default: `child_process.fork`. */
  launcher?: ProcessLauncher;
}

const DEFAULT_TIMEOUT_MS = 120_000;

/**
 * Plan and Export for the notebooks of one folder.
 *
 * @example
 * const exports = new JobExports({ files, weirModule, weirVersion: '0.1.0' });
 * const plan = await exports.plan('fraud-alerts.ts');
 * const result = await exports.export({ path: 'fraud-alerts.ts', out: 'export/fraud-alerts' });
 */
export class JobExports {
  private readonly running = new Set<ExportWorker>();

  constructor(private readonly options: JobExportsOptions) {}

  /** The plans of the saved notebook's jobs. */
  async plan(notebook: string): Promise<NotebookPlan> {
    const file = await this.options.files.resolveOnDisk(notebook);
    const reply = await this.perform({ kind: 'plan', notebook: file, weirModule: this.options.weirModule, weirVersion: this.options.weirVersion });
    if (!reply.ok) throw new Error(`cannot find the jobs of ${notebook}: ${reply.message}`);
    if (reply.kind !== 'plan') throw new Error('the export worker answered a plan request with an export');
    const result: NotebookPlan = { path: this.options.files.relative(file), jobs: reply.plans.map(jobPlanOf) };
    if (reply.error) result.error = reply.error;
    return result;
  }

  /** Exports a job of the saved notebook; rejects when `out` is not a directory inside the folder. */
  async export(request: ExportRequest): Promise<ExportResult> {
    const file = await this.options.files.resolveOnDisk(request.path);
    const out = resolveExportDir(this.options.files.root, request.out);
    const task: ExportTask = { kind: 'export', notebook: file, out, weirModule: this.options.weirModule, weirVersion: this.options.weirVersion };
    if (request.job !== undefined && request.job !== '') task.job = request.job;
    const reply = await this.perform(task);
    if (!reply.ok) return reply.jobs ? { ok: false, message: reply.message, jobs: reply.jobs } : { ok: false, message: reply.message };
    if (reply.kind !== 'export') throw new Error('the export worker answered an export request with a plan');
    const shown = displayPath(out, this.options.cwd ?? process.cwd());
    return {
      ok: true,
      job: reply.job,
      dir: this.options.files.relative(out),
      files: reply.files.map((f) => this.options.files.relative(f)),
      command: `npx weir run ${/[^\w./@:=+-]/.test(shown) ? `'${shown.replace(/'/g, `'\\''`)}'` : shown}`,
    };
  }

  /** Kills the tasks still running. */
  dispose(): void {
    for (const worker of this.running) worker.kill();
    this.running.clear();
  }

  private perform(task: ExportTask): Promise<ExportTaskReply> {
    return new Promise((resolve, reject) => {
      const worker = this.startWorker();
      this.running.add(worker);
      let settled = false;
      const settle = (outcome: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        outcome();
      };
      const timeoutMs = this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      const timer = setTimeout(() => {
        settle(() => reject(new Error(`finding the notebook's jobs took longer than ${Math.round(timeoutMs / 1000)} s; stopped`)));
        worker.kill();
      }, timeoutMs);
      worker.onMessage((message: unknown) => {
        const reply = (message as { reply?: ExportTaskReply } | null)?.reply;
        if (!reply) return;
        settle(() => resolve(reply));
        // One task per process; the cells it evaluated may have left timers behind.
        worker.kill();
      });
      worker.onExit((how) => {
        this.running.delete(worker);
        const stderr = worker.stderr();
        settle(() => reject(new Error(`the export process ended (${how}) before answering${stderr.trim() ? `: ${lastLines(stderr)}` : ''}`)));
      });
      worker.send({ task });
    });
  }

  /**
   * A process for one task: forked from this one under Node; in the desktop app, an Electron
   * utility process started by main through `launcher` (so the app binary never runs as plain
   * Node, and its RunAsNode fuse stays off).
   */
  private startWorker(): ExportWorker {
    const launcher = this.options.launcher;
    if (launcher) {
      const child = launcher.launch('export-worker', []);
      return {
        send: (message) => void child.ipc.send?.(message),
        onMessage: (listener) => void child.ipc.on('message', listener),
        onExit: (listener) => child.onExit((code, signal) => listener(signal ?? `exit code ${code}`)),
        kill: () => child.kill('SIGKILL'),
        stderr: () => '',
      };
    }
    const child = fork(exportWorkerEntry(), [], { execArgv: process.execArgv, stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'json' });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      if (stderr.length < 4000) stderr += chunk.toString();
    });
    // A send to a process that just died fails asynchronously; the exit listener reports it.
    child.on('error', () => {});
    return {
      send: (message) => void child.send(message as Serializable),
      onMessage: (listener) => void child.on('message', listener),
      onExit: (listener) => void child.on('exit', (code, signal) => listener(signal ?? `exit code ${code}`)),
      kill: () => void child.kill('SIGKILL'),
      stderr: () => stderr,
    };
  }
}

/** One export task's process, however it was started. */
interface ExportWorker {
  send(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  /** Called once when it ends, with how ('exit code 1', 'SIGKILL'). */
  onExit(listener: (how: string) => void): void;
  kill(): void;
  /** What it wrote to stderr (the first 4000 characters), when that can be read. */
  stderr(): string;
}

/**
 * The absolute directory an export writes, given relative to the folder `root`. Throws, naming
 * the path, when it is empty, absolute, the folder itself, outside it (also through a symbolic
 * link), or an existing file.
 *
 * @example
 * resolveExportDir('/home/me/notebooks', 'export/fraud-alerts'); // '/home/me/notebooks/export/fraud-alerts'
 * resolveExportDir('/home/me/notebooks', '../elsewhere');       // throws
 */
export function resolveExportDir(root: string, relative: string): string {
  if (typeof relative !== 'string' || relative.trim() === '' || relative.includes('\0')) throw new Error('the export directory is required (a path inside the folder, e.g. export/my-job)');
  const normalised = relative.trim().replace(/\\/g, '/');
  const outside = (): never => {
    throw new Error(`the export directory must be inside the folder: ${relative}`);
  };
  if (normalised.startsWith('/') || /^[A-Za-z]:/.test(normalised)) outside();
  const base = path.resolve(root);
  const full = path.resolve(base, normalised);
  const inside = path.relative(base, full);
  if (inside === '') throw new Error(`the export directory must be a folder below the served folder, not the folder itself: ${relative}`);
  if (inside.startsWith('..') || path.isAbsolute(inside)) outside();
  // A symbolic link inside the folder may point out of it, or nowhere.
  const escape = realPathEscape(base, full);
  if (escape) throw new Error(`the export directory must be inside the folder: ${relative} (a symbolic link ${escape})`);
  if (existsSync(full)) {
    if (!statSync(full).isDirectory()) throw new Error(`the export directory exists and is not a directory: ${relative}`);
    // Overwrite an earlier export, never the user's other files (a README.md beside notebooks).
    const entries = readdirSync(full);
    if (entries.length > 0 && !existsSync(path.join(full, 'job.json'))) {
      throw new Error(`the export directory holds other files and no earlier export (no job.json): ${relative}; choose a new or empty directory`);
    }
    // The export writes its files through whatever stands at their names.
    for (const entry of entries) {
      const entryEscape = realPathEscape(base, path.join(full, entry));
      if (entryEscape) throw new Error(`the export directory holds ${entry}, a symbolic link that ${entryEscape === 'leads nowhere' ? 'leads nowhere' : 'leads out of the folder'}: ${relative}`);
    }
  }
  return full;
}

/** The worker's module: next to the kernel sources, or `export-worker.mjs` in dist/. */
function exportWorkerEntry(from = import.meta.url): string {
  const here = fileURLToPath(from);
  if (here.endsWith('.ts')) return path.join(path.dirname(here), '..', 'kernel', 'export-worker.ts');
  for (const dir of [path.dirname(here), path.dirname(path.dirname(here))]) {
    const candidate = path.join(dir, 'export-worker.mjs');
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`cannot find export-worker.mjs near ${here}; rebuild with 'npm run build'`);
}

function displayPath(file: string, cwd: string): string {
  const relative = path.relative(cwd, file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-3).join(' | ');
}
