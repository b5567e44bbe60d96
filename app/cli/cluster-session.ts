/**
 * What `weir run` sets up around the jobs it runs, for a notebook and for an exported job
 * alike: the worker-process cluster (or, with `--taskmanagers 0`, the jobs run in this process),
 * and with `--savepoint-dir` the signal handlers that stop every running job with a savepoint.
 */
import { LocalCluster } from '../../engine/process/cluster-client.ts';
import type { HostDefaults, JobReport } from '../../engine/runtime/host.ts';
import type { CliContext } from './io.ts';
import { writeRunReport } from './report.ts';
import { InProcessJobs } from './in-process-jobs.ts';

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
}

/** A running session. */
export interface ClusterSession {
  /** The cluster; undefined with `--taskmanagers 0` (jobs run in this process). */
  readonly cluster: LocalCluster | undefined;
  /** With `--taskmanagers 0`: the jobs running in this process, which a signal stops as it stops the cluster's. */
  readonly inProcess: InProcessJobs | undefined;
  /**
   * Removes the signal handlers and shuts the cluster down. When a signal is stopping the
   * jobs, it never resolves: the signal handler ends the process once the savepoints are taken.
   */
  close(): Promise<void>;
}

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
  // With --savepoint-dir, Ctrl+C or SIGTERM stops every running job with a savepoint, prints
  // where, and exits 0. Without it they end the run as usual (the workers end with it).
  let stopping: Promise<void> | undefined;
  const onSignal = () => {
    if (stopping) {
      process.exit(1);
    }
    const stop = args.drain ? { drain: true } : {};
    stopping = (cluster ? cluster.stopAllWithSavepoint(stop) : inProcess!.stopAllWithSavepoint(stop)).then(async (results) => {
      for (const r of results) {
        if (r.path) context.stdout(`savepoint: ${r.path}\n`);
        else if (r.finished) context.stderr(`job '${r.job}' finished before it could be stopped: its output is complete, there is nothing to resume\n`);
        else context.stderr(`error: no savepoint for job '${r.job}': ${r.error}\n`);
      }
      if (args.report) await writeRunReport(args.report, { jobs }).catch(() => {});
      await cluster?.shutdown();
      process.exit(results.every((r) => r.path || r.finished) ? 0 : 1);
    });
  };
  if (args.savepointDir) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  return {
    cluster,
    inProcess,
    async close() {
      if (stopping) await new Promise(() => {}); // the signal handler exits the process
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await cluster?.shutdown();
    },
  };
}
