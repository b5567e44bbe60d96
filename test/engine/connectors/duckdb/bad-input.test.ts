/**
 * Bad input: missing files and malformed lines fail the job with an error that names the file
 * (and the line when DuckDB knows it); with `rejects`, bad rows go to a side output instead.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { OutputTag, Sinks, StreamExecutionEnvironment, type RejectedRow } from '../../../../engine/index.node.ts';
import { closeDuckDB } from '../../../../engine/connectors/duckdb/instance.ts';
import { locateInputError } from '../../../../engine/connectors/duckdb/errors.ts';
import { Scratch } from './fixtures.ts';
import { installExecutionHost } from '../../../../engine/runtime/host.ts';
import path from 'node:path';

const s = new Scratch('bad-input');
let bigCsv = '';
let badNdjson = '';
before(() => {
  // The bad lines come after DuckDB's sniffing sample, so the schema is detected from good rows.
  const lines = ['user,amount,ts'];
  for (let i = 0; i < 30_000; i++) {
    if (i === 25_000) lines.push('u1,not-a-number,2026-01-01 00:00:00');
    else if (i === 26_000) lines.push('u2,5');
    else lines.push(`u${i % 7},${i % 13},2026-01-01 00:00:${String(i % 60).padStart(2, '0')}`);
  }
  bigCsv = s.write('clicks.csv', lines.join('\n') + '\n');
  badNdjson = s.write('bad.ndjson', '{"a": 1}\n{"a": 2}\n{"a": 3, oops\n');
});
after(async () => {
  await closeDuckDB();
  s.close();
});

async function failure(sql: string): Promise<Error> {
  const env = StreamExecutionEnvironment.create({ parallelism: 1 });
  env.fromDuckDB(sql).sinkTo(Sinks.collect());
  try {
    await env.execute('bad input');
  } catch (e) {
    return e as Error;
  }
  assert.fail('the job should have failed');
}

test('a missing file fails the job with an error naming the file', async () => {
  const e = await failure(`SELECT * FROM ${s.lit('nope.csv')}`);
  assert.equal(e.name, 'JobExecutionError');
  assert.match(e.message, /no file matches \/.*nope\.csv/);
  const glob = await failure(`SELECT * FROM read_parquet(${s.lit('none', '*.parquet')})`);
  assert.match(glob.message, /no file matches \/.*none\/\*\.parquet/);
});

test('a relative file resolves against the base directory of the host, and a missing one names the absolute path', async () => {
  const good = s.write('good.csv', 'id,v\n1,10\n2,20\n3,30\n');
  const dir = path.dirname(good);
  const restore = installExecutionHost({ defaults: { baseDir: dir } });
  try {
    const env = StreamExecutionEnvironment.create({ parallelism: 2 });
    const out = Sinks.collect<Record<string, unknown>>();
    env.fromDuckDB(`SELECT v FROM '${path.basename(good)}'`).sinkTo(out);
    const missing = StreamExecutionEnvironment.create({ parallelism: 1 });
    missing.fromDuckDB("SELECT * FROM 'sub/nope.csv'").sinkTo(Sinks.collect());
    await env.execute('relative');
    assert.deepEqual(out.values.map((r) => Number(r['v'])).sort(), [10, 20, 30]);
    await assert.rejects(missing.execute('missing'), (e: Error) => e.message.includes(`no file matches ${path.join(dir, 'sub/nope.csv')} ('sub/nope.csv' in the query, relative to ${dir})`));
  } finally {
    restore();
  }
});

test('malformed CSV lines fail the job with the file, every line and why', async () => {
  // The sniffer saw only numbers in 'amount' (BIGINT); line 25002 does not convert, 26002 is short.
  const e = await failure(`SELECT * FROM '${bigCsv}'`);
  assert.match(e.message.split('\n')[0]!, /2 rows rejected in \/.*clicks\.csv:$/);
  assert.match(e.message, /clicks\.csv:25002: CAST in column "amount": .*Could not convert string "not-a-number".* — "u1,not-a-number,2026-01-01 00:00:00"/);
  assert.match(e.message, /clicks\.csv:26002: MISSING COLUMNS.*Expected Number of Columns: 3 Found: 2 — "u2,5"/);
  assert.match(e.message, /rejects: new OutputTag<RejectedRow>/, 'says how to keep going');
  // Read as text, the only bad line is the short one.
  const short = await failure(`SELECT * FROM read_csv('${bigCsv}', all_varchar = true)`);
  assert.match(short.message, /1 row rejected in .*clicks\.csv:\n\s+.*clicks\.csv:26002: MISSING COLUMNS/);
});

test("a CSV with one short row in the sniffer's sample fails rather than being read as one text column", async () => {
  // DuckDB's sniffer, meeting line 4 with 2 of 5 columns, read this file as a single VARCHAR
  // column 'id,name,amount,ts,flag' and returned every line as one string.
  const file = s.write('short-row.csv', 'id,name,amount,ts,flag\n1,a,10,2024-01-01,true\n2,b,20,2024-01-02,false\n3,c\n4,d,40,2024-01-04,true\n5,e,50,2024-01-05,false\n6,f,60,2024-01-06,true\n');
  const e = await failure(`SELECT * FROM '${file}'`);
  assert.match(e.message, /1 row rejected in .*short-row\.csv:\n\s+.*short-row\.csv:4: MISSING COLUMNS.* — "3,c"/);
  // With rejects, the five good rows come out with their five columns, the short one aside.
  const env = StreamExecutionEnvironment.create({ parallelism: 1 });
  const rejects = new OutputTag<RejectedRow>('rejects');
  const good = Sinks.collect<Record<string, unknown>>();
  const bad = Sinks.collect<RejectedRow>();
  const rows = env.fromDuckDB(`SELECT * FROM '${file}'`, { rejects });
  rows.sinkTo(good);
  rows.getSideOutput(rejects).sinkTo(bad);
  await env.execute('short row');
  assert.deepEqual(good.values.map((r) => Object.keys(r)), Array(5).fill(['id', 'name', 'amount', 'ts', 'flag']));
  assert.deepEqual(good.values.map((r) => Number(r.id)).sort(), [1, 2, 4, 5, 6]);
  assert.deepEqual(bad.values.map((r) => [r.line, r.errorType, r.text]), [[4, 'MISSING COLUMNS', '3,c']]);
});

test('malformed JSON names the file and the line', async () => {
  const e = await failure(`SELECT * FROM read_json('${badNdjson}')`);
  assert.match(e.message, /bad\.ndjson/);
  // DuckDB's own line count (it says line 4 for the third line of this file).
  assert.match(e.message.split('\n')[0]!, /bad\.ndjson, line \d+/);
});

test('with rejects, bad CSV rows go to a side output and the job continues', async () => {
  for (const parallelism of [1, 3]) {
    const env = StreamExecutionEnvironment.create({ parallelism });
    const rejects = new OutputTag<RejectedRow>('rejects');
    const good = Sinks.collect<Record<string, unknown>>();
    const bad = Sinks.collect<RejectedRow>();
    const rows = env.fromDuckDB(`SELECT * FROM read_csv('${bigCsv}', columns = {'user': 'VARCHAR', 'amount': 'INTEGER', 'ts': 'TIMESTAMP'}, header = true)`, { rejects });
    rows.sinkTo(good);
    rows.getSideOutput(rejects).sinkTo(bad);
    await env.execute('rejects');
    assert.equal(good.values.length, 29_998, `parallelism ${parallelism}`);
    assert.equal(bad.values.length, 2, `parallelism ${parallelism}`);
    const [cast, short] = [...bad.values].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
    assert.equal(cast!.file, bigCsv);
    assert.equal(cast!.line, 25_002);
    assert.equal(cast!.column, 'amount');
    assert.equal(cast!.errorType, 'CAST');
    assert.equal(cast!.text, 'u1,not-a-number,2026-01-01 00:00:00');
    assert.equal(short!.line, 26_002);
    assert.equal(short!.errorType, 'MISSING COLUMNS');
  }
});

test('rejects also work for a FROM-file scan and in a replay', async () => {
  const env = StreamExecutionEnvironment.create({ parallelism: 1 });
  const rejects = new OutputTag<RejectedRow>('rejects');
  const bad = Sinks.collect<RejectedRow>();
  const good = Sinks.collect<Record<string, unknown>>();
  const replayed = env.replay({ sql: `SELECT * FROM '${bigCsv}'`, timestampColumn: 'ts', speed: 'max', rejects });
  replayed.sinkTo(good);
  replayed.getSideOutput(rejects).sinkTo(bad);
  await env.execute('replay rejects');
  assert.deepEqual(bad.values.map((r) => [r.line, r.errorType]), [[25_002, 'CAST'], [26_002, 'MISSING COLUMNS']]);
  assert.equal(good.values.length, 29_998);
});

test('a replay fails on bad CSV lines without rejects, before it emits anything', async () => {
  const env = StreamExecutionEnvironment.create({ parallelism: 1 });
  const good = Sinks.collect<Record<string, unknown>>();
  env.replay({ sql: `SELECT * FROM '${bigCsv}'`, timestampColumn: 'ts', speed: 'max' }).sinkTo(good);
  await assert.rejects(env.execute('replay bad'), /replay 'Replay': 2 rows rejected in .*clicks\.csv:\n.*clicks\.csv:25002: CAST/);
  assert.equal(good.values.length, 0);
});

test('a replay sends rows without an event time to the rejects, or fails naming them', async () => {
  const file = s.write('untimed.csv', 'id,ts\n1,2026-01-01 00:00:01\n2,\n3,2026-01-01 00:00:03\n4,\n');
  const sql = `SELECT * FROM read_csv('${file}', columns = {'id': 'INTEGER', 'ts': 'TIMESTAMP'}, header = true)`;
  // As DuckDB sees the file: two rows have no timestamp.
  const env = StreamExecutionEnvironment.create({ parallelism: 1 });
  const rejects = new OutputTag<RejectedRow>('rejects');
  const good = Sinks.collect<Record<string, unknown>>();
  const bad = Sinks.collect<RejectedRow>();
  const replayed = env.replay({ sql, timestampColumn: 'ts', speed: 'max', rejects });
  replayed.sinkTo(good);
  replayed.getSideOutput(rejects).sinkTo(bad);
  await env.execute('untimed rejects');
  assert.deepEqual(good.values.map((r) => r.id), [1, 3]);
  assert.deepEqual(
    bad.values.map((r) => [r.file, r.column, r.errorType, JSON.parse(r.text!).id]),
    [
      [file, 'ts', 'NULL EVENT TIME', 2],
      [file, 'ts', 'NULL EVENT TIME', 4],
    ],
  );

  const strict = StreamExecutionEnvironment.create({ parallelism: 1 });
  const none = Sinks.collect<Record<string, unknown>>();
  strict.replay({ sql, timestampColumn: 'ts', speed: 'max' }).sinkTo(none);
  await assert.rejects(strict.execute('untimed'), /replay 'Replay': 2 rows rejected in .*untimed\.csv:\n.*untimed\.csv: NULL EVENT TIME in column "ts": timestampColumn 'ts' is NULL.* — "\{\\"id\\":2,\\"ts\\":null\}"/);
  assert.equal(none.values.length, 0, 'nothing replayed before the failure');
});

test('error locations are read out of DuckDB messages', () => {
  assert.deepEqual(locateInputError('Invalid Input Error: CSV Error on Line: 12\nOriginal Line: x\n\n  file = /d/a.csv\n'), { file: '/d/a.csv', line: 12 });
  assert.deepEqual(locateInputError('Invalid Input Error: Malformed JSON in file "x.json", at byte 3 in line 7: unexpected'), { file: 'x.json', line: 7 });
  assert.deepEqual(locateInputError('Conversion Error: Error when converting column "amount". Could not convert'), { column: 'amount' });
});
