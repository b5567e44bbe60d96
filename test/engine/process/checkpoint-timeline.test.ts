/**
 * The checkpoint timeline of a cluster job as its JobClient lists it: every checkpoint since the
 * job started, in order and each once, the same as the final report, although each status poll
 * carries only the checkpoints that had not settled at the previous one; per-operator detail
 * only for the newest. Counted in entries (the old client kept the whole history, every entry
 * detailed, and got all of it on every poll).
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DETAILED_CHECKPOINTS } from '../../../engine/checkpoint/checkpoint-history.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

describe('checkpoint timeline on the cluster', () => {
  before(() => {
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'pipe' });
  });

  it('lists every checkpoint once, as the report does, with detail for the newest only', () => {
    const wanted = 3 * DETAILED_CHECKPOINTS;
    const r = spawnSync(process.execPath, [path.join(root, 'bin/weir.mjs'), 'run', path.join(root, 'test/fixtures/cluster/checkpoint-timeline.ts'), '--taskmanagers', '2'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, WEIR_TEST_CHECKPOINTS: String(wanted) },
      timeout: 180_000,
    });
    assert.equal(r.status, 0, r.stderr);
    const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
    assert.ok(line, `the fixture printed its timeline: ${r.stdout}`);
    const t = JSON.parse(line) as { status: string; listed: [number, string][]; reported: [number, string][]; detailed: number; newestDetail: number };
    assert.equal(t.status, 'CANCELED');
    assert.ok(t.listed.filter(([, s]) => s === 'COMPLETED').length >= wanted);
    assert.deepEqual(
      t.listed.map(([id]) => id),
      Array.from({ length: t.listed.length }, (_, i) => i + 1),
      'ids 1, 2, 3, ... each once',
    );
    assert.deepEqual(t.listed, t.reported, 'the client lists what the report has, every status settled');
    assert.ok(t.detailed <= DETAILED_CHECKPOINTS, `${t.detailed} entries keep per-operator detail`);
    assert.ok(t.newestDetail > 0, 'the newest completed checkpoint has its per-operator sizes');
  });
});
