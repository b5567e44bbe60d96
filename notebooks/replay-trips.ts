// %% [markdown]
// # Replaying a day of taxi trips as a stream
//
// `notebooks/data/trips.parquet` holds one day of taxi trips (regenerate it with
// `node scripts/make-sample-data.mjs`). We replay the evening, 16:00 to 20:00, as a live
// stream: rows come out in pickup order, the pickup time is their event time, and the replay is
// paced at 7200× (two hours of trips per second), so the four hours take about two seconds.
// Every 15 minutes of event time each zone reports its trips and revenue: a chart while it
// plays, and JSON lines that the SQL cell at the end reads back with DuckDB.

// %%
import { StreamExecutionEnvironment, TumblingEventTimeWindows, Sinks } from 'weir';
import type { AggregateFunction } from 'weir';
import path from 'node:path';

interface Trip {
  zone: string;
  pickup_at: number; // epoch ms: DuckDB TIMESTAMPs arrive as numbers
  fare: number;
  distance_km: number;
}

interface ZoneWindow {
  zone: string;
  start: number;
  trips: number;
  revenue: number;
  avgKm: number;
}

// Relative paths are relative to this notebook's folder (an exported job's: to where it runs).
const trips = path.join('data', 'trips.parquet');
const outDir = path.join('out', 'replay-trips');

// %% [markdown]
// Trips, revenue and distance per zone and window, aggregated incrementally.

// %%
const perZone: AggregateFunction<Trip, { n: number; fare: number; km: number }, { n: number; fare: number; km: number }> = {
  createAccumulator: () => ({ n: 0, fare: 0, km: 0 }),
  add: (t, a) => ({ n: a.n + 1, fare: a.fare + t.fare, km: a.km + t.distance_km }),
  getResult: (a) => a,
  merge: (a, b) => ({ n: a.n + b.n, fare: a.fare + b.fare, km: a.km + b.km }),
};

const env = StreamExecutionEnvironment.create({ parallelism: 2 });
const windows = env
  .replay<Trip>({
    name: 'trips',
    sql: `SELECT zone, pickup_at, fare, distance_km FROM '${trips}'
          WHERE pickup_at >= TIMESTAMP '2026-03-14 16:00' AND pickup_at < TIMESTAMP '2026-03-14 20:00'`,
    timestampColumn: 'pickup_at',
    speed: 7200,
  })
  .keyBy((t) => t.zone)
  .window(TumblingEventTimeWindows.of(15 * 60_000))
  .aggregate(perZone, (zone, w, a): ZoneWindow => ({
    zone,
    start: w.start,
    trips: a.n,
    revenue: Math.round(a.fare * 100) / 100,
    avgKm: Math.round((a.km / a.n) * 10) / 10,
  }))
  .uid('zone-windows');

windows.sinkTo(Sinks.chart<ZoneWindow>({ type: 'line', x: 'start', y: 'trips', series: 'zone', title: 'Trips per zone, 15-minute windows' }));
windows.sinkTo(Sinks.jsonl(path.join(outDir, 'zone-windows/')));

const result = await env.execute('replay trips');
const op = result.report.operators.find((o) => o.uid === 'zone-windows')!;
console.log(`${op.recordsIn} trips → ${op.recordsOut} zone windows in ${result.netRuntimeMs} ms`);

// %% [markdown]
// The job's output is a directory of JSON lines: DuckDB reads it as a table. Which zones
// earned most per trip over the evening?

// %% [sql]
// SELECT zone,
//        sum(trips) AS trips,
//        round(sum(revenue), 2) AS revenue,
//        round(sum(revenue) / sum(trips), 2) AS per_trip,
//        max(trips) AS busiest_window
// FROM read_json_auto('out/replay-trips/zone-windows/*.jsonl')
// GROUP BY zone
// ORDER BY revenue DESC
