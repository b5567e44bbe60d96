// %% [markdown]
// # Clickstream sessions
//
// A day of clicks from 50 users. A session is a run of clicks with gaps shorter than 30
// minutes (event-time session windows, which merge as late clicks bridge two sessions). For
// each session we report its length, its clicks and its pages; clicks that arrive after their
// session was closed go to a side output instead of being lost.

// %%
import { StreamExecutionEnvironment, WatermarkStrategy, EventTimeSessionWindows, OutputTag, Sinks } from 'weir';
import path from 'node:path';

interface Click {
  user: string;
  page: string;
  ts: number;
}

function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pages = ['/', '/search', '/product', '/cart', '/checkout', '/help'];
const day = Date.UTC(2026, 2, 14);
const random = prng(7);
const clicks: Click[] = [];
for (let u = 0; u < 50; u++) {
  let t = day + Math.floor(random() * 3_600_000);
  while (t < day + 86_400_000) {
    const burst = 1 + Math.floor(random() * 12);
    for (let k = 0; k < burst; k++) {
      clicks.push({ user: `user-${u}`, page: pages[Math.floor(random() * pages.length)]!, ts: t });
      t += Math.floor(random() * 5 * 60_000);
    }
    t += 30 * 60_000 + Math.floor(random() * 4 * 3_600_000); // a pause that ends the session
  }
}
// Deliver them roughly in time order, with a little jitter (up to 2 minutes).
clicks.sort((a, b) => a.ts + (a.user.length % 3) * 40_000 - (b.ts + (b.user.length % 3) * 40_000));
console.log(`${clicks.length} clicks`);

// %%
const lateClicks = new OutputTag<Click>('late-clicks');
const env = StreamExecutionEnvironment.create({ parallelism: 2 });

const sessions = env
  .fromCollection(clicks)
  .assignTimestampsAndWatermarks(WatermarkStrategy.forBoundedOutOfOrderness<Click>(2 * 60_000).withTimestampAssigner((c) => c.ts))
  .keyBy((c) => c.user)
  .window(EventTimeSessionWindows.withGap(30 * 60_000))
  .sideOutputLateData(lateClicks)
  .process<{ user: string; start: number; minutes: number; clicks: number; pages: string[] }>((user, ctx, elements, out) => {
    const list = [...elements];
    out.collect({
      user,
      start: ctx.window.start,
      minutes: Math.round((ctx.window.end - ctx.window.start) / 60_000),
      clicks: list.length,
      pages: [...new Set(list.map((c) => c.page))].sort(),
    });
  })
  .uid('sessions');

sessions.sinkTo(Sinks.jsonl(path.join('out', 'clickstream', 'sessions.jsonl')));
sessions.getSideOutput(lateClicks).sinkTo(Sinks.jsonl(path.join('out', 'clickstream', 'late-clicks.jsonl')));

const result = await env.execute('clickstream sessions');
const op = result.report.operators.find((o) => o.uid === 'sessions')!;
console.log(`${op.recordsOut} sessions from ${op.recordsIn} clicks in ${result.netRuntimeMs} ms`);
