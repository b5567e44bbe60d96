/**
 * Restart strategies, as in Flink: what the jobmanager does when a job fails. The public API
 * (`RestartStrategies`) builds plain-data specs that travel in the plan; `RestartBackoff` is the
 * decision each failure gets, a pure state machine with an injected clock and random source so
 * that tests can drive it failure by failure.
 */
import { InvalidPipelineError } from '../runtime/errors.ts';
import type { CheckpointConfigSpec, RestartStrategySpec } from './types.ts';

/** Options of `RestartStrategies.exponentialDelay`; omitted fields take Flink's defaults. */
export interface ExponentialDelayOptions {
  /** Delay before the first restart (ms). Default 1000 (Flink's 1 s). */
  initialBackoffMs?: number;
  /** Upper bound of the delay (ms). Default 60000 (Flink's 1 min). */
  maxBackoffMs?: number;
  /** Factor the delay grows by with each restart; > 1. Default 1.5. */
  backoffMultiplier?: number;
  /** After this long without a failure since the last restart, the delay starts over (ms). Default 3600000 (1 h). */
  resetBackoffThresholdMs?: number;
  /** Random spread of each delay as a share of it, in [0, 1]; avoids restarting many jobs at once. Default 0.1. */
  jitterFactor?: number;
}

/** Flink's defaults for `restart-strategy.exponential-delay.*` (Flink 1.19 and later). */
export const EXPONENTIAL_DELAY_DEFAULTS: Required<ExponentialDelayOptions> = {
  initialBackoffMs: 1000,
  maxBackoffMs: 60_000,
  backoffMultiplier: 1.5,
  resetBackoffThresholdMs: 3_600_000,
  jitterFactor: 0.1,
};

/**
 * Flink's restart strategy when checkpointing is on and none was set: fixed delay, 1 s, with
 * Integer.MAX_VALUE attempts, which is effectively unlimited (here Number.MAX_SAFE_INTEGER).
 */
export const DEFAULT_CHECKPOINTING_RESTART_STRATEGY: RestartStrategySpec = { kind: 'fixed-delay', attempts: Number.MAX_SAFE_INTEGER, delayMs: 1000 };

function invalid(where: string, message: string): never {
  throw new InvalidPipelineError(`${where}: ${message}`);
}

function integerAtLeast(where: string, name: string, value: unknown, min: number): number {
  if (value === Infinity && min >= 0) return Number.MAX_SAFE_INTEGER; // "unlimited"
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    invalid(where, `${name} must be an integer ≥ ${min}, got ${String(value)}`);
  }
  return value;
}

function durationAtLeast(where: string, name: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    invalid(where, `${name} must be a finite number of ms ≥ ${min}, got ${String(value)}`);
  }
  return value;
}

/**
 * Builds restart strategies for `env.setRestartStrategy(...)`, with Flink's names and checks.
 * Without one, a job with checkpointing restarts endlessly every second (Flink's default), and a
 * job without checkpointing is not restarted.
 *
 * @example
 * env.enableCheckpointing(5000);
 * env.setRestartStrategy(RestartStrategies.fixedDelay(3, 10_000));
 */
export class RestartStrategies {
  private constructor() {}

  /**
   * Restarts up to `attempts` times in the job's lifetime, waiting `delayMs` before each; the
   * failure after the last attempt fails the job. `attempts` may be Infinity.
   *
   * @example
   * env.setRestartStrategy(RestartStrategies.fixedDelay(3, 10_000)); // 3 restarts, 10 s apart
   */
  static fixedDelay(attempts: number, delayMs: number): RestartStrategySpec {
    const where = 'RestartStrategies.fixedDelay';
    return { kind: 'fixed-delay', attempts: integerAtLeast(where, 'attempts', attempts, 0), delayMs: durationAtLeast(where, 'delayMs', delayMs, 0) };
  }

  /** Flink's Java name of `fixedDelay`. @example RestartStrategies.fixedDelayRestart(3, 10_000) */
  static fixedDelayRestart(attempts: number, delayMs: number): RestartStrategySpec {
    return RestartStrategies.fixedDelay(attempts, delayMs);
  }

  /**
   * Restarts after `delayMs` as long as the job fails at most `maxFailuresPerInterval` times
   * within any `intervalMs`; one failure more within the interval fails the job.
   *
   * @example
   * // Give up when it fails a fourth time within 5 minutes.
   * env.setRestartStrategy(RestartStrategies.failureRate(3, 5 * 60_000, 10_000));
   */
  static failureRate(maxFailuresPerInterval: number, intervalMs: number, delayMs: number): RestartStrategySpec {
    const where = 'RestartStrategies.failureRate';
    return {
      kind: 'failure-rate',
      maxFailures: integerAtLeast(where, 'maxFailuresPerInterval', maxFailuresPerInterval, 1),
      intervalMs: durationAtLeast(where, 'intervalMs', intervalMs, 1),
      delayMs: durationAtLeast(where, 'delayMs', delayMs, 0),
    };
  }

  /** Flink's Java name of `failureRate`. @example RestartStrategies.failureRateRestart(3, 300_000, 10_000) */
  static failureRateRestart(maxFailuresPerInterval: number, intervalMs: number, delayMs: number): RestartStrategySpec {
    return RestartStrategies.failureRate(maxFailuresPerInterval, intervalMs, delayMs);
  }

  /**
   * Restarts endlessly with a delay that starts at `initialBackoffMs` and grows by
   * `backoffMultiplier` with each restart up to `maxBackoffMs`, spread by ±`jitterFactor`. Once
   * the job has run `resetBackoffThresholdMs` without failing since its last restart, the delay
   * starts over. Omitted options take Flink's defaults (1 s, 1 min, 1.5, 1 h, 0.1).
   *
   * @example
   * env.setRestartStrategy(RestartStrategies.exponentialDelay({ initialBackoffMs: 500, maxBackoffMs: 30_000 }));
   */
  static exponentialDelay(options: ExponentialDelayOptions = {}): RestartStrategySpec {
    const where = 'RestartStrategies.exponentialDelay';
    if (typeof options !== 'object' || options === null) invalid(where, `expects an options object, got ${String(options)}`);
    for (const k of Object.keys(options)) {
      if (!(k in EXPONENTIAL_DELAY_DEFAULTS)) invalid(where, `unknown option '${k}' (options: ${Object.keys(EXPONENTIAL_DELAY_DEFAULTS).join(', ')})`);
    }
    const o = { ...EXPONENTIAL_DELAY_DEFAULTS };
    for (const [k, v] of Object.entries(options)) if (v !== undefined) (o as Record<string, unknown>)[k] = v;
    const initialMs = durationAtLeast(where, 'initialBackoffMs', o.initialBackoffMs, 1);
    const maxMs = durationAtLeast(where, 'maxBackoffMs', o.maxBackoffMs, 1);
    if (initialMs > maxMs) {
      const fromDefault = (k: keyof ExponentialDelayOptions) => (options[k] === undefined ? ', the default' : '');
      invalid(where, `initialBackoffMs (${initialMs}${fromDefault('initialBackoffMs')}) must not exceed maxBackoffMs (${maxMs}${fromDefault('maxBackoffMs')})`);
    }
    const multiplier = o.backoffMultiplier;
    if (typeof multiplier !== 'number' || !Number.isFinite(multiplier) || multiplier <= 1) {
      invalid(where, `backoffMultiplier must be a number > 1, got ${String(multiplier)}`);
    }
    const resetThresholdMs = durationAtLeast(where, 'resetBackoffThresholdMs', o.resetBackoffThresholdMs, 1);
    const jitter = o.jitterFactor;
    if (typeof jitter !== 'number' || !(jitter >= 0 && jitter <= 1)) invalid(where, `jitterFactor must be a number in [0, 1], got ${String(jitter)}`);
    return { kind: 'exponential-delay', initialMs, maxMs, multiplier, resetThresholdMs, jitter };
  }

  /** Flink's Java name of `exponentialDelay`. @example RestartStrategies.exponentialDelayRestart({ maxBackoffMs: 10_000 }) */
  static exponentialDelayRestart(options: ExponentialDelayOptions = {}): RestartStrategySpec {
    return RestartStrategies.exponentialDelay(options);
  }

  /**
   * Never restarts: the first failure fails the job.
   *
   * @example
   * env.setRestartStrategy(RestartStrategies.noRestart());
   */
  static noRestart(): RestartStrategySpec {
    return { kind: 'none' };
  }

  /** Alias of `noRestart()`. @example env.setRestartStrategy(RestartStrategies.none()) */
  static none(): RestartStrategySpec {
    return RestartStrategies.noRestart();
  }
}

/**
 * Checks a spec that may have been written by hand (or arrived as JSON) and returns it; throws
 * an InvalidPipelineError naming the bad field.
 *
 * @example
 * validateRestartStrategy({ kind: 'fixed-delay', attempts: 3, delayMs: 1000 });
 */
export function validateRestartStrategy(spec: RestartStrategySpec, where = 'setRestartStrategy'): RestartStrategySpec {
  if (typeof spec !== 'object' || spec === null) invalid(where, `expects a restart strategy (see RestartStrategies), got ${String(spec)}`);
  switch (spec.kind) {
    case 'none':
      return { kind: 'none' };
    case 'fixed-delay':
      integerAtLeast(where, 'fixed-delay attempts', spec.attempts, 0);
      durationAtLeast(where, 'fixed-delay delayMs', spec.delayMs, 0);
      return { kind: 'fixed-delay', attempts: spec.attempts, delayMs: spec.delayMs };
    case 'failure-rate':
      integerAtLeast(where, 'failure-rate maxFailures', spec.maxFailures, 1);
      durationAtLeast(where, 'failure-rate intervalMs', spec.intervalMs, 1);
      durationAtLeast(where, 'failure-rate delayMs', spec.delayMs, 0);
      return { kind: 'failure-rate', maxFailures: spec.maxFailures, intervalMs: spec.intervalMs, delayMs: spec.delayMs };
    case 'exponential-delay':
      return RestartStrategies.exponentialDelay({
        initialBackoffMs: spec.initialMs,
        maxBackoffMs: spec.maxMs,
        backoffMultiplier: spec.multiplier,
        resetBackoffThresholdMs: spec.resetThresholdMs,
        jitterFactor: spec.jitter,
      });
    default:
      return invalid(where, `unknown restart strategy kind '${String((spec as { kind?: unknown }).kind)}' (use RestartStrategies.fixedDelay, failureRate, exponentialDelay or noRestart)`);
  }
}

/**
 * The strategy a job runs with: the one set, else Flink's default — fixed delay (1 s, unlimited
 * attempts) with checkpointing on, no restarts with it off.
 *
 * @example
 * resolveRestartStrategy(undefined, { intervalMs: 5000 }); // { kind: 'fixed-delay', attempts: 9007199254740991, delayMs: 1000 }
 */
export function resolveRestartStrategy(spec: RestartStrategySpec | undefined, checkpointing: Pick<CheckpointConfigSpec, 'intervalMs'> | undefined): RestartStrategySpec {
  if (spec) return spec;
  return checkpointing && checkpointing.intervalMs > 0 ? { ...DEFAULT_CHECKPOINTING_RESTART_STRATEGY } : { kind: 'none' };
}

/** What `RestartBackoff.onFailure` decides. */
export type RestartDecision = { restart: true; delayMs: number } | { restart: false; reason: string };

/** Options of `RestartBackoff`: the clock and random source, injected for tests. */
export interface RestartBackoffOptions {
  /** Epoch or monotonic ms; used when `onFailure` is called without a time. Default Date.now. */
  clock?: () => number;
  /** Uniform in [0, 1), for the exponential strategy's jitter. Default Math.random. */
  random?: () => number;
}

/** Flink's initial "next restart time" of the exponential strategy (Integer.MIN_VALUE). */
const NO_RESTART_YET = -2147483648;

/**
 * Decides, failure by failure, whether a job restarts and after how long, with exactly the
 * semantics of Flink's restart backoff time strategies:
 *
 * - none: never.
 * - fixed-delay: the n-th failure restarts while n ≤ attempts, after `delayMs`. Attempts count
 *   over the whole lifetime of the job; they never reset.
 * - failure-rate: keeps the times of the last maxFailures + 1 failures; the job fails when it
 *   has had more than maxFailures failures and the oldest of those is no more than
 *   `intervalMs` ago (a sliding window). Otherwise it restarts after `delayMs`.
 * - exponential-delay: the k-th restart since the last reset waits
 *   clamp(floor(initial · multiplier^k) ± jitter, initial, max). A failure at or before the time
 *   the pending restart is due joins that restart (it waits for the same moment and does not
 *   grow the delay): failures of several tasks at once are one failure. When the job has run
 *   `resetThresholdMs` since its last restart was due, the delay starts over. Jitter is a
 *   uniform integer in [-j, j] with j = floor(delay · jitter).
 *
 * @example
 * const backoff = new RestartBackoff(RestartStrategies.failureRate(3, 60_000, 1000));
 * const decision = backoff.onFailure();
 * if (decision.restart) setTimeout(restartJob, decision.delayMs); else failJob(decision.reason);
 */
export class RestartBackoff {
  private readonly clock: () => number;
  private readonly random: () => number;
  /** Restarts granted so far (a merged exponential failure is not a new one). */
  restarts = 0;
  /** Failures seen so far. */
  failures = 0;
  private readonly spec: RestartStrategySpec;
  // failure-rate: times of the most recent failures, at most maxFailures + 1.
  private readonly failureTimes: number[] = [];
  // exponential-delay: restarts since the last reset, and when the pending restart is due.
  private attempt = 0;
  private nextRestartAt = NO_RESTART_YET;

  constructor(spec: RestartStrategySpec, options: RestartBackoffOptions = {}) {
    this.spec = validateRestartStrategy(spec, 'RestartBackoff');
    this.clock = options.clock ?? Date.now;
    this.random = options.random ?? Math.random;
  }

  /** The job failed at `now` (default: the clock): restart it, after how long, or give up and why. */
  onFailure(now: number = this.clock()): RestartDecision {
    this.failures++;
    const s = this.spec;
    switch (s.kind) {
      case 'none':
        return { restart: false, reason: 'the restart strategy is none: a failed job is not restarted' };
      case 'fixed-delay':
        if (this.failures > s.attempts) {
          return { restart: false, reason: `fixed-delay restart strategy: all ${s.attempts} restart attempts are used up` };
        }
        this.restarts++;
        return { restart: true, delayMs: s.delayMs };
      case 'failure-rate': {
        const times = this.failureTimes;
        if (times.length > s.maxFailures) times.shift();
        times.push(now);
        if (times.length > s.maxFailures && now - times[0]! <= s.intervalMs) {
          return {
            restart: false,
            reason: `failure-rate restart strategy: ${times.length} failures within ${now - times[0]!} ms, more than the ${s.maxFailures} allowed per ${s.intervalMs} ms`,
          };
        }
        this.restarts++;
        return { restart: true, delayMs: s.delayMs };
      }
      case 'exponential-delay': {
        if (now > this.nextRestartAt) {
          if (now - this.nextRestartAt >= s.resetThresholdMs) this.attempt = 0;
          this.nextRestartAt = now + this.backoff(s);
          this.attempt++;
          this.restarts++;
        }
        return { restart: true, delayMs: Math.max(0, this.nextRestartAt - now) };
      }
    }
  }

  /** The exponential delay of the current attempt, with jitter, clamped to [initial, max]. */
  private backoff(s: Extract<RestartStrategySpec, { kind: 'exponential-delay' }>): number {
    // Capped so that jitter arithmetic stays exact; the result is clamped to max anyway.
    const current = Math.min(Math.floor(s.initialMs * Math.pow(s.multiplier, this.attempt)), Number.MAX_SAFE_INTEGER / 4);
    let jitter = 0;
    if (s.jitter !== 0) {
      const offset = Math.floor(current * s.jitter);
      jitter = -offset + Math.floor(this.random() * (2 * offset + 1));
    }
    return Math.max(s.initialMs, Math.min(current + jitter, s.maxMs));
  }
}
