import { StreamOperator } from './operator.ts';
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

const POSITION_STATE = 'source-position';

/**
 * The head of a source task: polls its reader and emits into the chain. At the end of input it
 * emits the final watermark (MAX), so that every event-time window downstream fires. In batch
 * mode that is the only watermark there is: as in Flink, watermarks and idleness a reader emits
 * itself are discarded, since all input is there and no record is late.
 */
export class SourceOperator<T> extends StreamOperator<T> {
  private reader!: SourceReader<T>;
  private ended = false;
  private readonly sourceOutput: SourceOutput<T>;

  constructor(private readonly source: Source<T>) {
    super();
    const self = this;
    this.sourceOutput = {
      collect(value: T, timestamp?: number) {
        self.output.collect(value, timestamp ?? NO_TIMESTAMP);
      },
      emitWatermark(watermark: number) {
        if (self.services.mode === 'batch') return;
        self.output.emitWatermark(watermark);
      },
      markIdle(idle: boolean) {
        if (self.services.mode === 'batch') return;
        self.output.emitWatermarkStatus(idle);
      },
    };
  }

  override async open(): Promise<void> {
    this.reader = await this.source.createReader({
      subtask: this.info.subtask,
      parallelism: this.info.parallelism,
      jobId: this.services.jobId,
      now: () => this.services.processingTime.now(),
    });
    const positions = this.operatorState.getListState<unknown>(POSITION_STATE);
    if (positions.length > 1) throw new Error(`Source '${this.info.name}' cannot restore ${positions.length} positions into one reader`);
    if (positions.length === 1) this.reader.restorePosition(positions[0]);
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /**
   * Stop with drain (Flink's `stop --drain`): event time jumps to the end before the final
   * savepoint's barrier, so every event-time window and timer downstream fires into it.
   */
  drain(): void {
    this.output.emitWatermark(MAX_WATERMARK);
  }

  /** Emits up to `max` records; at the end emits the final watermark. */
  emitNext(max: number): PollResult {
    if (this.ended) return 'end';
    const r = this.reader.pollNext(this.sourceOutput, max);
    if (r === 'end') {
      this.ended = true;
      this.output.emitWatermark(MAX_WATERMARK);
    }
    return r;
  }

  processElement(): void {
    throw new Error(`Source '${this.info.name}' has no input`);
  }

  override snapshotState(checkpointId: number) {
    const positions = this.operatorState.getListState<unknown>(POSITION_STATE);
    positions.length = 0;
    positions.push(this.reader.snapshotPosition());
    return super.snapshotState(checkpointId);
  }

  override close(): void {
    super.close();
    void this.reader?.close?.();
  }
}
