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

test('a malformed CSV line fails the job with the file and the line', async () => {
  // The sniffer saw only numbers in 'amount' (BIGINT); line 25002 does not convert.
  const e = await failure(`SELECT * FROM '${bigCsv}'`);
  assert.match(e.message.split('\n')[0]!, /in \/.*clicks\.csv, line 25002, column "amount"/);
  assert.match(e.message, /Could not convert string "not-a-number"/);
  // Read as text, the first bad line is the short one.
  const short = await failure(`SELECT * FROM read_csv('${bigCsv}', all_varchar = true)`);
  assert.match(short.message.split('\n')[0]!, /clicks\.csv, line 26002/);
  assert.match(short.message, /Expected Number of Columns: 3 Found: 2/);
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

test('error locations are read out of DuckDB messages', () => {
  assert.deepEqual(locateInputError('Invalid Input Error: CSV Error on Line: 12\nOriginal Line: x\n\n  file = /d/a.csv\n'), { file: '/d/a.csv', line: 12 });
  assert.deepEqual(locateInputError('Invalid Input Error: Malformed JSON in file "x.json", at byte 3 in line 7: unexpected'), { file: 'x.json', line: 7 });
  assert.deepEqual(locateInputError('Conversion Error: Error when converting column "amount". Could not convert'), { column: 'amount' });
});
