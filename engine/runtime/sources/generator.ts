import { platform } from '../platform.ts';
import type { PollResult, Source, SourceOutput, SourceReader, SourceReaderContext } from '../source.ts';

/** Options of a generator source. */
export interface GeneratorOptions {
  /** Records per second over all subtasks; unlimited when omitted. */
  recordsPerSecond?: number;
}

/**
 * Calls `generate(index)` for index 0, 1, 2, … (up to `count`, or forever when `count` is
 * Infinity), the indexes split round-robin across subtasks, optionally rate-limited (Flink's
 * `DataGeneratorSource`). The position is the next index, so a restore continues exactly.
 */
export class GeneratorSource<T> implements Source<T> {
  readonly parallel = true;
  readonly boundedness: 'bounded' | 'unbounded';
  constructor(
    readonly name: string,
    private readonly count: number,
    private readonly generate: (index: number) => T,
    private readonly options: GeneratorOptions = {},
  ) {
    this.boundedness = Number.isFinite(count) ? 'bounded' : 'unbounded';
  }

  describe() {
    return { count: Number.isFinite(this.count) ? this.count : 'unbounded', ...(this.options.recordsPerSecond !== undefined ? { recordsPerSecond: this.options.recordsPerSecond } : {}) };
  }

  createReader(ctx: SourceReaderContext): SourceReader<T> {
    const { subtask, parallelism } = ctx;
    const count = this.count;
    const generate = this.generate;
    const rate = this.options.recordsPerSecond !== undefined ? this.options.recordsPerSecond / parallelism : Infinity;
    let emitted = 0; // records emitted by this subtask
    let startedAt: number | undefined;
    let emittedAtStart = 0; // the rate applies from (re)start on, not from the first run
    return {
      pollNext(out: SourceOutput<T>, max: number): PollResult {
        let allowed = max;
        if (rate !== Infinity) {
          const now = ctx.now();
          if (startedAt === undefined) {
            startedAt = now;
            emittedAtStart = emitted;
          }
          const since = emitted - emittedAtStart;
          const due = Math.floor(((now - startedAt) / 1000) * rate) + 1 - since;
          if (due <= 0) {
            const wait = (since / rate) * 1000 + startedAt - now;
            return new Promise((resolve) => platform.setTimeout(resolve, Math.max(1, wait)));
          }
          allowed = Math.min(max, due);
        }
        for (let k = 0; k < allowed; k++) {
          const index = subtask + emitted * parallelism;
          if (index >= count) return 'end';
          out.collect(generate(index));
          emitted++;
        }
        return subtask + emitted * parallelism >= count ? 'end' : 'more';
      },
      snapshotPosition: () => emitted,
      restorePosition: (p) => {
        emitted = p as number;
      },
    };
  }
}
