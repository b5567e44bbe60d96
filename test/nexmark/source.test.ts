/**
 * The Nexmark source: the same events for the same seed, nexmark's 1:3:46 mix, splits that
 * together read every event once, and a restore mid-stream that continues exactly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isBid, Sinks, StreamExecutionEnvironment, type NexmarkEvent } from '../../engine/index.ts';
import { NexmarkGenerator } from '../../engine/runtime/sources/nexmark/generator.ts';
import { nexmarkConfig, type NexmarkOptions } from '../../engine/runtime/sources/nexmark/config.ts';
import { NexmarkSource } from '../../engine/runtime/sources/nexmark/source.ts';
import type { SourceOutput, SourceReader } from '../../engine/runtime/source.ts';
import { CheckpointingExecutor } from '../../engine/checkpoint/checkpointing-executor.ts';
import { MemoryCheckpointStorage } from '../../engine/checkpoint/memory-storage.ts';
import type { CheckpointStats } from '../../engine/checkpoint/types.ts';
import { until } from '../harness/until.ts';

/** Reads a reader to its end (or `limit` events), `batch` events per poll. */
function drain(reader: SourceReader<NexmarkEvent>, limit = Infinity, batch = 97): { events: NexmarkEvent[]; watermarks: { watermark: number; before: number }[] } {
  const events: NexmarkEvent[] = [];
  const watermarks: { watermark: number; before: number }[] = [];
  const out: SourceOutput<NexmarkEvent> = {
    collect: (e, ts) => {
      assert.equal(ts, e.dateTime, 'records carry their event time');
      events.push(e);
    },
    emitWatermark: (watermark) => watermarks.push({ watermark, before: events.length }),
    markIdle: () => {},
  };
  while (events.length < limit) {
    const r = reader.pollNext(out, Math.min(batch, limit - events.length));
    if (r === 'end') break;
    assert.equal(r, 'more');
  }
  return { events, watermarks };
}

function reader(options: NexmarkOptions, subtask: number, parallelism: number): SourceReader<NexmarkEvent> {
  return new NexmarkSource(options).createReader({ subtask, parallelism, now: () => 0 }) as SourceReader<NexmarkEvent>;
}

const key = (e: NexmarkEvent) => JSON.stringify(e);

test('the same seed gives the same events, another seed other ones', () => {
  const a = new NexmarkGenerator(nexmarkConfig({ events: 1000, seed: 7 }));
  const b = new NexmarkGenerator(nexmarkConfig({ events: 1000, seed: 7 }));
  const c = new NexmarkGenerator(nexmarkConfig({ events: 1000, seed: 8 }));
  let differ = 0;
  for (let n = 0; n < 1000; n += 7) {
    assert.deepEqual(a.event(n), b.event(n));
    // Made out of order, an event is still the same: it depends on its number only.
    assert.deepEqual(a.event(n), new NexmarkGenerator(a.config).event(n));
    if (key(a.event(n)) !== key(c.event(n))) differ++;
  }
  assert.ok(differ > 130, `seed 8 differs from seed 7 in ${differ} of 143 events`);
});

test("nexmark's mix: 1 person, 3 auctions and 46 bids in every 50 events, ids counting from 1000, hot items", () => {
  const gen = new NexmarkGenerator(nexmarkConfig({ events: 50_000 }));
  const count = { person: 0, auction: 0, bid: 0 };
  let lastPerson = 999;
  let lastAuction = 999;
  let hotAuctionBids = 0;
  let extraBytes = 0;
  for (let n = 0; n < 50_000; n++) {
    const e = gen.event(n);
    count[e.type]++;
    assert.equal(e.dateTime, Date.UTC(2026, 0, 1) + Math.floor(n / 10), 'event n at n / 10,000 s');
    if (e.type === 'person') assert.equal(e.id, ++lastPerson);
    if (e.type === 'auction') {
      assert.equal(e.id, ++lastAuction);
      assert.ok(e.expires > e.dateTime && e.category >= 10 && e.category < 15);
    }
    if (e.type === 'bid') {
      if (e.auction % 100 === 0) hotAuctionBids++;
      extraBytes += e.extra.length;
    }
  }
  assert.deepEqual(count, { person: 1000, auction: 3000, bid: 46_000 });
  // Half the bids go to the hot auction of the latest hundred, and some others by chance.
  assert.ok(hotAuctionBids / 46_000 > 0.5 && hotAuctionBids / 46_000 < 0.53, `hot auction share ${hotAuctionBids / 46_000}`);
  // A bid is 100 bytes on average: 32 of numbers, the rest `extra`.
  assert.ok(Math.abs(extraBytes / 46_000 - 68) < 2, `average bid extra ${extraBytes / 46_000}`);
});

test('the splits of any parallelism read every event once, each in event-time order', () => {
  const options = { events: 5003 };
  const whole = drain(reader(options, 0, 1)).events.map(key);
  assert.equal(whole.length, 5003);
  for (const p of [2, 3]) {
    const parts = Array.from({ length: p }, (_, i) => drain(reader(options, i, p)));
    for (const part of parts) {
      for (let i = 1; i < part.events.length; i++) assert.ok(part.events[i]!.dateTime >= part.events[i - 1]!.dateTime);
      // Every watermark is below the events that follow it.
      assert.ok(part.watermarks.length > 0);
      for (const { watermark, before } of part.watermarks) {
        const next = part.events[before];
        if (next) assert.ok(next.dateTime > watermark, `event at ${next.dateTime} after watermark ${watermark}`);
      }
    }
    assert.deepEqual(parts.flatMap((x) => x.events.map(key)).sort(), whole.slice().sort(), `parallelism ${p}`);
  }
});

test('a reader restored from a position mid-stream continues with exactly the events that follow', () => {
  const options = { events: 3000, seed: 3 };
  const uninterrupted = drain(reader(options, 1, 2)).events.map(key);
  const first = reader(options, 1, 2);
  const before = drain(first, 733).events.map(key);
  const position = structuredClone(first.snapshotPosition());
  const resumed = reader(options, 1, 2);
  resumed.restorePosition(position);
  const after = drain(resumed).events.map(key);
  assert.deepEqual([...before, ...after], uninterrupted);
  assert.throws(() => reader(options, 0, 1).restorePosition('x'), /cannot restore from position "x"/);
});

test('bad options are refused naming the option', () => {
  const env = StreamExecutionEnvironment.create();
  assert.throws(() => env.fromNexmark({ events: -1 }), /fromNexmark: events must be an integer ≥ 0 or Infinity, got -1/);
  assert.throws(() => env.fromNexmark({ events: 10, eventsPerSecond: 0 }), /eventsPerSecond must be > 0/);
  assert.throws(() => env.fromNexmark({ events: 10, proportions: { person: 1, auction: 0, bid: 1 } }), /proportions.auction must be a positive integer/);
});

test('env.fromNexmark runs in parallel: every bid once, with its event time', async () => {
  const env = StreamExecutionEnvironment.create({ parallelism: 2 });
  const out = Sinks.collect<number>();
  env
    .fromNexmark({ events: 10_000 })
    .filter(isBid)
    .process<number>({ processElement: (b, ctx, o) => o.collect(ctx.timestamp() === b.dateTime ? b.price : -1) })
    .sinkTo(out);
  await env.execute('nexmark bids');
  const gen = new NexmarkGenerator(nexmarkConfig({ events: 10_000 }));
  const expected: number[] = [];
  for (let n = 0; n < 10_000; n++) {
    const e = gen.event(n);
    if (isBid(e)) expected.push(e.price);
  }
  assert.deepEqual(out.values.slice().sort((a, b) => a - b), expected.sort((a, b) => a - b));
});

test('stopped with a savepoint at parallelism 2 and resumed at 3, the source reads every event exactly once', { timeout: 120_000 }, async () => {
  const seen: number[] = [];
  const storage = new MemoryCheckpointStorage('nexmark rescale');
  const job = (parallelism: number) => {
    const env = StreamExecutionEnvironment.create({ parallelism });
    env.enableCheckpointing(50);
    // Paced (3,000 events over 3 s), so that the stop comes mid-stream.
    env
      .fromNexmark({ events: 3000, eventsPerSecond: 1000, rateLimited: true })
      .map((e) => e.dateTime * 100 + (e.type === 'bid' ? e.price % 100 : e.id % 100))
      .sinkTo({ invoke: (v: number) => void seen.push(v) });
    return env.buildJob('nexmark rescale');
  };
  const first = new CheckpointingExecutor(job(2), { storage }).start();
  await until('a completed checkpoint', () => ((first.checkpoints!() as CheckpointStats[]).some((c) => c.status === 'COMPLETED') ? true : undefined), 60_000);
  const savepoint = await first.stopWithSavepoint!();
  assert.equal((await first.result).report.status, 'FINISHED');
  const before = seen.length;
  assert.ok(before > 0 && before < 3000, `stopped mid-stream (after ${before} events)`);
  const resumed = new CheckpointingExecutor(job(3), { storage, restoreFrom: savepoint }).start();
  assert.equal((await resumed.result).report.status, 'FINISHED');
  const gen = new NexmarkGenerator(nexmarkConfig({ events: 3000, eventsPerSecond: 1000 }));
  const expected = Array.from({ length: 3000 }, (_, n) => {
    const e = gen.event(n);
    return e.dateTime * 100 + (e.type === 'bid' ? e.price % 100 : e.id % 100);
  });
  assert.deepEqual(seen.slice().sort((a, b) => a - b), expected.sort((a, b) => a - b));
});
