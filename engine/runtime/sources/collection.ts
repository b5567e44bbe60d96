import type { PollResult, Source, SourceOutput, SourceReader } from '../source.ts';

/**
 * Reads an in-memory array, in order, on one subtask (Flink's `fromCollection` is not
 * parallel). The position is the index of the next element.
 */
export class CollectionSource<T> implements Source<T> {
  readonly boundedness = 'bounded';
  readonly parallel = false;
  constructor(
    readonly name: string,
    private readonly items: readonly T[],
  ) {}
  describe() {
    return { elements: this.items.length };
  }
  createReader(): SourceReader<T> {
    const items = this.items;
    let next = 0;
    return {
      pollNext(out: SourceOutput<T>, max: number): PollResult {
        const end = Math.min(items.length, next + max);
        for (; next < end; next++) out.collect(items[next]!);
        return next >= items.length ? 'end' : 'more';
      },
      snapshotPosition: () => next,
      restorePosition: (p) => {
        next = p as number;
      },
    };
  }
}

/**
 * The numbers `from..to` (inclusive), split into contiguous ranges across subtasks
 * (Flink's `fromSequence`).
 */
export class SequenceSource implements Source<number> {
  readonly boundedness = 'bounded';
  readonly parallel = true;
  readonly name = 'Sequence';
  constructor(
    private readonly from: number,
    private readonly to: number,
  ) {}
  describe() {
    return { from: this.from, to: this.to };
  }
  createReader({ subtask, parallelism }: { subtask: number; parallelism: number }): SourceReader<number> {
    const count = this.to - this.from + 1;
    const start = this.from + Math.floor((count * subtask) / parallelism);
    const end = this.from + Math.floor((count * (subtask + 1)) / parallelism); // exclusive
    let next = start;
    return {
      pollNext(out: SourceOutput<number>, max: number): PollResult {
        const stop = Math.min(end, next + max);
        for (; next < stop; next++) out.collect(next);
        return next >= end ? 'end' : 'more';
      },
      snapshotPosition: () => next,
      restorePosition: (p) => {
        next = p as number;
      },
    };
  }
}
