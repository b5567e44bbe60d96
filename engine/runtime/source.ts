import { StreamOperator, type OperatorSnapshot } from './operator.ts';
import { MAX_WATERMARK, NO_TIMESTAMP } from './elements.ts';

/** Whether a source ends. Batch mode accepts bounded sources only. */
export type Boundedness = 'bounded' | 'unbounded';

/** What a source reader emits into. */
export interface SourceOutput<T> {
  /** Emits a record; `timestamp` is its event time if the source knows it. */
  collect(value: T, timestamp?: number): void;
  /** Emits a watermark from the source itself (sources that know their event time). */
  emitWatermark(watermark: number): void;
  /** Marks this source subtask idle (it will not hold back downstream watermarks) or active. */
  markIdle(idle: boolean): void;
}

/** Result of one poll: more is ready, the reader ended, or a promise resolved when data may be ready. */
export type PollResult = 'more' | 'end' | Promise<void>;

/** Everything a reader is told about where it runs. */
export interface SourceReaderContext {
  readonly subtask: number;
  readonly parallelism: number;
  /** The run of the job the reader belongs to (`TaskServices.jobId`), when the task has one. */
  readonly jobId?: string;
  /** Processing time (ms). */
  now(): number;
}

/**
 * Reads one subtask's share of a source (Flink's `SourceReader`). Pull-based: the task calls
 * `pollNext` when downstream has room, so back-pressure needs nothing from the reader.
 * The position (`snapshotPosition`) must say exactly where to resume after a restore.
 */
export interface SourceReader<T> {
  /** Emits at most `max` records. */
  pollNext(output: SourceOutput<T>, max: number): PollResult;
  /** Where this reader is: restored with `restorePosition` before the first poll. */
  snapshotPosition(): unknown;
  restorePosition(position: unknown): void;
  close?(): void | Promise<void>;
}

/**
 * A source: how to read it in parallel.
 *
 * @example
 * const numbers: Source<number> = {
 *   name: 'numbers', boundedness: 'bounded',
 *   createReader: ({ subtask, parallelism }) => new RangeReader(subtask, parallelism),
 * };
 */
export interface Source<T> {
  readonly name: string;
  readonly boundedness: Boundedness;
  /** When false, the source always runs with parallelism 1 (e.g. a collection). */
  readonly parallel?: boolean;
  /**
   * Its configuration as plain data, shown in the plan and exported in `job.json` (file, query,
   * rate, …). Optional; never functions or secrets.
   *
   * @example
   * describe: () => ({ topic: 'clicks', startingOffsets: 'earliest' })
   */
  describe?(): Record<string, unknown>;
  createReader(context: SourceReaderContext): SourceReader<T> | Promise<SourceReader<T>>;
}

/** Where savepoints written before source splits held one reader position per subtask. */
const LEGACY_POSITION_STATE = 'source-position';
/** The source splits of a subtask with their positions (union state: see `SourceOperator`). */
const SPLIT_STATE = 'source-splits';

/**
 * One split of a source: the share of it that subtask `subtask` of `parallelism` reads when the
 * job starts at that parallelism, and how far that share has been read. A reader created with
 * that subtask and parallelism and restored to `position` continues it exactly, wherever it runs.
 */
export interface SourceSplitState {
  subtask: number;
  parallelism: number;
  position: unknown;
}

/**
 * Told which source split the records that follow come from, so that watermarks can be
 * generated per split (Flink's per-split watermarks): when one subtask reads several splits
 * after a rescale, a split that is ahead in event time must not make another's records late.
 */
export interface SourceSplitListener {
  /** The records that follow come from split `split`. */
  onSplitRecords(split: string): void;
  /** Split `split` has ended: it no longer holds the watermark back. */
  onSplitEnded(split: string): void;
}

/** One reader of a source operator: a split, its reader, and what it last said about time. */
interface SplitReader<T> {
  readonly key: string;
  readonly split: { subtask: number; parallelism: number };
  reader: SourceReader<T>;
  output: SourceOutput<T>;
  watermark: number;
  idle: boolean;
  ended: boolean;
  /** The poll this reader is waiting on; it is not polled again before that settles. */
  waiting: Promise<void> | undefined;
}

/**
 * The head of a source task: polls its readers and emits into the chain. At the end of input it
 * emits the final watermark (MAX), so that every event-time window downstream fires. In batch
 * mode that is the only watermark there is: as in Flink, watermarks and idleness a reader emits
 * itself are discarded, since all input is there and no record is late.
 *
 * A source's state is its splits (as in Flink's FLIP-27 sources): split i of p is what subtask i
 * reads at parallelism p, and its position says how far. A fresh start at parallelism p has one
 * split per subtask. On restore at another parallelism the splits are dealt round robin over the
 * new subtasks (in a canonical order, so every subtask agrees), and each is read by a reader
 * created for the split's own subtask and parallelism: so every source, including user sources
 * that know nothing of rescaling, continues exactly. A subtask left without splits ends at once
 * (bounded sources) or stays idle (unbounded ones).
 */
export class SourceOperator<T> extends StreamOperator<T> {
  private readers: SplitReader<T>[] = [];
  private ended = false;
  private restoredFrom: SourceSplitState[] | undefined;
  private next = 0;
  private lastWatermark = -Infinity;
  private idle = false;
  private failure: { error: unknown } | undefined;
  /** Set when the next operator of the chain generates watermarks per split. */
  splitListener: SourceSplitListener | undefined;

  constructor(private readonly source: Source<T>) {
    super();
  }

  override initializeState(snapshots: OperatorSnapshot[]): void {
    super.initializeState(snapshots);
    if (snapshots.length === 0) return;
    const splits = this.operatorState.getUnionListState<SourceSplitState>(SPLIT_STATE);
    const legacy = this.operatorState.getListState<unknown>(LEGACY_POSITION_STATE);
    if (splits.length > 0) {
      const all = splits.slice().sort((a, b) => a.parallelism - b.parallelism || a.subtask - b.subtask);
      this.restoredFrom = all.filter((_, i) => i % this.info.parallelism === this.info.subtask);
    } else if (legacy.length > 0) {
      // A savepoint written before splits: one position per old subtask, dealt round robin.
      if (legacy.length > 1) {
        throw new Error(
          `Source '${this.info.name}' cannot restore ${legacy.length} positions into one reader: the savepoint was written by an older Weir, ` +
            `which can resume this source only at the parallelism it had`,
        );
      }
      this.restoredFrom = [{ subtask: this.info.subtask, parallelism: this.info.parallelism, position: legacy[0] }];
    } else this.restoredFrom = [];
    splits.length = 0;
    legacy.length = 0;
  }

  override async open(): Promise<void> {
    const splits = this.restoredFrom ?? [{ subtask: this.info.subtask, parallelism: this.info.parallelism, position: undefined }];
    for (const s of splits) {
      const split = { subtask: s.subtask, parallelism: s.parallelism };
      const reader = await this.source.createReader({ ...split, jobId: this.services.jobId, now: () => this.services.processingTime.now() });
      if (s.position !== undefined) reader.restorePosition(s.position);
      const r: SplitReader<T> = {
        key: `${s.subtask}/${s.parallelism}`,
        split,
        reader,
        output: undefined as unknown as SourceOutput<T>,
        watermark: -Infinity,
        idle: false,
        ended: false,
        waiting: undefined,
      };
      r.output = this.outputOf(r);
      this.readers.push(r);
    }
    // Every split holds the watermark back from the start, not only once it has emitted.
    if (this.readers.length > 1) for (const r of this.readers) this.splitListener?.onSplitRecords(r.key);
    if (this.readers.length === 0 && this.source.boundedness === 'unbounded') this.setIdle(true);
  }

  private outputOf(r: SplitReader<T>): SourceOutput<T> {
    const out = this.output;
    return {
      collect: (value: T, timestamp?: number) => out.collect(value, timestamp ?? NO_TIMESTAMP),
      emitWatermark: (watermark: number) => {
        if (this.services.mode === 'batch') return;
        r.watermark = Math.max(r.watermark, watermark);
        this.emitCombinedWatermark();
      },
      markIdle: (idle: boolean) => {
        if (this.services.mode === 'batch') return;
        r.idle = idle;
        this.setIdle(this.readers.every((x) => x.ended || x.idle));
      },
    };
  }

  /** The watermark of the subtask is the least of its live splits' watermarks. */
  private emitCombinedWatermark(): void {
    let wm = Infinity;
    for (const r of this.readers) if (!r.ended) wm = Math.min(wm, r.watermark);
    if (wm === Infinity || wm <= this.lastWatermark) return;
    this.lastWatermark = wm;
    this.output.emitWatermark(wm);
  }

  private setIdle(idle: boolean): void {
    if (idle === this.idle) return;
    this.idle = idle;
    this.output.emitWatermarkStatus(idle);
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /**
   * Stop with drain (Flink's `stop --drain`): event time jumps to the end before the final
   * savepoint's barrier, so every event-time window and timer downstream fires into it.
   */
  drain(): void {
    // Later split watermarks are below it and must not follow it downstream.
    this.lastWatermark = MAX_WATERMARK;
    this.output.emitWatermark(MAX_WATERMARK);
  }

  /**
   * Emits up to `max` records from the next reader that has some (round robin over the splits);
   * at the end of all of them emits the final watermark.
   */
  emitNext(max: number): PollResult {
    if (this.ended) return 'end';
    if (this.failure) throw this.failure.error;
    const readers = this.readers;
    if (readers.length === 0) {
      if (this.source.boundedness === 'bounded') return this.end();
      return new Promise<void>(() => {}); // a subtask without splits of an unbounded source never ends
    }
    for (let tried = 0; tried < readers.length; tried++) {
      const r = readers[this.next]!;
      this.next = (this.next + 1) % readers.length;
      if (r.ended || r.waiting) continue;
      if (readers.length > 1) this.splitListener?.onSplitRecords(r.key);
      const result = r.reader.pollNext(r.output, max);
      if (result === 'more') return 'more';
      if (result === 'end') {
        r.ended = true;
        if (readers.length > 1) this.splitListener?.onSplitEnded(r.key);
        if (readers.every((x) => x.ended)) return this.end();
        this.emitCombinedWatermark();
        return 'more';
      }
      r.waiting = result.then(
        () => {
          r.waiting = undefined;
        },
        (e: unknown) => {
          r.waiting = undefined;
          this.failure ??= { error: e };
        },
      );
    }
    const waits = readers.filter((r) => r.waiting).map((r) => r.waiting!);
    return waits.length ? Promise.race(waits) : 'more';
  }

  private end(): 'end' {
    this.ended = true;
    this.output.emitWatermark(MAX_WATERMARK);
    return 'end';
  }

  processElement(): void {
    throw new Error(`Source '${this.info.name}' has no input`);
  }

  override snapshotState(checkpointId: number) {
    // Ended splits are kept too: a restore must not read them again.
    const splits = this.operatorState.getUnionListState<SourceSplitState>(SPLIT_STATE);
    splits.length = 0;
    for (const r of this.readers) splits.push({ ...r.split, position: r.reader.snapshotPosition() });
    return super.snapshotState(checkpointId);
  }

  override close(): void {
    super.close();
    for (const r of this.readers) void r.reader.close?.();
  }
}
