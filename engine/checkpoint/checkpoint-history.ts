/**
 * A job's checkpoint history (Flink's `CheckpointStatsHistory` behind the web UI's checkpoint
 * tab), kept for the whole life of a job in a few dozen bytes per checkpoint: every checkpoint
 * since the job started stays listable, but only the newest keep their per-operator detail and
 * their location; older ones are columns of numbers. A job checkpointing every 100 ms takes
 * 36,000 checkpoints an hour, so nothing here may be copied per checkpoint or per poll: entries
 * are updated in place by id, and readers ask for the entries from an id on (`from`).
 */
import type { CheckpointStats, CheckpointStatus } from '../runtime/checkpoint-stats.ts';

/** Entries that keep their per-operator sizes and location (the newest ones), unless told otherwise. */
export const DETAILED_CHECKPOINTS = 20;

const STATUSES: readonly CheckpointStatus[] = ['IN_PROGRESS', 'COMPLETED', 'FAILED'];

/**
 * Settled checkpoints past the detailed ones, as growable columns (about 50 bytes each). A
 * savepoint keeps its location (it belongs to the user and stays restorable); a failed
 * checkpoint keeps its reason, the same text shared between checkpoints that failed alike.
 */
class CompactedCheckpoints {
  length = 0;
  private numbers = new Float64Array(7 * 64);
  private flags = new Uint8Array(64);
  private readonly paths = new Map<number, string>();
  private readonly reasons = new Map<number, string>();
  private readonly reasonTexts = new Map<string, string>();

  push(s: CheckpointStats): void {
    if (this.length === this.flags.length) {
      const numbers = new Float64Array(this.numbers.length * 2);
      numbers.set(this.numbers);
      this.numbers = numbers;
      const flags = new Uint8Array(this.flags.length * 2);
      flags.set(this.flags);
      this.flags = flags;
    }
    this.numbers.set([s.id, s.triggerTime, s.durationMs, s.syncMs, s.asyncMs, s.alignmentMs, s.sizeBytes], this.length * 7);
    this.flags[this.length] = STATUSES.indexOf(s.status) | (s.savepoint ? 4 : 0);
    if (s.savepoint && s.path !== undefined) this.paths.set(s.id, s.path);
    if (s.failureReason !== undefined) {
      const text = this.reasonTexts.get(s.failureReason) ?? s.failureReason;
      this.reasonTexts.set(text, text);
      this.reasons.set(s.id, text);
    }
    this.length++;
  }

  id(i: number): number {
    return this.numbers[i * 7]!;
  }

  /** Entry `i` as a new object. */
  entry(i: number): CheckpointStats {
    const n = this.numbers;
    const at = i * 7;
    const id = n[at]!;
    const s: CheckpointStats = {
      id,
      status: STATUSES[this.flags[i]! & 3]!,
      savepoint: (this.flags[i]! & 4) !== 0,
      triggerTime: n[at + 1]!,
      durationMs: n[at + 2]!,
      syncMs: n[at + 3]!,
      asyncMs: n[at + 4]!,
      alignmentMs: n[at + 5]!,
      sizeBytes: n[at + 6]!,
      operators: [],
    };
    const reason = this.reasons.get(id);
    if (reason !== undefined) s.failureReason = reason;
    const path = this.paths.get(id);
    if (path !== undefined) s.path = path;
    return s;
  }

  /** The index of the first entry with an id ≥ `id` (ids ascend). */
  lowerBound(id: number): number {
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.id(mid) < id) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/**
 * The checkpoints of one job, oldest first, across its restarts.
 *
 * @example
 * const history = new CheckpointHistory();
 * history.record({ id: 1, status: 'IN_PROGRESS', savepoint: false, triggerTime: Date.now(), durationMs: 0, syncMs: 0, asyncMs: 0, alignmentMs: 0, sizeBytes: 0, operators: [] });
 * history.from(1); // [the entry of checkpoint 1], a copy
 */
export class CheckpointHistory {
  private readonly compacted = new CompactedCheckpoints();
  /** The newest entries, with all they hold; more than `detailed` while an older one is pending. */
  private readonly recent: CheckpointStats[] = [];

  /**
   * `detailed`: how many of the newest entries keep their per-operator sizes and location (at
   * least as many as the job keeps restorable, so that each of those can be rewound to).
   */
  constructor(private readonly detailed = DETAILED_CHECKPOINTS) {
    if (!(Number.isInteger(detailed) && detailed >= 0)) throw new Error(`CheckpointHistory: detailed must be an integer ≥ 0, got ${detailed}`);
  }

  /** How many checkpoints it lists. */
  get size(): number {
    return this.compacted.length + this.recent.length;
  }

  /** The highest checkpoint id recorded, 0 when none is. */
  get lastId(): number {
    const last = this.recent.at(-1);
    if (last) return last.id;
    return this.compacted.length > 0 ? this.compacted.id(this.compacted.length - 1) : 0;
  }

  /**
   * Adds a checkpoint, or updates the entry of its id. A recent entry is `stats` itself, not a
   * copy: the coordinator keeps filling it in while the checkpoint is pending and records it
   * again when it changes. An id older than every recent entry is ignored once compacted.
   */
  record(stats: CheckpointStats): void {
    const at = this.recentIndexOf(stats.id);
    if (at >= 0) {
      this.recent[at] = stats;
    } else {
      if (this.recent.length === 0 ? stats.id <= this.lastId : stats.id < this.recent[0]!.id) return;
      // Ids only grow within a job, so a new entry is nearly always the last.
      let i = this.recent.length;
      while (i > 0 && this.recent[i - 1]!.id > stats.id) i--;
      this.recent.splice(i, 0, stats);
    }
    this.compact();
  }

  /** The entry of checkpoint `id`, if it is listed (the live entry while it is recent, else a copy). */
  get(id: number): CheckpointStats | undefined {
    const at = this.recentIndexOf(id);
    if (at >= 0) return this.recent[at];
    const i = this.compacted.lowerBound(id);
    return i < this.compacted.length && this.compacted.id(i) === id ? this.compacted.entry(i) : undefined;
  }

  /** Copies of the entries with ids ≥ `id` (all of them by default), oldest first. */
  from(id = 0): CheckpointStats[] {
    const out: CheckpointStats[] = [];
    for (let i = this.compacted.lowerBound(id); i < this.compacted.length; i++) out.push(this.compacted.entry(i));
    for (const e of this.recent) if (e.id >= id) out.push({ ...e, operators: e.operators.map((o) => ({ ...o })) });
    return out;
  }

  /** How many entries still carry per-operator detail (at most `detailed` once settled; for tests and benches). */
  detailedEntries(): number {
    return this.recent.filter((e) => e.operators.length > 0).length;
  }

  /**
   * Merges entries from another process (the jobmanager's status, a later poll): each replaces
   * the entry of its id; entries not given are kept as they are.
   */
  merge(entries: readonly CheckpointStats[]): void {
    for (const e of entries) this.record(e);
  }

  /** The id from which a reader that holds this history must ask for entries again: the oldest still in progress, else the next. */
  unsettledFrom(): number {
    for (const e of this.recent) if (e.status === 'IN_PROGRESS') return e.id;
    return this.lastId + 1;
  }

  private recentIndexOf(id: number): number {
    for (let i = this.recent.length - 1; i >= 0; i--) {
      const e = this.recent[i]!.id;
      if (e === id) return i;
      if (e < id) return -1;
    }
    return -1;
  }

  /** Entries beyond the detailed ones become columns, oldest first, once they have settled. */
  private compact(): void {
    while (this.recent.length > this.detailed && this.recent[0]!.status !== 'IN_PROGRESS') this.compacted.push(this.recent.shift()!);
  }
}
