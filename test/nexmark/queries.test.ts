/**
 * Every Nexmark query notebook gives nexmark-flink's answer: its output, in streaming and in
 * batch mode, at parallelism 1 and 2, equals the query's SQL run on DuckDB over the same
 * events (app/cli/nexmark/reference.ts). Small runs: 10,000 events spread over 20 s of event
 * time, so that the windowed queries see several windows.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runNexmarkQuery } from '../../app/cli/nexmark/run-query.ts';
import { NEXMARK_REFERENCES } from '../../app/cli/nexmark/reference.ts';
import { compareNexmarkOutput, nexmarkReferenceRows } from '../../app/cli/nexmark/verify.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const EVENTS = { events: 10_000, eventsPerSecond: 500 };
const RUNS = [
  { mode: 'streaming', parallelism: 1 },
  { mode: 'streaming', parallelism: 2 },
  { mode: 'batch', parallelism: 1 },
  { mode: 'batch', parallelism: 2 },
] as const;
/** Queries of one record at a time (no state, no time): two runs cover both modes and parallelisms. */
const STATELESS = new Set(['q0', 'q1', 'q2', 'q14', 'q21', 'q22']);

describe('Nexmark queries equal their DuckDB reference', () => {
  // Notebooks import 'weir' from the build.
  before(() => execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'pipe' }));

  for (const query of Object.keys(NEXMARK_REFERENCES)) {
    it(query, { timeout: 300_000 }, async () => {
      const expected = await nexmarkReferenceRows(query, EVENTS);
      assert.ok(expected.length > 0, `${query}'s reference is empty: nothing would be compared`);
      for (const run of STATELESS.has(query) ? [RUNS[1], RUNS[2]] : RUNS) {
        const result = await runNexmarkQuery({ query, ...EVENTS, ...run, taskManagers: 0, expected });
        assert.equal(result.verified, true, `${query}, ${run.mode}, parallelism ${run.parallelism}: differs from DuckDB:\n${(result.differences ?? []).join('\n')}`);
      }
    });
  }

  it('a result with a row missing or changed is not verified', async () => {
    const expected = await nexmarkReferenceRows('q2', EVENTS);
    const rows = expected.map((k) => {
      const [auction, price] = k.split('|').map(Number);
      return { auction, price };
    });
    assert.equal(compareNexmarkOutput('q2', rows, expected).verified, true);
    assert.equal(compareNexmarkOutput('q2', rows.slice(1), expected).verified, false);
    const changed = compareNexmarkOutput('q2', [{ ...rows[0]!, price: rows[0]!.price! + 1 }, ...rows.slice(1)], expected);
    assert.equal(changed.verified, false);
    assert.equal(changed.differences.length, 2);
  });
});
