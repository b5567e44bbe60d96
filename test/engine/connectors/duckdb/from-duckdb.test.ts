/**
 * `env.fromDuckDB`: a keyed tumbling window over CSV, Parquet and NDJSON gives DuckDB's own
 * GROUP BY answer in streaming and batch mode, at parallelism 1 and 3 (by-file and by-hash
 * splits); types map as documented; a reader resumes exactly from a snapshot position.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Sinks, StreamExecutionEnvironment, TumblingEventTimeWindows, WatermarkStrategy, type AggregateFunction } from '../../../../engine/index.node.ts';
import { closeDuckDB } from '../../../../engine/connectors/duckdb/instance.ts';
import { DuckDBQueryReader } from '../../../../engine/connectors/duckdb/query-reader.ts';
import { RecordingOutput, Scratch, drive, sorted, writeEvents, type Ev } from './fixtures.ts';

const s = new Scratch('from-duckdb');
before(() => writeEvents(s));
after(async () => {
  await closeDuckDB();
  s.close();
});

interface WindowRow {
  user: string;
  start: number;
  n: number;
  total: number;
}

const sumCount: AggregateFunction<Ev, { n: number; total: number }, { n: number; total: number }> = {
  createAccumulator: () => ({ n: 0, total: 0 }),
  add: (e, a) => ({ n: a.n + 1, total: a.total + e.amount }),
  getResult: (a) => a,
  merge: (a, b) => ({ n: a.n + b.n, total: a.total + b.total }),
};

/** Per user and minute: count and sum, through the engine. */
async function engineWindows(sql: string, mode: 'streaming' | 'batch', parallelism: number): Promise<WindowRow[]> {
  const env = StreamExecutionEnvironment.create({ mode, parallelism });
  const out = Sinks.collect<WindowRow>();
  env
    .fromDuckDB<Ev>(sql)
    // Subtasks read their splits in any order relative to each other: a bound of the whole
    // hour means no record is late, so every window sees all of its records.
    .assignTimestampsAndWatermarks(WatermarkStrategy.forBoundedOutOfOrderness<Ev>(3_600_000).withTimestampAssigner((e) => e.ts))
    .keyBy((e) => e.user)
    .window(TumblingEventTimeWindows.of(60_000))
    .aggregate(sumCount, (user, w, a): WindowRow => ({ user, start: w.start, n: a.n, total: a.total }))
    .sinkTo(out);
  await env.execute(`windows ${mode} p${parallelism}`);
  return sorted(out.values);
}

/** The same, as DuckDB computes it. */
async function duckdbWindows(from: string): Promise<WindowRow[]> {
  const rows = await s.rows(`SELECT user, (epoch_ms(ts::TIMESTAMP) // 60000) * 60000 AS start, count(*) AS n, sum(amount) AS total FROM ${from} GROUP BY ALL`);
  return sorted(rows.map((r) => ({ user: String(r['user']), start: Number(r['start']), n: Number(r['n']), total: Number(r['total']) })));
}

const FORMATS = {
  csv: () => ({ sql: `SELECT id, user, amount, ts FROM read_csv(${s.lit('events.csv')})`, from: `read_csv(${s.lit('events.csv')})` }),
  parquet: () => ({ sql: `SELECT id, user, amount, ts FROM ${s.lit('events.parquet')}`, from: s.lit('events.parquet') }),
  ndjson: () => ({ sql: `SELECT id, user, amount, ts::TIMESTAMP AS ts FROM read_json_auto(${s.lit('events.ndjson')})`, from: `read_json_auto(${s.lit('events.ndjson')})` }),
  'parquet glob': () => ({ sql: `SELECT id, user, amount, ts FROM read_parquet(${s.lit('parts', '*', '*.parquet')})`, from: `read_parquet(${s.lit('parts', '*', '*.parquet')})` }),
};

describe('fromDuckDB feeding a keyed tumbling window equals DuckDB GROUP BY', () => {
  for (const [format, make] of Object.entries(FORMATS)) {
    test(format, async () => {
      const { sql, from } = make();
      const expected = await duckdbWindows(from);
      assert.equal(expected.length > 100, true);
      for (const mode of ['streaming', 'batch'] as const) {
        for (const parallelism of [1, 3]) {
          assert.deepEqual(await engineWindows(sql, mode, parallelism), expected, `${format}, ${mode}, parallelism ${parallelism}`);
        }
      }
    });
  }
});

test('rows are plain objects; each row is read exactly once at any parallelism', async () => {
  for (const parallelism of [1, 2, 3, 5]) {
    const env = StreamExecutionEnvironment.create({ parallelism });
    const out = Sinks.collect<Ev>();
    env.fromDuckDB<Ev>(`SELECT id, user, amount, ts FROM read_parquet(${s.lit('parts', '*', '*.parquet')})`).sinkTo(out);
    await env.execute('exactly once');
    const ids = out.values.map((e) => e.id).sort((a, b) => a - b);
    assert.equal(ids.length, 6000, `parallelism ${parallelism}`);
    assert.deepEqual(ids, Array.from({ length: 6000 }, (_, i) => i));
    assert.deepEqual(Object.keys(out.values[0]!).sort(), ['amount', 'id', 'ts', 'user']);
  }
});

test('types: timestamps → epoch ms, integers → number or bigint, DECIMAL → number, DATE → ISO string', async () => {
  const env = StreamExecutionEnvironment.create({ parallelism: 1 });
  const out = Sinks.collect<Record<string, unknown>>();
  env
    .fromDuckDB(`SELECT
      TIMESTAMP '2026-01-02 03:04:05.678' AS ts,
      TIMESTAMPTZ '2026-01-02 03:04:05.678+00' AS tstz,
      '2026-01-02 03:04:05'::TIMESTAMP_S AS ts_s,
      '1969-12-31 23:59:59.9999'::TIMESTAMP AS before_epoch,
      42::BIGINT AS small_big,
      9007199254740993::BIGINT AS huge_big,
      -9007199254740991::BIGINT AS min_safe,
      170141183460469231731687303715884105727::HUGEINT AS hugeint,
      12.34::DECIMAL(10,2) AS dec,
      DATE '2026-03-14' AS day,
      7::INTEGER AS int, 2.5::DOUBLE AS dbl, 'x' AS str, true AS flag, NULL AS nothing,
      [1, 2] AS list, {'a': 1, 'b': 'z'} AS struct`)
    .sinkTo(out);
  await env.execute('types');
  const r = out.values[0]!;
  assert.equal(r['ts'], Date.UTC(2026, 0, 2, 3, 4, 5, 678));
  assert.equal(r['tstz'], Date.UTC(2026, 0, 2, 3, 4, 5, 678));
  assert.equal(r['ts_s'], Date.UTC(2026, 0, 2, 3, 4, 5));
  assert.equal(r['before_epoch'], -1);
  assert.equal(r['small_big'], 42);
  assert.equal(r['huge_big'], 9007199254740993n);
  assert.equal(r['min_safe'], -9007199254740991);
  assert.equal(r['hugeint'], 170141183460469231731687303715884105727n);
  assert.equal(r['dec'], 12.34);
  assert.equal(r['day'], '2026-03-14');
  assert.equal(r['int'], 7);
  assert.equal(r['dbl'], 2.5);
  assert.equal(r['str'], 'x');
  assert.equal(r['flag'], true);
  assert.equal(r['nothing'], null);
  assert.deepEqual(r['list'], [1, 2]);
  assert.deepEqual(r['struct'], { a: 1, b: 'z' });
});

test('types: decimals of every width, and nulls, in whole columns', async () => {
  const env = StreamExecutionEnvironment.create({ parallelism: 1 });
  const out = Sinks.collect<Record<string, unknown>>();
  env
    .fromDuckDB(`SELECT i,
        CASE WHEN i % 3 = 0 THEN NULL ELSE (i - 2500) / 10 END::DECIMAL(4,1) AS d4,
        ((i - 2500) * 1.25)::DECIMAL(9,2) AS d9,
        ((i - 2500) * 1000.125)::DECIMAL(18,3) AS d18,
        ((i - 2500) * 123456789.5)::DECIMAL(38,1) AS d38,
        CASE WHEN i % 2 = 0 THEN NULL ELSE i END::BIGINT AS b,
        CASE WHEN i % 5 = 0 THEN NULL ELSE i * 0.5 END::DOUBLE AS f,
        CASE WHEN i % 7 = 0 THEN NULL ELSE TIMESTAMP '2026-01-01' + to_milliseconds(i) END AS t
      FROM range(5000) r(i) ORDER BY i`)
    .sinkTo(out);
  await env.execute('decimals');
  assert.equal(out.values.length, 5000);
  for (const r of out.values) {
    const i = r['i'] as number;
    assert.equal(r['d4'], i % 3 === 0 ? null : Math.round((i - 2500) / 10 * 10) / 10, `d4 at ${i}`);
    assert.equal(r['d9'], (i - 2500) * 1.25);
    assert.equal(r['d18'], (i - 2500) * 1000.125);
    assert.equal(r['d38'], (i - 2500) * 123456789.5);
    assert.equal(r['b'], i % 2 === 0 ? null : i);
    assert.equal(r['f'], i % 5 === 0 ? null : i * 0.5);
    assert.equal(r['t'], i % 7 === 0 ? null : Date.UTC(2026, 0, 1) + i);
  }
});

test('a reader resumes exactly from a snapshot position (by-file splits, mid-file)', async () => {
  const sql = `SELECT id FROM read_parquet(${s.lit('parts', '*', '*.parquet')})`;
  const options = { sql, name: 'resume', setup: [], rejects: false, split: 'auto' as const };
  for (let subtask = 0; subtask < 3; subtask++) {
    const ctx = { subtask, parallelism: 3, now: () => Date.now() };
    const full = new RecordingOutput<Record<string, unknown>>();
    const whole = new DuckDBQueryReader(options, ctx);
    await drive(whole, full);
    await whole.close();

    const first = new RecordingOutput<Record<string, unknown>>();
    const a = new DuckDBQueryReader(options, ctx);
    // Stop in the middle of a file (files hold 1500 rows; DuckDB chunks are 2048).
    const stopAt = Math.floor(full.values.length * 0.6);
    await drive(a, first, { batch: 100, until: () => first.values.length >= stopAt });
    const position = a.snapshotPosition();
    assert.ok(position.rows > 0, `position ${JSON.stringify(position)} is inside a split`);
    await a.close();
    const rest = new RecordingOutput<Record<string, unknown>>();
    const b = new DuckDBQueryReader(options, ctx);
    b.restorePosition(JSON.parse(JSON.stringify(position)));
    await drive(b, rest);
    await b.close();
    assert.deepEqual([...first.values, ...rest.values], full.values, `subtask ${subtask}, position ${JSON.stringify(position)}`);
  }
});

test('a query that is not row-wise is split by row hash, and still read exactly once', async () => {
  const from = `read_csv(${s.lit('events.csv')})`;
  const expected = await s.rows(`SELECT user, count(*) AS n FROM ${from} GROUP BY user`);
  const env = StreamExecutionEnvironment.create({ parallelism: 3 });
  const out = Sinks.collect<{ user: string; n: number }>();
  env.fromDuckDB<{ user: string; n: number }>(`SELECT user, count(*) AS n FROM ${from} GROUP BY user`).sinkTo(out);
  await env.execute('hash split');
  assert.deepEqual(
    sorted(out.values),
    sorted(expected.map((r) => ({ user: String(r['user']), n: Number(r['n']) }))),
  );
});
