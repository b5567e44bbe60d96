/**
 * The job state machine: every transition the table allows is taken, every other one — from
 * every state to every state — is refused with an error naming both states.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IllegalJobTransition, isTerminal, JOB_TRANSITIONS, JobStateMachine, type JobState } from '../../../../engine/checkpoint/job-master/job-state.ts';

const STATES = Object.keys(JOB_TRANSITIONS) as JobState[];

/** Allowed steps from CREATED to each state. */
const PATH: Record<JobState, JobState[]> = {
  CREATED: [],
  RUNNING: ['RUNNING'],
  RESTARTING: ['RUNNING', 'RESTARTING'],
  STOPPING: ['RUNNING', 'STOPPING'],
  CANCELLING: ['CANCELLING'],
  FINISHED: ['RUNNING', 'FINISHED'],
  CANCELED: ['CANCELLING', 'CANCELED'],
  FAILED: ['FAILED'],
};

/** A machine in `state`, reached along allowed transitions only. */
function machineIn(state: JobState, onTransition?: (from: JobState, to: JobState) => void): JobStateMachine {
  const m = new JobStateMachine('orders', onTransition);
  for (const s of PATH[state]) m.transition(s);
  assert.equal(m.state, state);
  return m;
}

describe('JobStateMachine', () => {
  it('has the eight states of the lifecycle, and the three ended ones go nowhere', () => {
    assert.deepEqual(STATES.sort(), ['CANCELED', 'CANCELLING', 'CREATED', 'FAILED', 'FINISHED', 'RESTARTING', 'RUNNING', 'STOPPING']);
    assert.deepEqual(STATES.filter(isTerminal).sort(), ['CANCELED', 'FAILED', 'FINISHED']);
  });

  it('takes every allowed transition and tells the listener', () => {
    let taken = 0;
    for (const from of STATES) {
      for (const to of JOB_TRANSITIONS[from]) {
        const seen: string[] = [];
        const m = machineIn(from, (a, b) => seen.push(`${a}->${b}`));
        m.transition(to);
        assert.equal(m.state, to);
        assert.equal(seen.at(-1), `${from}->${to}`);
        taken++;
      }
    }
    assert.equal(taken, STATES.reduce((n, s) => n + JOB_TRANSITIONS[s].length, 0));
  });

  it('refuses every transition the table does not list, naming both states, and stays where it was', () => {
    let refused = 0;
    for (const from of STATES) {
      for (const to of STATES) {
        if (JOB_TRANSITIONS[from].includes(to)) continue;
        const m = machineIn(from);
        assert.equal(m.can(to), false);
        assert.throws(
          () => m.transition(to),
          (e: unknown) => e instanceof IllegalJobTransition && e.from === from && e.to === to && e.message.includes(`from ${from} to ${to}`) && e.message.includes("'orders'"),
          `${from} -> ${to} must be refused`,
        );
        assert.equal(m.state, from);
        refused++;
      }
    }
    // 8 × 8 pairs minus the allowed ones.
    assert.equal(refused, 64 - STATES.reduce((n, s) => n + JOB_TRANSITIONS[s].length, 0));
  });

  it('says where a state may go, or that it is final', () => {
    assert.throws(() => machineIn('FINISHED').transition('RUNNING'), /cannot go from FINISHED to RUNNING \(FINISHED is final\)/);
    assert.throws(() => machineIn('CANCELLING').transition('FINISHED'), /from CANCELLING it may go to CANCELED/);
  });
});
