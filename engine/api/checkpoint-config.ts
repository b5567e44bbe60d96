import { InvalidPipelineError } from '../runtime/errors.ts';
import { DEFAULT_CHECKPOINT_CONFIG, type CheckpointConfigSpec, type CheckpointingMode } from '../checkpoint/types.ts';

/** What happens to retained checkpoints when the job is cancelled (Flink's `ExternalizedCheckpointCleanup`). */
export type ExternalizedCheckpointCleanup = 'RETAIN_ON_CANCELLATION' | 'DELETE_ON_CANCELLATION';

/** Flink's lower bound for the checkpoint interval and timeout (`CheckpointConfig.MINIMAL_CHECKPOINT_TIME`). */
const MINIMAL_CHECKPOINT_TIME_MS = 10;

function invalid(method: string, message: string): never {
  throw new InvalidPipelineError(`CheckpointConfig.${method}: ${message}`);
}

function checkInteger(method: string, what: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) invalid(method, `${what} must be an integer ≥ ${min}, got ${String(value)}`);
  return value;
}

function checkMs(method: string, what: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) invalid(method, `${what} must be a number of ms ≥ ${min}, got ${String(value)}`);
  return value;
}

/**
 * Checkpoint settings of a job (Flink's `CheckpointConfig`), with Flink's names and defaults:
 * off until an interval is set, exactly-once, 10 min timeout, no minimum pause, one checkpoint
 * at a time, one retained, deleted on cancellation, no failed checkpoint tolerated. Setters
 * check their value and throw an InvalidPipelineError naming it; the job's plan carries the
 * result as plain data.
 *
 * @example
 * env.enableCheckpointing(10_000);
 * env.getCheckpointConfig()
 *   .setMinPauseBetweenCheckpoints(5_000)
 *   .setNumRetainedCheckpoints(3)
 *   .setExternalizedCheckpointCleanup('RETAIN_ON_CANCELLATION');
 */
export class CheckpointConfig {
  private spec: CheckpointConfigSpec = { ...DEFAULT_CHECKPOINT_CONFIG };

  /** True once an interval is set (`enableCheckpointing` or `setCheckpointInterval`). @example config.isCheckpointingEnabled() */
  isCheckpointingEnabled(): boolean {
    return this.spec.intervalMs > 0;
  }

  /** Turns checkpointing off again. @example config.disableCheckpointing() */
  disableCheckpointing(): this {
    this.spec.intervalMs = 0;
    return this;
  }

  /**
   * Triggers a checkpoint every `intervalMs` (at least 10 ms, as Flink), which turns
   * checkpointing on.
   *
   * @example config.setCheckpointInterval(60_000)
   */
  setCheckpointInterval(intervalMs: number): this {
    this.spec.intervalMs = checkMs('setCheckpointInterval', 'the interval', intervalMs, MINIMAL_CHECKPOINT_TIME_MS);
    return this;
  }

  /** The interval in ms; 0 when checkpointing is off. @example config.getCheckpointInterval() */
  getCheckpointInterval(): number {
    return this.spec.intervalMs;
  }

  /**
   * 'exactly-once' (default) aligns barriers at tasks with several inputs, so each record is in
   * the state exactly once; 'at-least-once' does not wait, and records may be replayed after a
   * restore.
   *
   * @example config.setCheckpointingMode('at-least-once')
   */
  setCheckpointingMode(mode: CheckpointingMode): this {
    if (mode !== 'exactly-once' && mode !== 'at-least-once') {
      invalid('setCheckpointingMode', `unknown mode '${String(mode)}': use 'exactly-once' or 'at-least-once'`);
    }
    this.spec.mode = mode;
    return this;
  }

  /** @example config.getCheckpointingMode() // 'exactly-once' */
  getCheckpointingMode(): CheckpointingMode {
    return this.spec.mode;
  }

  /** A checkpoint not completed within `timeoutMs` (at least 10 ms) is failed. Default 10 min. @example config.setCheckpointTimeout(120_000) */
  setCheckpointTimeout(timeoutMs: number): this {
    this.spec.timeoutMs = checkMs('setCheckpointTimeout', 'the timeout', timeoutMs, MINIMAL_CHECKPOINT_TIME_MS);
    return this;
  }

  /** @example config.getCheckpointTimeout() // 600000 */
  getCheckpointTimeout(): number {
    return this.spec.timeoutMs;
  }

  /**
   * The least time between the end of one checkpoint and the start of the next, so that a slow
   * checkpoint does not leave the job checkpointing all the time. Default 0.
   *
   * @example config.setMinPauseBetweenCheckpoints(5_000)
   */
  setMinPauseBetweenCheckpoints(minPauseMs: number): this {
    this.spec.minPauseMs = checkMs('setMinPauseBetweenCheckpoints', 'the pause', minPauseMs, 0);
    return this;
  }

  /** @example config.getMinPauseBetweenCheckpoints() */
  getMinPauseBetweenCheckpoints(): number {
    return this.spec.minPauseMs;
  }

  /** How many checkpoints may be in progress at once (at least 1). Default 1. @example config.setMaxConcurrentCheckpoints(2) */
  setMaxConcurrentCheckpoints(maxConcurrent: number): this {
    this.spec.maxConcurrent = checkInteger('setMaxConcurrentCheckpoints', 'the number of concurrent checkpoints', maxConcurrent, 1);
    return this;
  }

  /** @example config.getMaxConcurrentCheckpoints() */
  getMaxConcurrentCheckpoints(): number {
    return this.spec.maxConcurrent;
  }

  /**
   * How many checkpoints in a row may fail before the job fails (and restarts by its restart
   * strategy). Default 0: the first failed checkpoint fails the job, as in Flink.
   *
   * @example config.setTolerableCheckpointFailureNumber(3)
   */
  setTolerableCheckpointFailureNumber(failures: number): this {
    this.spec.tolerableFailures = checkInteger('setTolerableCheckpointFailureNumber', 'the number of tolerable failures', failures, 0);
    return this;
  }

  /** @example config.getTolerableCheckpointFailureNumber() */
  getTolerableCheckpointFailureNumber(): number {
    return this.spec.tolerableFailures;
  }

  /**
   * Whether retained checkpoints survive cancelling the job ('RETAIN_ON_CANCELLATION', so that
   * it can be resumed from them) or are deleted ('DELETE_ON_CANCELLATION', the default).
   *
   * @example config.setExternalizedCheckpointCleanup('RETAIN_ON_CANCELLATION')
   */
  setExternalizedCheckpointCleanup(cleanup: ExternalizedCheckpointCleanup): this {
    if (cleanup !== 'RETAIN_ON_CANCELLATION' && cleanup !== 'DELETE_ON_CANCELLATION') {
      invalid('setExternalizedCheckpointCleanup', `unknown cleanup '${String(cleanup)}': use 'RETAIN_ON_CANCELLATION' or 'DELETE_ON_CANCELLATION'`);
    }
    this.spec.retainOnCancel = cleanup === 'RETAIN_ON_CANCELLATION';
    return this;
  }

  /** @example config.getExternalizedCheckpointCleanup() // 'DELETE_ON_CANCELLATION' */
  getExternalizedCheckpointCleanup(): ExternalizedCheckpointCleanup {
    return this.spec.retainOnCancel ? 'RETAIN_ON_CANCELLATION' : 'DELETE_ON_CANCELLATION';
  }

  /**
   * How many completed checkpoints are kept (Flink's `state.checkpoints.num-retained`, at least
   * 1); older ones are deleted as new ones complete. Default 1.
   *
   * @example config.setNumRetainedCheckpoints(3)
   */
  setNumRetainedCheckpoints(retained: number): this {
    this.spec.retained = checkInteger('setNumRetainedCheckpoints', 'the number of retained checkpoints', retained, 1);
    return this;
  }

  /** @example config.getNumRetainedCheckpoints() */
  getNumRetainedCheckpoints(): number {
    return this.spec.retained;
  }

  /** The settings as plain data, for the plan. @example config.toSpec().intervalMs */
  toSpec(): CheckpointConfigSpec {
    return { ...this.spec };
  }
}
