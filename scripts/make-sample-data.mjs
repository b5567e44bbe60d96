// Generates the small, deterministic datasets the example notebooks read, under notebooks/data/:
//   trips.parquet  one day of taxi trips (Parquet, written by DuckDB's COPY)
//   clicks.csv     one day of page clicks (CSV)
//   logs.ndjson    an hour of service logs (newline-delimited JSON)
// Same seed, same files: `node scripts/make-sample-data.mjs` (re-running overwrites them).
import { mkdirSync, writeFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const outDir = path.join(root, 'notebooks', 'data');

/** mulberry32: a tiny seeded PRNG, so every run writes the same rows. */
function prng(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DAY = Date.UTC(2026, 2, 14); // Saturday 14 March 2026, UTC
const iso = (ms) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');

/** Trips: demand follows the hour of day; fares follow distance. */
function trips() {
  const random = prng(42);
  const zones = ['Airport', 'Center', 'Docks', 'Harbor', 'Midtown', 'North', 'Old Town', 'Park', 'South', 'Station', 'University', 'West'];
  const pay = ['card', 'card', 'card', 'cash', 'app'];
  const rows = [];
  let t = DAY;
  let id = 1;
  while (t < DAY + 86_400_000) {
    const hour = (t - DAY) / 3_600_000;
    const perMinute = 4 + 10 * Math.max(0, Math.sin(((hour - 5) / 24) * 2 * Math.PI)) + (hour > 17 && hour < 20 ? 6 : 0);
    t += Math.max(250, Math.floor((-Math.log(1 - random()) * 60_000) / perMinute));
    const zone = zones[Math.floor(random() ** 1.4 * zones.length)];
    const km = Math.round((1 + random() * (zone === 'Airport' ? 30 : 9)) * 10) / 10;
    const minutes = Math.round(km * (2 + random() * 2));
    rows.push({
      trip_id: id++,
      pickup_at: iso(t),
      dropoff_at: iso(t + minutes * 60_000),
      zone,
      passengers: 1 + Math.floor(random() ** 2 * 4),
      distance_km: km,
      fare: (3.5 + km * 1.9 + minutes * 0.3).toFixed(2),
      paid_with: pay[Math.floor(random() * pay.length)],
    });
  }
  return rows;
}

/** Clicks: 80 users in bursts through the day. */
function clicks() {
  const random = prng(7);
  const pages = ['/', '/search', '/product', '/cart', '/checkout', '/help'];
  const rows = [];
  for (let u = 0; u < 80; u++) {
    let t = DAY + Math.floor(random() * 3_600_000);
    while (t < DAY + 86_400_000) {
      const burst = 1 + Math.floor(random() * 8);
      for (let k = 0; k < burst; k++) {
        rows.push({ user: `user-${String(u).padStart(2, '0')}`, page: pages[Math.floor(random() * pages.length)], ts: iso(t) });
        t += Math.floor(random() * 4 * 60_000);
      }
      t += 30 * 60_000 + Math.floor(random() * 5 * 3_600_000);
    }
  }
  rows.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : a.user < b.user ? -1 : 1));
  return rows;
}

/** Logs: an hour of requests to four services, a few slow ones and errors. */
function logs() {
  const random = prng(99);
  const services = ['api', 'auth', 'search', 'billing'];
  const rows = [];
  for (let t = DAY + 9 * 3_600_000; t < DAY + 10 * 3_600_000; t += 200 + Math.floor(random() * 1800)) {
    const service = services[Math.floor(random() * services.length)];
    const slow = random() < 0.03;
    const status = random() < 0.02 ? 500 : random() < 0.05 ? 404 : 200;
    rows.push({ ts: new Date(t).toISOString(), service, status, latency_ms: Math.round(slow ? 800 + random() * 2000 : 5 + random() ** 2 * 120), level: status === 500 ? 'error' : 'info' });
  }
  return rows;
}

function csv(rows) {
  const cols = Object.keys(rows[0]);
  return [cols.join(','), ...rows.map((r) => cols.map((c) => String(r[c])).join(','))].join('\n') + '\n';
}

mkdirSync(outDir, { recursive: true });
const tmp = path.join(os.tmpdir(), `weir-sample-${process.pid}.csv`);
writeFileSync(tmp, csv(trips()));
const db = await DuckDBInstance.create(':memory:');
const conn = await db.connect();
const parquet = path.join(outDir, 'trips.parquet');
await conn.run(
  `COPY (SELECT trip_id::INTEGER AS trip_id, pickup_at::TIMESTAMP AS pickup_at, dropoff_at::TIMESTAMP AS dropoff_at, zone,
          passengers::TINYINT AS passengers, distance_km::DOUBLE AS distance_km, fare::DECIMAL(8,2) AS fare, paid_with
        FROM read_csv('${tmp.replace(/'/g, "''")}', all_varchar = true) ORDER BY pickup_at, trip_id)
   TO '${parquet.replace(/'/g, "''")}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 4096)`,
);
conn.closeSync();
db.closeSync();
rmSync(tmp, { force: true });
writeFileSync(path.join(outDir, 'clicks.csv'), csv(clicks()));
writeFileSync(path.join(outDir, 'logs.ndjson'), logs().map((r) => JSON.stringify(r)).join('\n') + '\n');

for (const f of ['trips.parquet', 'clicks.csv', 'logs.ndjson']) {
  console.log(`${path.relative(root, path.join(outDir, f))}  ${(statSync(path.join(outDir, f)).size / 1024).toFixed(0)} KiB`);
}
