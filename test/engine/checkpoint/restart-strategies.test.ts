import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_CHECKPOINTING_RESTART_STRATEGY,
  RestartBackoff,
  RestartStrategies,
  resolveRestartStrategy,
  validateRestartStrategy,
  type RestartDecision,
} from '../../../engine/checkpoint/restart-strategies.ts';
import { InvalidPipelineError } from '../../../engine/runtime/errors.ts';
import type { RestartStrategySpec } from '../../../engine/checkpoint/types.ts';

/** A clock the test moves by hand. */
function manualClock(start = 1_700_000_000_000) {
  const clock = { now: start, advance: (ms: number) => (clock.now += ms) };
  return clock;
}

function delays(decisions: RestartDecision[]): (number | string)[] {
  return decisions.map((d) => (d.restart ? d.delayMs : 'fail'));
}

// ----- specs and validation ---------------------------------------------------------------------

test('the builders return plain data with Flink defaults for omitted exponential options', () => {
  assert.deepStrictEqual(RestartStrategies.fixedDelay(3, 10_000), { kind: 'fixed-delay', attempts: 3, delayMs: 10_000 });
  assert.deepStrictEqual(RestartStrategies.fixedDelayRestart(3, 0), { kind: 'fixed-delay', attempts: 3, delayMs: 0 });
  assert.deepStrictEqual(RestartStrategies.fixedDelay(Infinity, 5), { kind: 'fixed-delay', attempts: Number.MAX_SAFE_INTEGER, delayMs: 5 });
  assert.deepStrictEqual(RestartStrategies.failureRate(3, 60_000, 1000), { kind: 'failure-rate', maxFailures: 3, intervalMs: 60_000, delayMs: 1000 });
  assert.deepStrictEqual(RestartStrategies.exponentialDelay(), {
    kind: 'exponential-delay',
    initialMs: 1000,
    maxMs: 60_000,
    multiplier: 1.5,
    resetThresholdMs: 3_600_000,
    jitter: 0.1,
  });
  assert.deepStrictEqual(RestartStrategies.exponentialDelayRestart({ initialBackoffMs: 10, maxBackoffMs: 100, backoffMultiplier: 2, resetBackoffThresholdMs: 50, jitterFactor: 0 }), {
    kind: 'exponential-delay',
    initialMs: 10,
    maxMs: 100,
    multiplier: 2,
    resetThresholdMs: 50,
    jitter: 0,
  });
  assert.deepStrictEqual(RestartStrategies.noRestart(), { kind: 'none' });
  assert.deepStrictEqual(RestartStrategies.none(), { kind: 'none' });
  // Plain data: survives JSON, as the plan does.
  const spec = RestartStrategies.exponentialDelay({ maxBackoffMs: 5000 });
  assert.deepStrictEqual(JSON.parse(JSON.stringify(spec)), spec);
});

test('validation errors name the bad argument', () => {
  const cases: [() => unknown, RegExp][] = [
    [() => RestartStrategies.fixedDelay(-1, 0), /fixedDelay: attempts must be an integer ≥ 0, got -1/],
    [() => RestartStrategies.fixedDelay(1.5, 0), /attempts must be an integer/],
    [() => RestartStrategies.fixedDelay(3, -5), /fixedDelay: delayMs must be a finite number of ms ≥ 0, got -5/],
    [() => RestartStrategies.fixedDelay(3, NaN), /delayMs .* got NaN/],
    [() => RestartStrategies.failureRate(0, 1000, 0), /failureRate: maxFailuresPerInterval must be an integer ≥ 1, got 0/],
    [() => RestartStrategies.failureRate(1, 0, 0), /failureRate: intervalMs must be a finite number of ms ≥ 1, got 0/],
    [() => RestartStrategies.failureRate(1, 1000, Infinity), /failureRate: delayMs .* got Infinity/],
    [() => RestartStrategies.exponentialDelay({ initialBackoffMs: 0 }), /exponentialDelay: initialBackoffMs must be .* ≥ 1, got 0/],
    [() => RestartStrategies.exponentialDelay({ initialBackoffMs: 120_000 }), /initialBackoffMs \(120000\) must not exceed maxBackoffMs \(60000, the default\)/],
    [() => RestartStrategies.exponentialDelay({ backoffMultiplier: 1 }), /backoffMultiplier must be a number > 1, got 1/],
    [() => RestartStrategies.exponentialDelay({ resetBackoffThresholdMs: 0 }), /resetBackoffThresholdMs must be .* ≥ 1, got 0/],
    [() => RestartStrategies.exponentialDelay({ jitterFactor: 1.5 }), /jitterFactor must be a number in \[0, 1\], got 1.5/],
    [() => RestartStrategies.exponentialDelay({ initialBackof: 5 } as never), /unknown option 'initialBackof'/],
    [() => validateRestartStrategy({ kind: 'fixed' } as never), /unknown restart strategy kind 'fixed'/],
    [() => validateRestartStrategy({ kind: 'fixed-delay', attempts: 2 } as never), /fixed-delay delayMs .* got undefined/],
    [() => validateRestartStrategy(null as never), /expects a restart strategy/],
  ];
  for (const [fn, message] of cases) assert.throws(fn, (e: Error) => e instanceof InvalidPipelineError && message.test(e.message), String(message));
});

test('the default is fixed delay, 1 s, unlimited, with checkpointing; none without', () => {
  assert.deepStrictEqual(resolveRestartStrategy(undefined, { intervalMs: 5000 }), { kind: 'fixed-delay', attempts: Number.MAX_SAFE_INTEGER, delayMs: 1000 });
  assert.deepStrictEqual(resolveRestartStrategy(undefined, { intervalMs: 0 }), { kind: 'none' });
  assert.deepStrictEqual(resolveRestartStrategy(undefined, undefined), { kind: 'none' });
  const set = RestartStrategies.failureRate(2, 1000, 10);
  assert.equal(resolveRestartStrategy(set, { intervalMs: 5000 }), set);
  assert.deepStrictEqual(DEFAULT_CHECKPOINTING_RESTART_STRATEGY, { kind: 'fixed-delay', attempts: Number.MAX_SAFE_INTEGER, delayMs: 1000 });
});

// ----- decisions ------------------------------------------------------------------------------

test('none: the first failure fails the job', () => {
  const b = new RestartBackoff(RestartStrategies.none());
  const d = b.onFailure(0);
  assert.equal(d.restart, false);
  assert.match((d as { reason: string }).reason, /restart strategy is none/);
});

test('fixed delay: `attempts` restarts over the lifetime, never reset by time', () => {
  const clock = manualClock();
  const b = new RestartBackoff(RestartStrategies.fixedDelay(3, 250), { clock: () => clock.now });
  const decisions: RestartDecision[] = [];
  for (let i = 0; i < 3; i++) {
    decisions.push(b.onFailure());
    clock.advance(24 * 3_600_000); // a day of stable running changes nothing
  }
  const last = b.onFailure();
  assert.deepStrictEqual(delays(decisions), [250, 250, 250]);
  assert.equal(last.restart, false);
  assert.match((last as { reason: string }).reason, /all 3 restart attempts are used up/);
  assert.equal(b.restarts, 3);
  assert.equal(b.failures, 4);
  assert.equal(new RestartBackoff(RestartStrategies.fixedDelay(0, 1)).onFailure(0).restart, false);
});

test('failure rate: more than maxFailures failures within the sliding interval fail the job', () => {
  const b = new RestartBackoff(RestartStrategies.failureRate(2, 1000, 50));
  // Two failures within a second restart; the third within the same second fails the job.
  assert.deepStrictEqual(delays([b.onFailure(0), b.onFailure(400)]), [50, 50]);
  const third = b.onFailure(1000);
  assert.equal(third.restart, false);
  assert.match((third as { reason: string }).reason, /3 failures within 1000 ms, more than the 2 allowed per 1000 ms/);

  // The window slides: the oldest failure is more than the interval ago.
  const s = new RestartBackoff(RestartStrategies.failureRate(2, 1000, 50));
  assert.deepStrictEqual(delays([s.onFailure(0), s.onFailure(400), s.onFailure(1001), s.onFailure(1402)]), [50, 50, 50, 50]);
  assert.equal(s.onFailure(2001).restart, false); // 1001, 1402, 2001: three within 1000 ms
  assert.equal(s.restarts, 4);

  // maxFailures 1: two failures in the interval are too many, as Flink's default.
  const one = new RestartBackoff(RestartStrategies.failureRate(1, 60_000, 0));
  assert.equal(one.onFailure(0).restart, true);
  assert.equal(one.onFailure(60_001).restart, true);
  assert.equal(one.onFailure(60_002).restart, false);
});

test('exponential delay: grows by the multiplier, capped at max, without jitter', () => {
  const b = new RestartBackoff(RestartStrategies.exponentialDelay({ initialBackoffMs: 100, maxBackoffMs: 1000, backoffMultiplier: 2, resetBackoffThresholdMs: 10_000, jitterFactor: 0 }));
  const out: RestartDecision[] = [];
  let now = 0;
  for (let i = 0; i < 7; i++) {
    const d = b.onFailure(now);
    out.push(d);
    now += (d as { delayMs: number }).delayMs + 10; // fails 10 ms after each restart
  }
  assert.deepStrictEqual(delays(out), [100, 200, 400, 800, 1000, 1000, 1000]);
});

test('exponential delay: resets after the threshold of stable running since the last restart', () => {
  const b = new RestartBackoff(RestartStrategies.exponentialDelay({ initialBackoffMs: 100, maxBackoffMs: 10_000, backoffMultiplier: 3, resetBackoffThresholdMs: 5000, jitterFactor: 0 }));
  assert.deepStrictEqual(delays([b.onFailure(0), b.onFailure(200), b.onFailure(600)]), [100, 300, 900]);
  // Restart was due at 1500; running until 1500 + 4999 is not long enough...
  assert.deepStrictEqual(delays([b.onFailure(1500 + 4999)]), [2700]);
  // ...but 5000 ms after the restart was due is.
  const due = 1500 + 4999 + 2700;
  assert.deepStrictEqual(delays([b.onFailure(due + 5000), b.onFailure(due + 5000 + 150)]), [100, 300]);
});

test('exponential delay: failures before the pending restart join it (several tasks failing at once)', () => {
  const b = new RestartBackoff(RestartStrategies.exponentialDelay({ initialBackoffMs: 100, maxBackoffMs: 1000, backoffMultiplier: 2, resetBackoffThresholdMs: 10_000, jitterFactor: 0 }));
  assert.deepStrictEqual(delays([b.onFailure(0), b.onFailure(30), b.onFailure(100)]), [100, 70, 0]);
  assert.equal(b.restarts, 1);
  assert.equal(b.failures, 3);
  assert.deepStrictEqual(delays([b.onFailure(101)]), [200]); // the next real failure grows the delay
});

test('exponential delay: jitter is a uniform integer in ±floor(delay × factor), clamped to [initial, max]', () => {
  const spec = RestartStrategies.exponentialDelay({ initialBackoffMs: 1000, maxBackoffMs: 3000, backoffMultiplier: 2, resetBackoffThresholdMs: 60_000, jitterFactor: 0.25 });
  const run = (r: number) => {
    const b = new RestartBackoff(spec, { random: () => r });
    const out: RestartDecision[] = [];
    let now = 0;
    for (let i = 0; i < 3; i++) {
      const d = b.onFailure(now);
      out.push(d);
      now += (d as { delayMs: number }).delayMs + 1;
    }
    return delays(out);
  };
  // Lowest random: -250 on 1000 is clamped up to the initial 1000; -500 on 2000; -1000 on 4000.
  assert.deepStrictEqual(run(0), [1000, 1500, 3000]);
  // Highest random (just below 1): +250, +500; 4000 + 1000 is clamped to max.
  assert.deepStrictEqual(run(0.999999), [1250, 2500, 3000]);
  // Middle: no jitter.
  assert.deepStrictEqual(run(0.5), [1000, 2000, 3000]);
});

test('exponential delay with Flink defaults: 1 s, 1.5 s, 2.25 s, ... capped at 1 min', () => {
  const b = new RestartBackoff(RestartStrategies.exponentialDelay({ jitterFactor: 0 }));
  const out: RestartDecision[] = [];
  let now = 1_700_000_000_000;
  for (let i = 0; i < 12; i++) {
    const d = b.onFailure(now);
    out.push(d);
    now += (d as { delayMs: number }).delayMs + 1;
  }
  assert.deepStrictEqual(delays(out), [1000, 1500, 2250, 3375, 5062, 7593, 11390, 17085, 25628, 38443, 57665, 60000]);
});

test('the clock is used when onFailure gets no time', () => {
  const clock = manualClock(0);
  const b = new RestartBackoff(RestartStrategies.failureRate(1, 100, 5), { clock: () => clock.now });
  assert.equal(b.onFailure().restart, true);
  clock.advance(50);
  assert.equal(b.onFailure().restart, false);
});

test('a hand-written spec is validated by RestartBackoff too', () => {
  const bad = { kind: 'failure-rate', maxFailures: 0, intervalMs: 1, delayMs: 0 } as RestartStrategySpec;
  assert.throws(() => new RestartBackoff(bad), /RestartBackoff: failure-rate maxFailures must be an integer ≥ 1, got 0/);
});
