/**
 * A job's lifecycle as data (Flink's `JobStatus`, with Arroyo's habit of declaring the allowed
 * transitions): every state a job can be in and, per state, where it may go next. The
 * `JobMaster` moves a job only through `JobStateMachine.transition`, so an impossible move (a
 * finished job restarting, a cancelled one finishing) fails loudly where it happens instead of
 * being re-derived later from flags.
 */

import type { JobState } from '../../runtime/job.ts';

export type { JobState };

/** The states a job ends in. */
export type TerminalJobState = 'FINISHED' | 'CANCELED' | 'FAILED';

/**
 * The allowed transitions: state → the states it may move to. Terminal states move nowhere.
 *
 * @example
 * JOB_TRANSITIONS.RUNNING.includes('STOPPING'); // true
 */
export const JOB_TRANSITIONS: Readonly<Record<JobState, readonly JobState[]>> = Object.freeze({
  // A refused restore or a plan that cannot be deployed fails before anything ran; a worker lost
  // while deploying is a failure to restart from.
  CREATED: ['RUNNING', 'RESTARTING', 'CANCELLING', 'FAILED'],
  RUNNING: ['STOPPING', 'CANCELLING', 'RESTARTING', 'FINISHED', 'FAILED'],
  // RESTARTING → RESTARTING: the redeploy itself failed and the strategy allows one more.
  RESTARTING: ['RUNNING', 'RESTARTING', 'CANCELLING', 'FAILED'],
  // → RUNNING: the savepoint failed and the job goes on; → RESTARTING: a task failed meanwhile;
  // → FINISHED: the savepoint was committed and the tasks ended (or the job ended by itself).
  STOPPING: ['RUNNING', 'RESTARTING', 'CANCELLING', 'FINISHED', 'FAILED'],
  CANCELLING: ['CANCELED'],
  FINISHED: [],
  CANCELED: [],
  FAILED: [],
});

/**
 * Whether a job in `state` has ended.
 *
 * @example
 * isTerminal('CANCELED'); // true
 */
export function isTerminal(state: JobState): state is TerminalJobState {
  return JOB_TRANSITIONS[state].length === 0;
}

/** A transition the table does not allow: a bug in whoever asked for it. */
export class IllegalJobTransition extends Error {
  override name = 'IllegalJobTransition';
  constructor(
    readonly job: string,
    readonly from: JobState,
    readonly to: JobState,
  ) {
    super(`Job '${job}' cannot go from ${from} to ${to}${isTerminal(from) ? ` (${from} is final)` : `; from ${from} it may go to ${JOB_TRANSITIONS[from].join(', ')}`}`);
  }
}

/**
 * One job's current state, moved only along `JOB_TRANSITIONS`.
 *
 * @example
 * const state = new JobStateMachine('orders');
 * state.transition('RUNNING');
 * state.transition('CREATED'); // throws IllegalJobTransition: 'cannot go from RUNNING to CREATED'
 */
export class JobStateMachine {
  private current: JobState = 'CREATED';

  constructor(
    /** The job's name, for the error of an illegal transition. */
    readonly job: string,
    /** Called after every transition (status lines, logs). */
    private readonly onTransition?: (from: JobState, to: JobState) => void,
  ) {}

  get state(): JobState {
    return this.current;
  }

  /** Whether the table allows moving to `to` now. */
  can(to: JobState): boolean {
    return JOB_TRANSITIONS[this.current].includes(to);
  }

  /** Moves to `to`; throws `IllegalJobTransition`, naming both states, when the table forbids it. */
  transition(to: JobState): void {
    const from = this.current;
    if (!this.can(to)) throw new IllegalJobTransition(this.job, from, to);
    this.current = to;
    this.onTransition?.(from, to);
  }
}
