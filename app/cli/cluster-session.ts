/**
 * What `weir run` sets up around the jobs it runs, for a notebook and for an exported job
 * alike: the worker-process cluster, what it says about the jobs (job-progress.ts), and what
 * Ctrl+C and SIGTERM do. Workers run in sessions of their own (launcher.ts), so a terminal's
 * Ctrl+C reaches only this process, which decides: the first stops every running job with a
 * savepoint when `--savepoint-dir` is given (Flink's `stop --savepointPath`) and cancels them
 * otherwise; a second cancels at once.
 */
import { rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LocalCluster } from '../../engine/process/cluster-client.ts';
import type { HostDefaults, JobReport } from '../../engine/runtime/host.ts';
import type { JobClient } from '../../engine/runtime/job.ts';
import type { CliContext } from './io.ts';
import { JobProgress } from './job-progress.ts';
import { writeRunReport } from './report.ts';
import { InProcessJobs } from './in-process-jobs.ts';
import { isJobFinishedBeforeStop } from '../../engine/checkpoint/job-master/job-master.ts';
import type { StopResult } from '../../engine/process/cluster-client.ts';
import type { StopOptions } from '../../engine/runtime/job.ts';

/** The flags of `weir run` that shape the session. */
export interface SessionArguments {
  defaults: HostDefaults;
  taskManagers: number;
  slots?: number;
  checkpointDir?: string;
  savepointDir?: string;
  /** `--drain`: a stop by signal first advances event time to the end, so that every window fires. */
  drain?: boolean;
  report?: string;
  /** No status line, even on a terminal. */
  quiet?: boolean;
  /** The arguments after `weir run`, for the command that resumes the run. */
  argv?: string[];
}

/** A running session. */
export interface ClusterSession {
  /** The cluster; undefined with `--taskmanagers 0` (jobs run in this process). */
  readonly cluster: LocalCluster | undefined;
  /** With `--taskmanagers 0`: the jobs running in this process, with file checkpoints (in-process-jobs.ts). */
  readonly inProcess: InProcessJobs | undefined;
  /** Says what happens to the job from now on, and stops or cancels it on a signal; returns it. */
  watch(client: JobClient): JobClient;
  /** Writes a line to stderr without mixing it into the status line. */
  say(text: string): void;
  /**
   * Removes the signal handlers and shuts the cluster down. When a signal is stopping the
   * jobs, it never resolves: the signal handler ends the process once the savepoints are taken.
   */
  close(): Promise<void>;
}

/** Exit codes of a run ended by a signal it did not stop with a savepoint (128 + the signal's number). */
const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

/**
 * Starts a session; `jobs` collects the finished jobs' reports, which a stop by signal writes
 * to `--report` before it exits.
 *
 * @example
 * const session = startClusterSession(args, context, jobs);
 * try { ... } finally { await session.close(); }
 */
export function startClusterSession(args: SessionArguments, context: CliContext, jobs: JobReport[]): ClusterSession {
  const cluster =
    args.taskManagers > 0
      ? new LocalCluster(
          {
            taskManagers: args.taskManagers,
            ...(args.slots ? { slots: args.slots } : {}),
            ...(args.checkpointDir ? { checkpointDir: args.checkpointDir } : {}),
            ...(args.savepointDir ? { savepointDir: args.savepointDir } : {}),
          },
          args.defaults,
        )
      : undefined;
  const inProcess = cluster ? undefined : new InProcessJobs({ ...(args.checkpointDir ? { checkpointDir: args.checkpointDir } : {}), ...(args.savepointDir ? { savepointDir: args.savepointDir } : {}) });
  const progress = new JobProgress({
    write: (text) => context.stderr(text),
    statusLine: !args.quiet && context.terminal === true,
    resumeCommand: (location) => resumeCommand(args.argv ?? [], location),
    ...(context.columns ? { columns: context.columns } : {}),
  });
  if (cluster && !args.checkpointDir) process.once('exit', removeDefaultCheckpointDirIfEmpty);
  const watched = new Set<JobClient>();
  const running = () => [...watched];

  let signals = 0;
  let stopping: Promise<void> | undefined;
  const finish = async (code: number) => {
    progress.dispose();
    if (args.report) await writeRunReport(args.report, { jobs }).catch(() => {});
    await cluster?.shutdown();
    process.exit(code);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals > 1) {
      progress.line(`${signal} again: cancelling at once`);
      for (const client of running()) client.cancel();
      progress.dispose();
      // The workers end with this process (their IPC channel closes).
      process.exit(SIGNAL_EXIT[signal] ?? 1);
    }
    if (args.savepointDir) {
      progress.line(`${signal}: stopping the running jobs with a savepoint (${signal === 'SIGINT' ? 'Ctrl+C' : signal} again cancels at once)`);
      stopping = stopAllWithSavepoint(cluster, running(), args.drain ? { drain: true } : {}).then(async (results) => {
        progress.clearStatus();
        for (const r of results) {
          if (r.path) context.stdout(`savepoint: ${r.path}\n`);
          else if (r.finished) progress.line(`job '${r.job}' finished before it could be stopped: its output is complete, there is nothing to resume`);
          else progress.line(`error: no savepoint for job '${r.job}': ${r.error}`);
        }
        if (results.length === 0) progress.line('no job was running: nothing to take a savepoint of');
        await finish(results.length > 0 && results.every((r) => r.path || r.finished) ? 0 : (SIGNAL_EXIT[signal] ?? 1));
      });
      return;
    }
    const clients = running();
    progress.line(
      `${signal}: cancelling ${clients.length === 0 ? 'the run' : `${clients.length} running job${clients.length === 1 ? '' : 's'}`}${args.savepointDir ? '' : ' (no --savepoint-dir, so no savepoint)'}`,
    );
    for (const client of clients) client.cancel();
    stopping = Promise.all(clients.map((c) => c.result.catch(() => undefined))).then(() => finish(SIGNAL_EXIT[signal] ?? 1));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    cluster,
    inProcess,
    watch(client) {
      watched.add(client);
      const forget = () => watched.delete(client);
      client.result.then(forget, forget);
      progress.watch(client);
      return client;
    },
    say: (text) => progress.line(text),
    async close() {
      if (stopping) await new Promise(() => {}); // the signal handler exits the process
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      progress.dispose();
      await cluster?.shutdown();
    },
  };
}

/**
 * The jobmanager's default checkpoint folder (`weir-checkpoints` in the temp dir) goes when no
 * checkpoint is left in it. Retained checkpoints stay: after a jobmanager loss they are how the
 * run resumes. Other runs may share the folder, so only an empty one is removed.
 */
function removeDefaultCheckpointDirIfEmpty(): void {
  try {
    rmdirSync(path.join(tmpdir(), 'weir-checkpoints'));
  } catch {
    // Not empty, or gone already.
  }
}

/** Stops every running job with a savepoint: through the cluster, or each job's own client. */
function stopAllWithSavepoint(cluster: LocalCluster | undefined, clients: JobClient[], stop: StopOptions): Promise<StopResult[]> {
  if (cluster) return cluster.stopAllWithSavepoint(stop);
  return Promise.all(
    clients.map((c) =>
      c.stopWithSavepoint
        ? c.stopWithSavepoint(stop).then(
            (p) => ({ job: c.jobName, path: p }),
            (e: unknown) => ({ job: c.jobName, error: e instanceof Error ? e.message : String(e), ...(isJobFinishedBeforeStop(e) ? { finished: true } : {}) }),
          )
        : { job: c.jobName, error: 'it runs where savepoints cannot be taken' },
    ),
  );
}

/**
 * The `npx weir run` command that runs the same notebook or job with the same flags, resuming
 * from `location`.
 *
 * @example
 * resumeCommand(['nb.ts', '--from-savepoint', 'old'], '/tmp/cp/chk-3');
 * // "npx weir run nb.ts --from-savepoint /tmp/cp/chk-3"
 */
export function resumeCommand(argv: string[], location: string): string {
  const kept: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--from-savepoint') i++;
    else if (!arg.startsWith('--from-savepoint=')) kept.push(arg);
  }
  return ['npx', 'weir', 'run', ...kept, '--from-savepoint', location].map(shellQuote).join(' ');
}

/** A word as a POSIX shell reads it back unchanged. */
function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
