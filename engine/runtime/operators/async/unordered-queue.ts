/**
 * Unordered emission for async I/O (Flink's `UnorderedStreamElementQueue`): a record leaves as
 * soon as its request completes, but never across a watermark. Watermarks cut the queue into
 * segments; only the first segment emits, and a watermark leaves once every record before it
 * has, so the output keeps the input's watermark order.
 */
import type { Output } from '../../output.ts';
import { emitResults, newRequest, type AsyncElementQueue, type AsyncRequest } from './element-queue.ts';

/** Records between two watermarks: those still running, in input order, and those done. */
interface RecordSegment {
  pending: Set<AsyncRequest>;
  completed: AsyncRequest[];
}

type Segment = RecordSegment | { watermark: number };

/**
 * Segments of records separated by watermarks.
 *
 * @example
 * const q = new UnorderedQueue();
 * const a = q.putRecord('a', 1); q.putWatermark(5); const b = q.putRecord('b', 7);
 * q.complete(b, ['B']); q.emitCompleted(out); // nothing: 'b' is behind watermark 5
 * q.complete(a, ['A']); q.emitCompleted(out); // 'A', watermark 5, 'B'
 */
export class UnorderedQueue implements AsyncElementQueue {
  private segments: Segment[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  putRecord(value: unknown, timestamp: number): AsyncRequest {
    const request = newRequest(value, timestamp);
    let last = this.segments[this.segments.length - 1];
    if (!last || 'watermark' in last) {
      last = { pending: new Set(), completed: [] };
      this.segments.push(last);
    }
    last.pending.add(request);
    this.count++;
    return request;
  }

  putWatermark(timestamp: number): void {
    this.segments.push({ watermark: timestamp });
    this.count++;
  }

  complete(request: AsyncRequest, results: unknown[]): void {
    request.results = results;
    for (const s of this.segments) {
      if ('pending' in s && s.pending.delete(request)) {
        s.completed.push(request);
        return;
      }
    }
  }

  emitCompleted(output: Output): void {
    const segs = this.segments;
    while (segs.length) {
      const first = segs[0]!;
      if ('watermark' in first) {
        output.emitWatermark(first.watermark);
        segs.shift();
        this.count--;
        continue;
      }
      const done = first.completed;
      if (done.length) {
        first.completed = [];
        this.count -= done.length;
        for (const r of done) emitResults(r, output);
      }
      // An empty first segment is dropped only when a watermark follows; the last one stays open.
      if (first.pending.size === 0 && first.completed.length === 0 && segs.length > 1) segs.shift();
      else break;
    }
  }

  unemittedRecords(): AsyncRequest[] {
    const out: AsyncRequest[] = [];
    const all: AsyncRequest[] = [];
    for (const s of this.segments) {
      if ('watermark' in s) continue;
      all.length = 0;
      for (const r of s.pending) all.push(r);
      for (const r of s.completed) all.push(r);
      for (const r of all) out.push(r);
    }
    return out;
  }
}
