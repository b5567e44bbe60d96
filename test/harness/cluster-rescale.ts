/**
 * Rescaling from a savepoint on two taskmanagers, as the cluster rescale test files run it: every
 * case is stopped with a savepoint at parallelism p (all cases one after the other in one
 * `weir run`, sharing its cluster, each once some of its input was read) and resumed at q with
 * `weir run --from-savepoint`. The exactly-once JSONL output must be exactly the windows
 * arithmetic expects (0 lost, 0 duplicated), and the operator list, union and broadcast states
 * must come back whole. The job is test/fixtures/rescale/rescale-job.ts, run by the notebook
 * test/fixtures/cluster/rescale.ts.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { committedLines } from './jsonl-output.ts';
import { EVENTS, assertStatesWhole, eventsCsv, expectedWindows, windowLine, type RescaleSource, type StateReport, type WindowSum } from '../fixtures/rescale/rescale-job.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const notebook = path.join(root, 'test/fixtures/cluster/rescale.ts');
const weirBin = path.join(root, 'bin/weir.mjs');

/** One case: a source kind stopped at parallelism p and resumed at q. */
export interface RescaleCase {
  name: string;
  source: RescaleSource;
  p: number;
  q: number;
}

/** The cases p → q for each source kind. */
export function rescaleCases(sources: RescaleSource[], steps: [p: number, q: number][]): RescaleCase[] {
  return sources.flatMap((source) => steps.map(([p, q]) => ({ name: `rescale ${source} ${p} to ${q}`, source, p, q })));
}

/**
 * Declares the suite: the stopping run in `before`, one test per case resuming it.
 *
 * @example
 * describeClusterRescale('rescale on two taskmanagers', rescaleCases(['generator'], [[2, 3]]));
 */
export function describeClusterRescale(title: string, cases: RescaleCase[]): void {
  describe(title, () => {
    const scratch = mkdtempSync(path.join(os.tmpdir(), 'weir-rescale-cluster-'));
    const csv = path.join(scratch, 'events.csv');
    const savepoints = new Map<string, string>();
    let stopOutput = '';
    // A private TMPDIR: the runs' own temp folders stay in the scratch folder, removed at the end.
    const env = (extra: Record<string, string>) => ({ ...process.env, TMPDIR: scratch, WEIR_TEST_OUT: scratch, WEIR_RESCALE_CSV: csv, ...extra });

    before(() => {
      execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'pipe' });
      writeFileSync(csv, eventsCsv());
      const r = spawnSync(process.execPath, [weirBin, 'run', notebook, '--taskmanagers', '2', '--savepoint-dir', path.join(scratch, 'savepoints')], {
        cwd: root,
        encoding: 'utf8',
        env: env({ WEIR_RESCALE_PHASE: 'stop', WEIR_RESCALE_CASES: JSON.stringify(cases) }),
        timeout: 60_000 * cases.length,
        killSignal: 'SIGKILL',
      });
      assert.equal(r.status, 0, `${r.stderr}\n${r.stdout.slice(-2000)}`);
      for (const m of r.stdout.matchAll(/^savepoint (.+): (.+)$/gm)) savepoints.set(m[1]!, m[2]!);
      stopOutput = r.stdout;
    });
    after(() => rmSync(scratch, { recursive: true, force: true }));

    const expected = expectedWindows();
    for (const c of cases) {
      it(`${c.source}: stopped at parallelism ${c.p}, resumed at ${c.q}, gives the uninterrupted output`, { timeout: 180_000 }, () => {
        const savepoint = savepoints.get(c.name);
        assert.ok(savepoint, `the first run stopped '${c.name}' with a savepoint:\n${stopOutput.split('\n').filter((l) => l.includes(c.name)).join('\n')}`);
        const before = committedLines(path.join(scratch, c.name, 'windows')).length;
        assert.ok(before < expected.length, 'stopped before its end');
        const r = spawnSync(process.execPath, [weirBin, 'run', notebook, '--taskmanagers', '2', '--from-savepoint', savepoint], {
          cwd: root,
          encoding: 'utf8',
          env: env({ WEIR_RESCALE_PHASE: 'resume', WEIR_RESCALE_CASE: JSON.stringify(c) }),
          timeout: 170_000,
          killSignal: 'SIGKILL',
        });
        assert.equal(r.status, 0, `${r.stderr}\n${r.stdout.slice(-2000)}`);
        const lines = committedLines(path.join(scratch, c.name, 'windows'))
          .map((l) => windowLine(JSON.parse(l) as WindowSum))
          .sort();
        const lost = expected.filter((l) => !lines.includes(l)).length;
        assert.deepEqual({ lost, extra: lines.length - (expected.length - lost) }, { lost: 0, extra: 0 }, `${before} windows were committed before the stop`);
        assert.deepEqual(lines, expected);

        const states = [...r.stdout.matchAll(/^state (.+)$/gm)].map((m) => JSON.parse(m[1]!) as StateReport);
        assertStatesWhole(states, c.p, c.q, EVENTS, EVENTS);
      });
    }
  });
}
