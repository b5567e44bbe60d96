/**
 * The in-process adapter of `JobDeployer` (Flink's MiniCluster, for one job): each attempt is
 * a `LocalAttempt` whose tasks run in this process's event loop, writing their checkpoint state
 * with the same `writeTaskSnapshot` as a taskmanager does.
 */
import { LocalAttempt, type LocalExecutionOptions } from '../../runtime/local-executor.ts';
import type { JobDefinition } from '../../runtime/job.ts';
import type { OperatorReport } from '../../runtime/host.ts';
import { operatorReports } from '../../runtime/metrics.ts';
import type { Clock } from '../../runtime/processing-time.ts';
import { SourceOperator } from '../../runtime/source.ts';
import { newJobRunId } from '../../runtime/deployment.ts';
import type { CheckpointStorage } from '../storage.ts';
import { loadOperatorSnapshots, writeTaskSnapshot } from '../task-snapshots.ts';
import type { AttemptListener, DeployedAttempt, JobDeployer, RestoreSource } from './job-deployer.ts';
import { checkpointsOf } from './job-master.ts';

/**
 * Deploys a job's attempts in this process.
 *
 * @example
 * const deployer = new LocalDeployer(job, { clock: SYSTEM_CLOCK, storage });
 * const master = new JobMaster(job.graph, deployer, { storage });
 */
export class LocalDeployer implements JobDeployer {
  /** This run's id, the same for all its attempts: its replay readers register under it. */
  readonly jobId: string;
  private current: LocalAttempt | undefined;

  constructor(
    private readonly job: JobDefinition,
    private readonly options: LocalExecutionOptions & { clock: Clock; storage: CheckpointStorage },
  ) {
    this.jobId = newJobRunId(job.graph.name);
  }

  /** Current figures per operator of the running attempt, with rates since the previous call. */
  sampleMetrics(): OperatorReport[] {
    return this.current?.sampleMetrics() ?? operatorReports(this.job.graph, []);
  }

  async deploy(_attempt: number, restore: RestoreSource | undefined, listener: AttemptListener): Promise<DeployedAttempt> {
    const uids = this.job.graph.vertices.map((v) => v.uid);
    const restored = restore ? await loadOperatorSnapshots(restore.storage, restore.checkpoint, uids) : undefined;
    const attempt = new LocalAttempt(this.job, { ...this.options, jobId: this.jobId }, restored ? (uid) => restored.get(uid) ?? [] : undefined, restore?.checks);
    const storage = this.options.storage;
    const tasks = attempt.tasks;
    const finalCheckpoint = checkpointsOf(this.job.graph) !== undefined;
    let inputEnded = 0;
    for (const task of tasks) {
      task.awaitsFinalCheckpoint = finalCheckpoint;
      task.onEndOfInput = () => {
        if (++inputEnded === tasks.length) listener.endOfInput();
      };
      task.onSnapshot = (snap) => {
        const id = snap.barrier.checkpointId;
        writeTaskSnapshot(task.name, snap, storage).then(
          (ack) => listener.acknowledge(ack),
          (e: unknown) => listener.decline(id, `task ${task.name} could not write its state: ${e instanceof Error ? e.message : String(e)}`, true),
        );
      };
    }
    this.current = attempt;
    const done = attempt.run();
    const ended = done.then(() => {});
    return {
      taskCount: tasks.length,
      done,
      triggerCheckpoint: (barrier) => {
        if (barrier.endOfInput) {
          for (const t of tasks) t.triggerCheckpoint(barrier);
          return;
        }
        if (tasks.some((t) => t.isFinished || t.awaitsCheckpointToFinish)) {
          listener.decline(barrier.checkpointId, 'some tasks have finished', false);
          return;
        }
        for (const t of tasks) if (t.operators[0] instanceof SourceOperator) t.triggerCheckpoint(barrier);
      },
      notifyCheckpointComplete: (id) => {
        for (const t of tasks) if (!t.isFinished) t.notifyCheckpointComplete(id);
      },
      mailsDelivered: () => {
        const delivered = tasks.filter((t) => !t.isFinished).map((t) => new Promise<void>((resolve) => t.enqueueMail(resolve)));
        return Promise.race([Promise.all(delivered).then(() => {}), ended]);
      },
      resume: () => {
        for (const t of tasks) t.resume();
      },
      stop: () => attempt.stop(),
    };
  }
}
