/**
 * The JobMaster's lifecycle against a scripted deployer (no tasks run): the stop's savepoint
 * barrier carries stop and drain, the tasks end only after its notify-complete was delivered,
 * a failed stop resumes the job, a stop that the job's own end overtakes ends it cleanly, and
 * restarts and cancels move through the state machine.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StreamExecutionEnvironment, RestartStrategies } from '../../../../engine/api/index.ts';
import { JobMaster } from '../../../../engine/checkpoint/job-master/job-master.ts';
import type { AttemptListener, AttemptOutcome, DeployedAttempt, JobDeployer } from '../../../../engine/checkpoint/job-master/job-deployer.ts';
import type { JobState } from '../../../../engine/checkpoint/job-master/job-state.ts';
import { MemoryCheckpointStorage } from '../../../../engine/checkpoint/memory-storage.ts';
import type { BarrierEvent } from '../../../../engine/runtime/elements.ts';
import type { StreamGraphSpec } from '../../../../engine/plan/job-graph.ts';
import { until } from '../../../harness/until.ts';

/** An attempt whose tasks do only what the test tells them. */
class ScriptedAttempt implements DeployedAttempt {
  readonly taskCount = 1;
  readonly barriers: BarrierEvent[] = [];
  readonly log: string[] = [];
  readonly done: Promise<AttemptOutcome>;
  private settle!: (o: AttemptOutcome) => void;
  /** Resolves mailsDelivered() when the test says so. */
  deliver: () => void = () => {};

  constructor(private readonly listener: AttemptListener) {
    this.done = new Promise((resolve) => (this.settle = resolve));
  }
  triggerCheckpoint(barrier: BarrierEvent): void {
    this.barriers.push(barrier);
  }
  notifyCheckpointComplete(id: number): void {
    this.log.push(`notify ${id}`);
  }
  mailsDelivered(): Promise<void> {
    this.log.push('mailsDelivered?');
    return new Promise((resolve) => (this.deliver = () => (this.log.push('delivered'), resolve())));
  }
  resume(): void {
    this.log.push('resume');
  }
  stop(): void {
    this.log.push('stop');
    this.end();
  }
  /** Every task acknowledges the last barrier. */
  acknowledgeLast(): void {
    const b = this.barriers.at(-1)!;
    this.listener.acknowledge({ checkpointId: b.checkpointId, task: 'Source (1/1)', handles: [], syncMs: 0, asyncMs: 0, alignmentMs: 0 });
  }
  declineLast(reason: string): void {
    this.listener.decline(this.barriers.at(-1)!.checkpointId, reason, true);
  }
  end(failure?: unknown): void {
    this.settle({ failure, metrics: [] });
  }
}

class ScriptedDeployer implements JobDeployer {
  readonly attempts: ScriptedAttempt[] = [];
  async deploy(_attempt: number, _restore: unknown, listener: AttemptListener): Promise<DeployedAttempt> {
    const a = new ScriptedAttempt(listener);
    this.attempts.push(a);
    return a;
  }
}

/** A streaming job that checkpoints (rarely: the tests trigger savepoints themselves). */
function graph(configure: (env: StreamExecutionEnvironment) => void = (env) => env.enableCheckpointing(600_000)): StreamGraphSpec {
  const env = StreamExecutionEnvironment.create({ mode: 'streaming' });
  configure(env);
  env.fromCollection([1, 2, 3]).uid('numbers').print();
  return env.buildJob('scripted').graph;
}

function start(g: StreamGraphSpec = graph()) {
  const deployer = new ScriptedDeployer();
  const states: JobState[] = [];
  const master = new JobMaster(g, deployer, { storage: new MemoryCheckpointStorage('scripted'), onStateChange: (_from, to) => states.push(to) });
  const outcome = master.start();
  return { deployer, master, outcome, states };
}

describe('JobMaster', () => {
  it('stop with savepoint: the barrier carries stop and drain; the tasks end only after the notify-complete was delivered; FINISHED', async () => {
    const { deployer, master, outcome, states } = start();
    const attempt = await until('the first attempt', () => deployer.attempts[0]);
    await until('RUNNING', () => (master.state === 'RUNNING' ? true : undefined));
    const stopped = master.stopWithSavepoint({ drain: true });
    assert.equal(master.state, 'STOPPING');
    const barrier = attempt.barriers[0]!;
    assert.deepEqual({ savepoint: barrier.savepoint, stop: barrier.stop, drain: barrier.drain }, { savepoint: true, stop: true, drain: true });
    attempt.acknowledgeLast();
    await until('the notify-complete, then the wait for its delivery', () => (attempt.log.includes('mailsDelivered?') ? true : undefined));
    assert.deepEqual(attempt.log, [`notify ${barrier.checkpointId}`, 'mailsDelivered?'], 'not stopped before the notifications ran');
    attempt.deliver();
    const path = await stopped;
    assert.match(path, /savepoint/);
    const { report } = await outcome;
    assert.deepEqual(attempt.log, [`notify ${barrier.checkpointId}`, 'mailsDelivered?', 'delivered', 'stop']);
    assert.equal(report.status, 'FINISHED');
    assert.deepEqual(states, ['RUNNING', 'STOPPING', 'FINISHED']);
    assert.equal(report.checkpoints.at(-1)?.status, 'COMPLETED');
  });

  it('a periodic checkpoint is no stop: only the savepoint a stop asked for carries the flag', async () => {
    const { deployer, master, outcome } = start();
    const attempt = await until('the first attempt', () => deployer.attempts[0]);
    await until('RUNNING', () => (master.state === 'RUNNING' ? true : undefined));
    const savepoint = master.triggerSavepoint();
    assert.equal(attempt.barriers[0]!.stop, undefined);
    attempt.acknowledgeLast();
    await savepoint;
    assert.equal(master.state, 'RUNNING');
    master.cancel();
    assert.equal((await outcome).report.status, 'CANCELED');
  });

  it('a failed stop resumes the suspended tasks and the job runs on', async () => {
    const { deployer, master, outcome, states } = start();
    const attempt = await until('the first attempt', () => deployer.attempts[0]);
    await until('RUNNING', () => (master.state === 'RUNNING' ? true : undefined));
    const stopped = master.stopWithSavepoint();
    attempt.declineLast('a task could not write its state');
    await assert.rejects(stopped, /a task could not write its state/);
    assert.equal(master.state, 'RUNNING');
    assert.deepEqual(attempt.log, ['resume']);
    attempt.end();
    assert.equal((await outcome).report.status, 'FINISHED');
    assert.deepEqual(states, ['RUNNING', 'STOPPING', 'RUNNING', 'FINISHED']);
  });

  it('a stop overtaken by the end of the job ends it cleanly: FINISHED, and the stop says there was nothing left to stop', async () => {
    const { deployer, master, outcome } = start();
    const attempt = await until('the first attempt', () => deployer.attempts[0]);
    await until('RUNNING', () => (master.state === 'RUNNING' ? true : undefined));
    const stopped = master.stopWithSavepoint();
    attempt.end();
    await assert.rejects(stopped, /Job 'scripted' finished before its final savepoint completed, so there was nothing left to stop/);
    const { report, failure } = await outcome;
    assert.equal(report.status, 'FINISHED');
    assert.equal(failure, undefined);
  });

  it('a failure restarts as the strategy allows (RESTARTING, a new attempt); a cancel while it runs ends CANCELED', async () => {
    const { deployer, master, outcome, states } = start(
      graph((env) => {
        env.enableCheckpointing(600_000);
        env.setRestartStrategy(RestartStrategies.fixedDelay(1, 0));
      }),
    );
    const first = await until('the first attempt', () => deployer.attempts[0]);
    first.end(new Error('boom'));
    await until('the second attempt', () => deployer.attempts[1]);
    await until('RUNNING again', () => (master.state === 'RUNNING' ? true : undefined));
    assert.deepEqual(master.restarts().map((r) => r.cause), ['boom']);
    master.cancel();
    const { report } = await outcome;
    assert.equal(report.status, 'CANCELED');
    assert.equal(report.restarts, 1);
    assert.deepEqual(states, ['RUNNING', 'RESTARTING', 'RUNNING', 'CANCELLING', 'CANCELED']);
  });

  it('a failure the strategy does not restart fails the job with it', async () => {
    const { deployer, outcome, states } = start(graph((env) => {
      env.enableCheckpointing(600_000);
      env.setRestartStrategy(RestartStrategies.none());
    }));
    (await until('the first attempt', () => deployer.attempts[0])).end(new Error('boom'));
    const { report, failure } = await outcome;
    assert.equal(report.status, 'FAILED');
    assert.match(String(failure), /boom/);
    assert.deepEqual(states, ['RUNNING', 'FAILED']);
  });

  it('a job that does not checkpoint cannot be stopped with a savepoint, and says why', async () => {
    const { deployer, master, outcome } = start(graph(() => {}));
    (await until('the first attempt', () => deployer.attempts[0])).end();
    await assert.rejects(master.stopWithSavepoint(), /does not take checkpoints.*enableCheckpointing/);
    assert.equal((await outcome).report.status, 'FINISHED');
  });
});
