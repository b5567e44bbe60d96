/**
 * Async I/O end to end in one process, against a real HTTP service on 127.0.0.1: ordered and
 * unordered output, watermark order, capacity, timeouts, retries and failures.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AsyncDataStream,
  AsyncRetryStrategies,
  JobExecutionError,
  RetryPredicates,
  Sinks,
  StreamExecutionEnvironment,
  WatermarkStrategy,
  type AsyncFunction,
} from '../../../../../engine/index.ts';
import { startLookupService, type LookupService } from '../../../../harness/lookup-service.ts';
import { until } from '../../../../harness/until.ts';

interface Row {
  k: number;
  v: number;
}

describe('async I/O against an HTTP service', () => {
  let service: LookupService;
  before(async () => {
    service = await startLookupService();
  });
  after(() => service.close());

  /** An async lookup of key k that the service answers after delay(k) ms. */
  const lookup =
    (delay: (k: number) => number, fail: (k: number) => number = () => 0) =>
    async (k: number): Promise<Row> => {
      const res = await fetch(`${service.url}/lookup?k=${k}&delay=${delay(k)}&fail=${fail(k)}`);
      if (!res.ok) throw new Error(`lookup of ${k} answered HTTP ${res.status}`);
      return (await res.json()) as Row;
    };
  const keys = (n: number) => Array.from({ length: n }, (_, i) => i);

  it('orderedWait emits in input order although answers come back in another order', async () => {
    service.resetMax();
    const env = StreamExecutionEnvironment.create({ parallelism: 1 });
    const out = Sinks.collect<Row>();
    AsyncDataStream.orderedWait(env.fromCollection(keys(300)), lookup((k) => (k * 37) % 23), 5_000, 20).sinkTo(out);
    await env.execute('ordered lookups');
    assert.deepEqual(out.values, keys(300).map((k) => ({ k, v: k * 10 })));
    assert.ok(service.maxInFlight <= 20, `at most 20 requests at once, the service saw ${service.maxInFlight}`);
  });

  it('unorderedWait emits as answers arrive, never across a watermark', async () => {
    const n = 400;
    const env = StreamExecutionEnvironment.create({ parallelism: 1 });
    const out = Sinks.collect<{ k: number; ts: number; wm: number }>();
    // A watermark after every tenth record (at that record's timestamp k*100).
    const every10 = WatermarkStrategy.forGenerator<number>(() => ({
      onEvent: (k, ts, o) => {
        if (k % 10 === 9) o.emitWatermark(ts);
      },
      onPeriodicEmit: () => {},
    })).withTimestampAssigner((k) => k * 100);
    const looked = AsyncDataStream.unorderedWait(
      env.fromCollection(keys(n)).assignTimestampsAndWatermarks(every10),
      lookup((k) => ((k * 53) % 31) + (k % 10 === 0 ? 40 : 0)),
      5_000,
      30,
    );
    looked
      .process<{ k: number; ts: number; wm: number }>({
        processElement: (r: Row, ctx, o) => o.collect({ k: r.k, ts: ctx.timestamp()!, wm: ctx.timerService().currentWatermark() }),
      })
      .sinkTo(out);
    await env.execute('unordered lookups');
    const got = out.values;
    assert.deepEqual(got.map((r) => r.k).sort((a, b) => a - b), keys(n), 'every key exactly once');
    let inversions = 0;
    for (let i = 1; i < got.length; i++) if (got[i]!.k < got[i - 1]!.k) inversions++;
    assert.ok(inversions > 0, 'answers with different delays come out of input order');
    for (const r of got) {
      assert.equal(r.ts, r.k * 100, 'a result carries its input record timestamp');
      assert.ok(r.ts > r.wm, `key ${r.k} (ts ${r.ts}) came after watermark ${r.wm}, which it preceded`);
      const preceding = r.k >= 10 ? (Math.floor(r.k / 10) * 10 - 1) * 100 : -Infinity;
      assert.ok(r.wm >= preceding, `key ${r.k} came before watermark ${preceding}, which preceded it`);
    }
  });

  it('at most `capacity` requests are in flight: the full queue holds the input back', async () => {
    service.resetMax();
    const before = service.requests;
    const env = StreamExecutionEnvironment.create({ parallelism: 1 });
    const out = Sinks.collect<Row>();
    AsyncDataStream.unorderedWait(env.fromSequence(0, 199), lookup(() => 30), 10_000, 4).sinkTo(out);
    await env.execute('capacity 4');
    assert.equal(out.values.length, 200);
    assert.equal(service.requests - before, 200);
    assert.equal(service.maxInFlight, 4, 'the service saw exactly 4 requests at once at most');
  });

  it('back-pressure from a full queue reaches the source', async () => {
    const env = StreamExecutionEnvironment.create({ parallelism: 1 });
    const out = Sinks.collect<Row>();
    let generated = 0;
    const endless = env.fromGenerator(Infinity, (i) => {
      generated++;
      return i;
    });
    AsyncDataStream.orderedWait(endless, lookup(() => 5), 5_000, 4).sinkTo(out);
    const client = env.executeAsync('held back');
    await until('200 results', () => (out.values.length >= 200 ? true : undefined), 60_000);
    const ahead = generated - out.values.length;
    client.cancel();
    await client.result;
    // Ahead of the sink: the async queue, the records waiting for it and the channel's buffers
    // (8 batches of 512), not the millions an unchecked generator makes in that time.
    assert.ok(ahead <= 10 * 512, `the source ran ${ahead} records ahead of the sink`);
  });

  it("a timed-out request emits what the function's timeout() returns", async () => {
    const env = StreamExecutionEnvironment.create({ parallelism: 1 });
    const out = Sinks.collect<Row>();
    const fn: AsyncFunction<number, Row> = {
      asyncInvoke: lookup((k) => (k % 5 === 0 ? 8_000 : 5)),
      timeout: (k) => ({ k, v: -1 }),
    };
    // 2 s is ample for a 5 ms answer even on a loaded machine, and far from the slow ones' 8 s.
    AsyncDataStream.orderedWait(env.fromCollection(keys(30)), fn, 2_000, 10).sinkTo(out);
    await env.execute('timeouts');
    assert.deepEqual(out.values, keys(30).map((k) => ({ k, v: k % 5 === 0 ? -1 : k * 10 })));
  });

  it('a timeout without timeout() fails the job, naming the operator and where it was defined', async () => {
    const env = StreamExecutionEnvironment.create({ parallelism: 1 });
    AsyncDataStream.unorderedWait(env.fromCollection([3]), lookup(() => 5_000), 200).name('user lookup').sinkTo(Sinks.collect());
    await assert.rejects(env.execute('timeout fails'), (e: unknown) => {
      assert.ok(e instanceof JobExecutionError, String(e));
      assert.match(e.message, /user lookup/);
      assert.match(e.message, /async-wait\.test\.ts:\d+:\d+/);
      assert.match(e.message, /request for 3 timed out after 200 ms/);
      return true;
    });
  });

  it('a failed request fails the job with the function’s own error', async () => {
    const env = StreamExecutionEnvironment.create({ parallelism: 1 });
    AsyncDataStream.orderedWait(env.fromCollection(keys(5)), lookup(() => 1, (k) => (k === 2 ? 1 : 0)), 2_000).sinkTo(Sinks.collect());
    await assert.rejects(env.execute('failure'), (e: unknown) => {
      assert.ok(e instanceof JobExecutionError, String(e));
      assert.match(e.message, /Async Wait \(ordered\)/);
      assert.match(e.message, /lookup of 2 answered HTTP 503/);
      return true;
    });
  });

  it('a fixed-delay retry on exceptions tries again until the service answers', async () => {
    const before = service.requests;
    const env = StreamExecutionEnvironment.create({ parallelism: 1 });
    const out = Sinks.collect<Row>();
    // Keys 1000+ so the service's failure counts start afresh; each fails twice, then answers.
    const ks = keys(20).map((k) => 1_000 + k);
    const retry = AsyncRetryStrategies.fixedDelay<Row>(3, 10).ifException(RetryPredicates.HAS_EXCEPTION_PREDICATE);
    AsyncDataStream.orderedWaitWithRetry(env.fromCollection(ks), lookup(() => 1, () => 2), 10_000, 5, retry).sinkTo(out);
    await env.execute('retries');
    assert.deepEqual(out.values, ks.map((k) => ({ k, v: k * 10 })));
    assert.equal(service.requests - before, 3 * ks.length, 'two failed attempts and one answer per key');
  });

  it('retries stop after maxAttempts; the last failure fails the job', async () => {
    const env = StreamExecutionEnvironment.create({ parallelism: 1 });
    const retry = AsyncRetryStrategies.fixedDelay<Row>(2, 5).ifException(RetryPredicates.HAS_EXCEPTION_PREDICATE);
    AsyncDataStream.unorderedWaitWithRetry(env.fromCollection([2_000]), lookup(() => 1, () => 5), 10_000, 5, retry).sinkTo(Sinks.collect());
    const before = service.requests;
    await assert.rejects(env.execute('retries exhausted'), /lookup of 2000 answered HTTP 503/);
    assert.equal(service.requests - before, 3, 'the first attempt and two retries');
  });

  it('an exponential-backoff retry on empty results waits longer each time', async () => {
    const env = StreamExecutionEnvironment.create({ parallelism: 1 });
    const out = Sinks.collect<Row>();
    const attempts = new Map<number, number[]>();
    const fn = async (k: number): Promise<Row[]> => {
      const times = attempts.get(k) ?? [];
      times.push(Date.now());
      attempts.set(k, times);
      const res = await fetch(`${service.url}/lookup?k=${k}&fail=3`);
      return res.ok ? [(await res.json()) as Row] : []; // a miss yields no row
    };
    const retry = AsyncRetryStrategies.exponentialBackoff<Row>(5, 20, 1_000, 2).ifResult(RetryPredicates.EMPTY_RESULT_PREDICATE);
    AsyncDataStream.unorderedWaitWithRetry(env.fromCollection([3_000, 3_001]), fn, 10_000, 5, retry).sinkTo(out);
    await env.execute('backoff');
    assert.deepEqual(out.values.map((r) => r.k).sort(), [3_000, 3_001]);
    for (const times of attempts.values()) {
      assert.equal(times.length, 4);
      const gaps = times.slice(1).map((t, i) => t - times[i]!);
      // Backoffs of 20, 40 and 80 ms (timers may fire late, never early).
      [20, 40, 80].forEach((b, i) => assert.ok(gaps[i]! >= b - 1, `retry ${i + 1} came ${gaps[i]} ms after the previous attempt, before its ${b} ms backoff`));
    }
  });

  it('in batch mode the job waits for every request before it ends', async () => {
    const env = StreamExecutionEnvironment.create({ parallelism: 2, mode: 'batch' });
    const out = Sinks.collect<Row>();
    AsyncDataStream.unorderedWait(env.fromCollection(keys(100)).rebalance(), lookup((k) => k % 7), 5_000, 8).sinkTo(out);
    await env.execute('batch lookups');
    assert.deepEqual(out.values.map((r) => r.k).sort((a, b) => a - b), keys(100));
  });

  it('bad arguments are refused where the pipeline is defined', () => {
    const env = StreamExecutionEnvironment.create();
    const s = env.fromElements(1);
    assert.throws(() => AsyncDataStream.orderedWait(s, {} as never, 100), /asyncInvoke/);
    assert.throws(() => AsyncDataStream.orderedWait(s, async (x: number) => x, -1), /timeoutMs/);
    assert.throws(() => AsyncDataStream.unorderedWait(s, async (x: number) => x, 100, 0), /capacity/);
    assert.throws(() => AsyncRetryStrategies.fixedDelay(0, 10), /maxAttempts/);
    assert.throws(() => AsyncRetryStrategies.exponentialBackoff(3, 100, 10), /maxDelayMs/);
  });
});
