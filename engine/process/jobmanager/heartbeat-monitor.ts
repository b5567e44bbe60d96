/**
 * How the jobmanager judges that a taskmanager is lost (Flink's `HeartbeatMonitor` with its
 * `heartbeat.interval` and `heartbeat.timeout`), made for one busy machine. A taskmanager answers
 * a heartbeat request on its main thread, between turns of its tasks, so an unanswered request
 * alone proves nothing on a loaded machine: the main thread may be starved, or the jobmanager's
 * own timers and reads late. Two verdicts, on two clocks:
 *
 * - runaway: since the oldest unanswered request was sent, the taskmanager's main thread has
 *   used more than `runawayCpuMs` of CPU (thread-cpu.ts): it is inside one turn of a task that
 *   computes and never returns — a user function in an endless loop. A starved thread uses
 *   little CPU and is never judged so. Seen on two checks in a row, so an answer that arrived
 *   but waits in the jobmanager's own queue is read first.
 * - silent: no answer for `timeoutMs` of the jobmanager's own on-time ticks (Flink's default
 *   heartbeat timeout, 50 s): blocked for ever, or stopped. A check that ran late counts only up
 *   to two intervals, so a jobmanager starved for a minute does not blame its taskmanagers.
 *
 * A process that dies is seen at once by its exit, not by heartbeats.
 */

/** Heartbeat settings of a cluster. */
export interface HeartbeatSettings {
  /** How often the jobmanager checks and sends requests (Flink's `heartbeat.interval`; Weir: 500 ms). */
  intervalMs: number;
  /** Wall time without an answer, counted on the jobmanager's on-time checks, after which a taskmanager is lost. */
  timeoutMs: number;
  /** CPU time the main thread may use without answering (one turn of a task) before it counts as stuck. */
  runawayCpuMs: number;
}

/**
 * Weir's defaults: checks every 500 ms, Flink's 50 s timeout, 3 s of CPU in one turn for a
 * runaway (about as long as a spinning function ran before the 3 s wall-time timeout did).
 */
export const DEFAULT_HEARTBEAT_SETTINGS: HeartbeatSettings = { intervalMs: 500, timeoutMs: 50_000, runawayCpuMs: 3_000 };

/** Why a taskmanager is lost: its main thread spins, or it has been silent too long. */
export interface HeartbeatVerdict {
  kind: 'runaway' | 'silent';
  /** Wall time since the last answer. */
  silentMs: number;
  /** CPU the main thread used since the unanswered request was sent (0: unknown). */
  cpuMs: number;
}

/**
 * The jobmanager's clock for heartbeat checks: how much of the time since the last check counts
 * against taskmanagers. A check that runs late (the jobmanager itself starved) counts as at most
 * two intervals.
 *
 * @example
 * const clock = new HeartbeatClock(500, performance.now());
 * setInterval(() => { const credited = clock.tick(performance.now()); ... }, 500);
 */
export class HeartbeatClock {
  constructor(
    private readonly intervalMs: number,
    private last: number,
  ) {}

  /** Ms since the last tick that count as silence, at most two intervals. */
  tick(now: number): number {
    const elapsed = Math.max(0, now - this.last);
    this.last = now;
    return Math.min(elapsed, 2 * this.intervalMs);
  }
}

/**
 * The heartbeat state of one taskmanager: at most one request outstanding, the main thread's
 * CPU time when it was sent, and the silence counted since.
 *
 * @example
 * const hb = new TaskManagerHeartbeat(DEFAULT_HEARTBEAT_SETTINGS, performance.now());
 * // each check: const verdict = hb.check(credited, cpuNow, now); if (!verdict && hb.idle) { hb.requested(cpuNow); api.heartbeat().then(() => hb.answered(performance.now())); }
 */
export class TaskManagerHeartbeat {
  private outstanding: { cpuAtSend: number | undefined } | undefined;
  private silentMs = 0;
  private suspected = false;

  constructor(
    private readonly settings: HeartbeatSettings,
    private lastAnswerAt: number,
  ) {}

  /** No request is outstanding: the next may be sent. */
  get idle(): boolean {
    return this.outstanding === undefined;
  }

  /** A request was sent when the main thread had used `cpuMs` (undefined: unknown). */
  requested(cpuMs: number | undefined): void {
    this.outstanding = { cpuAtSend: cpuMs };
  }

  /** The outstanding request was answered at `now`. */
  answered(now: number): void {
    this.outstanding = undefined;
    this.silentMs = 0;
    this.suspected = false;
    this.lastAnswerAt = now;
  }

  /**
   * One check: `creditedMs` of silence to add (from `HeartbeatClock`), the main thread's CPU time
   * now (undefined: unknown, then only the timeout judges). A verdict when the taskmanager is lost.
   */
  check(creditedMs: number, cpuMs: number | undefined, now: number): HeartbeatVerdict | undefined {
    if (!this.outstanding) return undefined;
    this.silentMs += creditedMs;
    const wall = now - this.lastAnswerAt;
    const { cpuAtSend } = this.outstanding;
    const spent = cpuMs !== undefined && cpuAtSend !== undefined ? cpuMs - cpuAtSend : 0;
    if (spent > this.settings.runawayCpuMs) {
      if (this.suspected) return { kind: 'runaway', cpuMs: spent, silentMs: wall };
      this.suspected = true;
    } else {
      this.suspected = false;
    }
    if (this.silentMs > this.settings.timeoutMs) return { kind: 'silent', silentMs: wall, cpuMs: spent };
    return undefined;
  }
}
