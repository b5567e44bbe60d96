/**
 * `env.replay`: paced by event time, same windows at any speed, live controls and progress,
 * source watermarks, exact resume from a position (ties included).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Sinks, StreamExecutionEnvironment, TumblingEventTimeWindows } from '../../../../engine/index.node.ts';
import { closeDuckDB } from '../../../../engine/connectors/duckdb/instance.ts';
import { replayControls } from '../../../../engine/connectors/duckdb/replay-control.ts';
import { ReplayClock } from '../../../../engine/connectors/duckdb/replay-clock.ts';
import { ReplayReader, type ReplaySourceOptions } from '../../../../engine/connectors/duckdb/replay-reader.ts';
import { RecordingOutput, Scratch, drive, sorted, writeEvents, type Ev } from './fixtures.ts';

const s = new Scratch('replay');
const HOUR_START = Date.UTC(2026, 0, 1);
before(async () => {
  await writeEvents(s);
  // Many rows per timestamp (ties), for the resume test.
  await s.run(`COPY (SELECT i AS id, TIMESTAMP '2026-01-01' + to_seconds(i // 7) AS ts FROM range(3000) t(i) ORDER BY random()) TO ${s.lit('ties.parquet')} (FORMAT parquet)`);
});
after(async () => {
  await closeDuckDB();
  s.close();
});

interface Count {
  user: string;
  start: number;
  n: number;
}

/** Replays the hour of events into per-user 5-minute counts; returns the counts and wall time. */
async function replayWindows(speed: number | 'max'): Promise<{ counts: Count[]; ms: number }> {
  const env = StreamExecutionEnvironment.create({ parallelism: 2 });
  const out = Sinks.collect<Count>();
  env
    .replay<Ev>({ sql: `SELECT * FROM ${s.lit('events.parquet')}`, timestampColumn: 'ts', speed, name: `hour-${speed}` })
    .keyBy((e) => e.user)
    .window(TumblingEventTimeWindows.of(5 * 60_000))
    .aggregate(
      { createAccumulator: () => 0, add: (_e: Ev, n: number) => n + 1, getResult: (n: number) => n, merge: (a: number, b: number) => a + b },
      (user, w, n): Count => ({ user, start: w.start, n }),
    )
    .sinkTo(out);
  const t0 = performance.now();
  await env.execute(`replay ${speed}`);
  return { counts: sorted(out.values), ms: performance.now() - t0 };
}

test('an hour of events at speed 3600 takes at least its second of wall time, with the same windows as at max speed', async () => {
  // Pacing holds rows back until their event time is due, so a paced replay can never be faster
  // than its span / speed; how much slower it is depends on the machine's load, which is a
  // benchmark's business (npm run bench -- duckdb-source), not a test's.
  const fast = await replayWindows('max');
  const paced = await replayWindows(3600);
  const spanMs = 5999 * 600; // the first and last of the 6,000 events, 600 ms apart
  assert.ok(paced.ms >= spanMs / 3600 - 5, `took ${paced.ms.toFixed(0)} ms`);
  assert.equal(fast.counts.length, 120);
  assert.equal(fast.counts.reduce((a, c) => a + c.n, 0), 6000);
  assert.deepEqual(paced.counts, fast.counts);
});

test('rows come in timestamp order with their event time, watermarks rising behind them', async () => {
  const reader = new ReplayReader(options({ sql: `SELECT * FROM ${s.lit('events.csv')} ORDER BY random()`, maxOutOfOrderness: 1000 }), ctx());
  const out = new RecordingOutput<Record<string, unknown>>();
  await drive(reader, out);
  await reader.close();
  assert.equal(out.values.length, 6000);
  const ts = out.values.map((r) => r['ts'] as number);
  assert.deepEqual(ts, [...ts].sort((a, b) => a - b));
  assert.deepEqual(out.timestamps, ts);
  assert.equal(ts[0], HOUR_START);
  assert.ok(out.watermarks.length > 0);
  for (let i = 1; i < out.watermarks.length; i++) assert.ok(out.watermarks[i]! > out.watermarks[i - 1]!);
  assert.ok(out.watermarks.at(-1)! <= ts.at(-1)! - 1000 - 1);
});

test('pause, resume, setSpeed and seek act on a running replay; progress reports where it is', async () => {
  const env = StreamExecutionEnvironment.create({ parallelism: 1 });
  const out = Sinks.collect<Ev>();
  // Real time: the hour would take an hour unless the controls speed it up.
  env.replay<Ev>({ sql: `SELECT * FROM ${s.lit('events.parquet')}`, timestampColumn: 'ts', speed: 1, name: 'controlled' }).sinkTo(out);
  const job = env.executeAsync('controls');
  const control = await waitFor(() => replayControls.get('controlled'));
  await waitFor(() => control.progress().state === 'playing');

  control.setSpeed(3000); // the hour would now take 1.2 s
  await waitFor(() => out.values.length > 0);
  control.pause();
  const paused = control.progress();
  assert.equal(paused.state, 'paused');
  const rowsWhenPaused = out.values.length;
  await sleep(120);
  assert.ok(out.values.length - rowsWhenPaused <= 512, 'at most the batch in flight after pause');
  const settled = out.values.length;
  await sleep(120);
  assert.equal(out.values.length, settled, 'no rows while paused');

  // Jump to the last ten minutes and finish them at full speed.
  const target = HOUR_START + 50 * 60_000;
  control.seek(target);
  control.setSpeed('max');
  control.resume();
  await job.result;
  const after = out.values.slice(settled);
  assert.ok(after.length > 0);
  assert.ok(after.every((e) => e.ts >= target), 'rows after the seek start at the target');
  assert.equal(after.length, 1000, 'the last ten minutes: 1000 rows');
  const done = control.progress();
  assert.equal(done.state, 'finished');
  assert.equal(done.percent, 100);
  assert.equal(done.totalRows, 6000);
  assert.equal(done.startTime, HOUR_START);
  assert.equal(done.endTime, HOUR_START + 5999 * 600);
  await sleep(10);
  assert.equal(replayControls.get('controlled'), undefined, 'unregistered when the job ends');
});

test('a replay resumes exactly from a position, with many rows per timestamp', async () => {
  const sql = `SELECT * FROM ${s.lit('ties.parquet')}`;
  const full = new RecordingOutput<Record<string, unknown>>();
  const whole = new ReplayReader(options({ sql }), ctx());
  await drive(whole, full);
  await whole.close();
  assert.equal(full.values.length, 3000);

  for (const stopAt of [1, 700, 1403, 2999]) {
    const first = new RecordingOutput<Record<string, unknown>>();
    const a = new ReplayReader(options({ sql }), ctx());
    await drive(a, first, { batch: 1, until: () => first.values.length >= stopAt });
    const position = JSON.parse(JSON.stringify(a.snapshotPosition()));
    await a.close();
    const rest = new RecordingOutput<Record<string, unknown>>();
    const b = new ReplayReader(options({ sql }), ctx());
    b.restorePosition(position);
    await drive(b, rest);
    await b.close();
    assert.deepEqual([...first.values, ...rest.values].map((r) => r['id']), full.values.map((r) => r['id']), `stopped at ${stopAt}`);
  }
});

test('the clock maps wall time to event time through pause, speed changes and seek', () => {
  const c = new ReplayClock(10);
  c.start(1000, 0);
  assert.equal(c.eventTimeAt(50), 1500);
  assert.equal(c.wallTimeOf(2000), 100);
  c.pause(50);
  assert.equal(c.eventTimeAt(500), 1500);
  assert.equal(c.wallTimeOf(1600), Infinity);
  c.resume(500);
  assert.equal(c.eventTimeAt(510), 1600);
  c.setSpeed(1, 510);
  assert.equal(c.eventTimeAt(610), 1700);
  c.start(9000, 610); // seek
  assert.equal(c.eventTimeAt(620), 9010);
  c.setSpeed('max', 620);
  assert.equal(c.wallTimeOf(1e12), -Infinity);
  c.advanceTo(20_000);
  assert.equal(c.eventTimeAt(0), 20_000);
});

function options(o: Partial<ReplaySourceOptions>): ReplaySourceOptions {
  return { sql: '', name: 'reader', timestampColumn: 'ts', speed: 'max', maxOutOfOrderness: 0, startPaused: false, setup: [], rejects: false, ...o };
}

function ctx() {
  return { subtask: 0, parallelism: 1, now: () => performance.now() };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function waitFor<T>(f: () => T | undefined | false, timeoutMs = 5000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error('timed out waiting');
    await sleep(2);
  }
}
