/**
 * Ordered emission for async I/O (Flink's `OrderedStreamElementQueue`): records and watermarks
 * leave in exactly the order they came in; a slow request holds back everything behind it.
 */
import type { Output } from '../../output.ts';
import { emitResults, newRequest, type AsyncElementQueue, type AsyncRequest } from './element-queue.ts';

type Entry = { request: AsyncRequest } | { watermark: number };

/**
 * A FIFO of requests and watermarks; only its head can leave, once done.
 *
 * @example
 * const q = new OrderedQueue();
 * const a = q.putRecord('a', 1); const b = q.putRecord('b', 2);
 * q.complete(b, ['B']); q.emitCompleted(out); // nothing: 'a' is first
 * q.complete(a, ['A']); q.emitCompleted(out); // 'A', then 'B'
 */
export class OrderedQueue implements AsyncElementQueue {
  private entries: Entry[] = [];
  private head = 0;

  get size(): number {
    return this.entries.length - this.head;
  }

  putRecord(value: unknown, timestamp: number): AsyncRequest {
    const request = newRequest(value, timestamp);
    this.entries.push({ request });
    return request;
  }

  putWatermark(timestamp: number): void {
    this.entries.push({ watermark: timestamp });
  }

  complete(request: AsyncRequest, results: unknown[]): void {
    request.results = results;
  }

  emitCompleted(output: Output): void {
    const es = this.entries;
    while (this.head < es.length) {
      const e = es[this.head]!;
      if ('watermark' in e) output.emitWatermark(e.watermark);
      else if (e.request.results) emitResults(e.request, output);
      else break;
      es[this.head++] = undefined as unknown as Entry;
    }
    // Compact now and then, so the array does not grow with everything ever queued.
    if (this.head === es.length) {
      this.entries = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > es.length) {
      this.entries = es.slice(this.head);
      this.head = 0;
    }
  }

  unemittedRecords(): AsyncRequest[] {
    const out: AsyncRequest[] = [];
    for (let i = this.head; i < this.entries.length; i++) {
      const e = this.entries[i]!;
      if ('request' in e) out.push(e.request);
    }
    return out;
  }
}
