/**
 * Checkpoints of a job whose records are slow (test/fixtures/cluster/slow-map-checkpoints.ts: a
 * map that waits 200 ms per record) complete while it runs, on two taskmanagers, with the map
 * chained to its source and behind a channel. Before records were taken in steps of a bounded
 * time (engine/runtime/step-budget.ts), one source step ran 512 records through the map (100 s)
 * and no checkpoint could be triggered in between; before buffer debloating, the barrier waited
 * behind thousands of queued records.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const notebook = path.join(root, 'test/fixtures/cluster/slow-map-checkpoints.ts');
const weirBin = path.join(root, 'bin/weir.mjs');
/**
 * A checkpoint takes a few 200 ms steps of the map (its state is written between them): about
 * 3 s at load 20 on 2 cores. The bound only catches a barrier held up behind the queued records.
 */
const CHECKPOINT_BOUND_MS = 60_000;

describe('checkpoints of a job with a map that takes 200 ms per record, on two taskmanagers', () => {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'weir-slow-records-'));
  before(() => execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'pipe' }));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  for (const [where, env] of [
    ['chained to the source', {}],
    ['behind a channel (rebalance)', { WEIR_SLOW_MAP_CHANNEL: '1' }],
  ] as const) {
    it(`complete while the job runs, the map ${where}`, { timeout: 300_000 }, () => {
      // The job is endless: it is cancelled once three checkpoints have completed.
      const r = spawnSync(process.execPath, [weirBin, 'run', notebook, '--taskmanagers', '2', '--quiet'], {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, TMPDIR: scratch, ...env },
        timeout: 280_000,
        killSignal: 'SIGKILL',
      });
      assert.equal(r.status, 0, `${r.stderr}\n${r.stdout.slice(-2000)}`);
      const checkpoints = [...r.stdout.matchAll(/^checkpoint (.+)$/gm)].map((m) => JSON.parse(m[1]!) as { id: number; durationMs: number });
      assert.ok(checkpoints.length >= 3, r.stdout);
      for (const c of checkpoints) assert.ok(c.durationMs < CHECKPOINT_BOUND_MS, `checkpoint ${c.id} took ${c.durationMs} ms`);
      const mapped = Number(/^mapped (\d+)$/m.exec(r.stdout)?.[1]);
      assert.ok(mapped > 0, 'the maps were running');
    });
  }
});
