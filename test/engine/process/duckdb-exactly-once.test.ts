/**
 * A job that reads Parquet files through DuckDB and writes windowed counts into a DuckDB table
 * with the exactly-once sink is killed mid-file (SIGKILL of a taskmanager, twice per run); it
 * resumes from its checkpoint, and the table ends identical to a failure-free run and to
 * DuckDB's own GROUP BY over the files. Both sources: `fromDuckDB` (split by file over two
 * subtasks, positions mid-file) and `replay`.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { descendants, prng } from '../../harness/processes.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const notebook = path.join(root, 'test/fixtures/cluster/duckdb-exactly-once.ts');
const weirBin = path.join(root, 'bin/weir.mjs');

async function query(database: string, sql: string): Promise<string[]> {
  const instance = await DuckDBInstance.create(database, database === ':memory:' ? {} : { access_mode: 'READ_ONLY' });
  const conn = await instance.connect();
  try {
    const reader = await conn.runAndReadAll(sql);
    return reader.getRowObjectsJson().map(windowRow);
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/** One window as comparable text, whatever numeric types DuckDB chose for the columns. */
function windowRow(row: Record<string, unknown>): string {
  return JSON.stringify({ user: row['user'], minute: Number(row['minute']), n: Number(row['n']), amount: Number(row['amount']) });
}

const WINDOWS_SQL = 'SELECT "user", minute, n, amount FROM windows ORDER BY "user", minute';

/** Ids of the completed checkpoints under a checkpoint directory. */
function completedCheckpoints(checkpointDir: string): number[] {
  if (!existsSync(checkpointDir)) return [];
  return readdirSync(checkpointDir).flatMap((job) =>
    job === 'savepoints' ? [] : readdirSync(path.join(checkpointDir, job)).filter((d) => existsSync(path.join(checkpointDir, job, d, '_metadata'))).map((d) => Number(d.slice(4))),
  );
}

describe('exactly-once into DuckDB under SIGKILL', () => {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'weir-duckdb-eo-'));
  const input = path.join(scratch, 'input');
  let expected: string[] = [];
  let n = 0;

  before(async () => {
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'pipe' });
    mkdirSync(input);
    // 48,000 events half a second apart over 13 users, alternating between two files that each
    // span the whole day: 400 one-minute windows per user.
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    for (const part of [0, 1]) {
      await conn.run(
        `COPY (SELECT 'u' || ((i * 7) % 13) AS "user", TIMESTAMP '2026-03-01' + to_milliseconds(i * 500) AS ts, (i * 31) % 97 AS amount
               FROM range(48000) t(i) WHERE i % 2 = ${part} ORDER BY i) TO '${path.join(input, `part-${part}.parquet`)}' (FORMAT parquet)`,
      );
    }
    const rows = await conn.runAndReadAll(
      `SELECT "user", epoch_ms(time_bucket(INTERVAL 1 MINUTE, ts)) AS minute, count(*) AS n, sum(amount) AS amount
       FROM read_parquet('${input}/*.parquet') GROUP BY ALL ORDER BY "user", minute`,
    );
    expected = rows.getRowObjectsJson().map(windowRow);
    conn.closeSync();
    instance.closeSync();
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  /** Runs the job; with kills, SIGKILLs a taskmanager each time a new checkpoint has completed. */
  async function run(source: string, kills: number, random: () => number): Promise<{ rows: string[]; restarts: number }> {
    const dir = path.join(scratch, `run-${n++}`);
    const checkpointDir = path.join(dir, 'checkpoints');
    const report = path.join(dir, 'report.json');
    const database = path.join(dir, 'out.duckdb');
    mkdirSync(dir);
    const child = spawn(process.execPath, [weirBin, 'run', notebook, '--taskmanagers', '2', '--checkpoint-dir', checkpointDir, '--report', report], {
      cwd: root,
      env: { ...process.env, WEIR_TEST_INPUT: input, WEIR_TEST_SOURCE: source, WEIR_TEST_DB: database },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.resume();
    let exitCode: number | null | undefined;
    const exited = new Promise<void>((resolve) =>
      child.on('exit', (code) => {
        exitCode = code;
        resolve();
      }),
    );
    let newest = 0;
    for (let k = 0; k < kills && exitCode === undefined; k++) {
      // After a checkpoint newer than the last kill's, at a random moment before the next one.
      while (exitCode === undefined && Math.max(0, ...completedCheckpoints(checkpointDir)) <= newest) await new Promise((r) => setTimeout(r, 10));
      newest = Math.max(0, ...completedCheckpoints(checkpointDir));
      await new Promise((r) => setTimeout(r, Math.floor(random() * 150)));
      const tms = descendants(child.pid!, /^weir-taskmanager/).map((p) => p.pid);
      if (tms.length > 0) process.kill(tms[Math.floor(random() * tms.length)]!, 'SIGKILL');
    }
    await exited;
    assert.equal(exitCode, 0, `the ${source} job failed:\n${stderr}`);
    const job = JSON.parse(readFileSync(report, 'utf8')).jobs[0] as { restarts: number };
    return { rows: await query(database, WINDOWS_SQL), restarts: job.restarts };
  }

  for (const source of ['files', 'replay']) {
    it(`${source}: killed mid-file twice, the table ends identical to a failure-free run`, { timeout: 5 * 60_000 }, async () => {
      const clean = await run(source, 0, Math.random);
      assert.equal(clean.restarts, 0);
      assert.equal(clean.rows.length, 13 * 400);
      assert.deepEqual(clean.rows, expected, "the failure-free run equals DuckDB's GROUP BY");
      const random = prng(source === 'files' ? 2026 : 1122);
      for (let attempt = 0; attempt < 2; attempt++) {
        const killed = await run(source, 2, random);
        assert.ok(killed.restarts >= 1, `run ${attempt}: the job restarted (${killed.restarts} restarts)`);
        assert.deepEqual(killed.rows, clean.rows, `run ${attempt}: the table differs from the failure-free run`);
      }
    });
  }
});
