/**
 * A job's checkpoint history (Flink's `CheckpointStatsHistory` behind the web UI's checkpoint
 * tab), kept for the whole life of a job without growing more than a few dozen bytes per
 * checkpoint: every checkpoint since the job started stays listable, but only the newest ones
 * keep their per-operator detail. A job checkpointing every 100 ms takes 36,000 checkpoints an
 * hour, so nothing here may be copied per checkpoint or per poll: entries are updated in place
 * by id, and readers ask for the entries from an id on (`from`), not for the whole list.
 */
import type { CheckpointStats } from '../runtime/checkpoint-stats.ts';

/** Entries that keep their per-operator sizes (the newest ones), unless told otherwise. */
export const DETAILED_CHECKPOINTS = 20;

/** What an entry past the detailed ones holds instead of its operators: one shared empty list. */
const NO_OPERATORS: CheckpointStats['operators'] = Object.freeze([]) as unknown as CheckpointStats['operators'];

/**
 * The checkpoints of one job, oldest first, across its restarts.
 *
 * @example
 * const history = new CheckpointHistory();
 * history.record({ id: 1, status: 'IN_PROGRESS', savepoint: false, triggerTime: Date.now(), durationMs: 0, syncMs: 0, asyncMs: 0, alignmentMs: 0, sizeBytes: 0, operators: [] });
 * history.from(1); // [the entry of checkpoint 1], a copy
 */
export class CheckpointHistory {
  private readonly entries: CheckpointStats[] = [];

  /** `detailed`: how many of the newest entries keep their per-operator sizes. */
  constructor(private readonly detailed = DETAILED_CHECKPOINTS) {
    if (!(detailed >= 0)) throw new Error(`CheckpointHistory: detailed must be ≥ 0, got ${detailed}`);
  }

  /** How many checkpoints it lists. */
  get size(): number {
    return this.entries.length;
  }

  /** The highest checkpoint id recorded, 0 when none is. */
  get lastId(): number {
    return this.entries.at(-1)?.id ?? 0;
  }

  /**
   * Adds a checkpoint, or updates the entry of its id. The entry is `stats` itself, not a copy:
   * the coordinator keeps filling it in while the checkpoint is pending and records it again
   * when it changes.
   */
  record(stats: CheckpointStats): void {
    const at = this.indexOf(stats.id);
    if (at >= 0) {
      // A checkpoint that ended after newer ones were triggered is compacted as it ends.
      const old = at < this.entries.length - this.detailed && stats.status !== 'IN_PROGRESS';
      this.entries[at] = old ? { ...stats, operators: NO_OPERATORS } : stats;
      return;
    }
    // Ids only grow within a job, so a new entry is nearly always the last.
    let i = this.entries.length;
    while (i > 0 && this.entries[i - 1]!.id > stats.id) i--;
    this.entries.splice(i, 0, stats);
    this.compact();
  }

  /** The entry of checkpoint `id`, if it is listed (not a copy). */
  get(id: number): CheckpointStats | undefined {
    const at = this.indexOf(id);
    return at >= 0 ? this.entries[at] : undefined;
  }

  /** Copies of the entries with ids ≥ `id` (all of them by default), oldest first. */
  from(id = 0): CheckpointStats[] {
    let i = this.entries.length;
    while (i > 0 && this.entries[i - 1]!.id >= id) i--;
    return this.entries.slice(i).map(copyOf);
  }

  /** How many entries still carry per-operator detail (at most `detailed`, for tests and the soak bench). */
  detailedEntries(): number {
    return this.entries.filter((e) => e.operators !== NO_OPERATORS).length;
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
    for (let i = Math.max(0, this.entries.length - this.detailed - 1); i < this.entries.length; i++) {
      if (this.entries[i]!.status === 'IN_PROGRESS') return this.entries[i]!.id;
    }
    return this.lastId + 1;
  }

  private indexOf(id: number): number {
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const e = this.entries[i]!.id;
      if (e === id) return i;
      if (e < id) return -1;
    }
    return -1;
  }

  /** The entry that just left the detailed ones keeps its totals and drops its per-operator list. */
  private compact(): void {
    const old = this.entries.length - 1 - this.detailed;
    if (old < 0) return;
    const e = this.entries[old]!;
    // A pending checkpoint still gets its detail filled in; it is compacted when it ends.
    if (e.status === 'IN_PROGRESS' || e.operators === NO_OPERATORS) return;
    this.entries[old] = { ...e, operators: NO_OPERATORS };
  }
}

function copyOf(e: CheckpointStats): CheckpointStats {
  return { ...e, operators: e.operators.map((o) => ({ ...o })) };
}
