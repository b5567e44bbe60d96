/**
 * Window jobs in-process at p=1 against the plain JavaScript loop that computes the same result
 * (the aim of issue 14: the engine within 2x of the loop). 1M bids of a Nexmark-like stream:
 * a new person every 50 events, each bid by one of the 1000 newest persons or a hot one, 10
 * events per ms of event time. Lines:
 * (a) Nexmark q11's shape: bids per bidder per event-time session (gap 10 s);
 * (b) bids per bidder per tumbling 10 s window;
 * (c) bids per bidder per sliding 10 s / 2 s window.
 * Each engine result is checked against its loop (number of windows and total count).
 *
 *   RUNS=5 node --import tsx test/bench/window-jobs.bench.ts [events] [session|tumbling|sliding …]
 */
import {
  EventTimeSessionWindows,
  SlidingEventTimeWindows,
  StreamExecutionEnvironment,
  TumblingEventTimeWindows,
  WatermarkStrategy,
} from '../../engine/index.ts';
import { fmtRate, machineLine } from './machine.ts';

interface Bid {
  bidder: number;
  ts: number;
}

const GAP = 10_000;
const SIZE = 10_000;
const SLIDE = 2_000;

/** Deterministic bids (see the file comment). */
function bids(n: number): Bid[] {
  let s = 7;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const out: Bid[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const newest = Math.floor(i / 50) + 1000;
    const bidder = rnd() < 0.5 ? newest - (newest % 100) : newest - Math.floor(rnd() * 1000);
    out[i] = { bidder, ts: 1_700_000_000_000 + Math.floor(i / 10) };
  }
  return out;
}

const countAgg = {
  createAccumulator: () => 0,
  add: (_b: Bid, n: number) => n + 1,
  getResult: (n: number) => n,
  merge: (a: number, b: number) => a + b,
};

type Summary = { windows: number; total: number };

async function engine(data: Bid[], kind: 'session' | 'tumbling' | 'sliding'): Promise<Summary> {
  const got: Summary = { windows: 0, total: 0 };
  const env = StreamExecutionEnvironment.create({ parallelism: 1 });
  const keyed = env
    .fromCollection(data)
    .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<Bid>().withTimestampAssigner((b) => b.ts))
    .keyBy((b) => b.bidder);
  const windowed =
    kind === 'session'
      ? keyed.window(EventTimeSessionWindows.withGap(GAP))
      : kind === 'tumbling'
        ? keyed.window(TumblingEventTimeWindows.of(SIZE))
        : keyed.window(SlidingEventTimeWindows.of(SIZE, SLIDE));
  windowed
    .aggregate(countAgg, (bidder: number, w, n: number) => ({ bidder, start: w.start, end: w.end, n }))
    .sinkTo({
      invoke: (r: { n: number }) => {
        got.windows++;
        got.total += r.n;
      },
    });
  await env.execute(`bench-${kind}`);
  return got;
}

/** Sessions by hand: per bidder the open session's end; a bid past it closes the session. */
function sessionLoop(data: Bid[]): Summary {
  const open = new Map<number, { end: number; n: number }>();
  const out: Summary = { windows: 0, total: 0 };
  for (let i = 0; i < data.length; i++) {
    const b = data[i]!;
    const s = open.get(b.bidder);
    if (s !== undefined && b.ts <= s.end) {
      s.end = b.ts + GAP;
      s.n++;
      continue;
    }
    if (s !== undefined) {
      out.windows++;
      out.total += s.n;
      s.end = b.ts + GAP;
      s.n = 1;
    } else open.set(b.bidder, { end: b.ts + GAP, n: 1 });
  }
  for (const s of open.values()) {
    out.windows++;
    out.total += s.n;
  }
  return out;
}

/** Fixed windows by hand: per window start a map of bidder → count, emitted when time passes its end. */
function fixedLoop(data: Bid[], size: number, slide: number): Summary {
  const windows = new Map<number, Map<number, number>>();
  const out: Summary = { windows: 0, total: 0 };
  const fire = (upTo: number) => {
    for (const [start, perKey] of windows) {
      if (start + size - 1 > upTo) continue;
      for (const n of perKey.values()) {
        out.windows++;
        out.total += n;
      }
      windows.delete(start);
    }
  };
  let fired = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const b = data[i]!;
    const last = b.ts - (b.ts % slide);
    for (let start = last; start > b.ts - size; start -= slide) {
      let perKey = windows.get(start);
      if (perKey === undefined) windows.set(start, (perKey = new Map()));
      perKey.set(b.bidder, (perKey.get(b.bidder) ?? 0) + 1);
    }
    if (b.ts - 1 >= fired + slide) fire((fired = b.ts - 1));
  }
  fire(Infinity);
  return out;
}

/**
 * Median of `runs` runs after one warm-up, in records per second of CPU time (user + system, all
 * threads): on this shared machine the wall time of a run depends on the other jobs, the CPU
 * time much less.
 */
async function medianRate(records: number, runs: number, fn: () => Promise<unknown> | unknown): Promise<number> {
  await fn();
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    await fn();
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1e6);
  }
  cpu.sort((a, b) => a - b);
  return records / cpu[Math.floor(cpu.length / 2)]!;
}

/** One line per job: engine rate, loop rate and their ratio. */
export async function benchWindowJobs(n = 1_000_000, runs = 5, kinds?: string[]): Promise<string[]> {
  const data = bids(n);
  const jobs: [string, 'session' | 'tumbling' | 'sliding', () => Summary][] = [
    ['(a) q11 shape: count per bidder per session (gap 10 s)', 'session', () => sessionLoop(data)],
    ['(b) count per bidder per tumbling 10 s window', 'tumbling', () => fixedLoop(data, SIZE, SIZE)],
    ['(c) count per bidder per sliding 10 s / 2 s window', 'sliding', () => fixedLoop(data, SIZE, SLIDE)],
  ];
  const lines: string[] = [];
  for (const [name, kind, loop] of jobs.filter(([, k]) => !kinds || kinds.includes(k))) {
    const want = loop();
    const got = await engine(data, kind);
    if (got.windows !== want.windows || got.total !== want.total) {
      throw new Error(`${name}: the engine gave ${got.windows} windows / ${got.total} bids, the loop ${want.windows} / ${want.total}`);
    }
    const e = await medianRate(n, runs, () => engine(data, kind));
    const l = await medianRate(n, runs, loop);
    lines.push(`${name}: engine ${fmtRate(e)}, loop ${fmtRate(l)}, engine/loop ${(e / l).toFixed(2)} (per CPU second, median of ${runs}; ${want.windows.toLocaleString()} windows)`);
  }
  return lines;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(machineLine());
  const kinds = process.argv.slice(3);
  const runs = Number(process.env.RUNS ?? 5);
  for (const line of await benchWindowJobs(Number(process.argv[2] ?? 1_000_000), runs, kinds.length ? kinds : undefined)) console.log(line);
}
