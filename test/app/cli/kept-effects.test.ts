/**
 * A statement that builds the job graph is kept on the taskmanagers (app/kernel/slice.ts), and
 * an effect inside it runs again there: `weir run` says which statement, by cell and line, when
 * it submits the job to taskmanagers (app/kernel/kept-effects.ts).
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { lineOf } from '../kernel/fixtures.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

const NOTEBOOK = `// %%
import { StreamExecutionEnvironment, Sinks } from 'weir';
import { appendFileSync } from 'node:fs';
const log = process.env.WEIR_TEST_LOG!;
const env = StreamExecutionEnvironment.create({ parallelism: 2 });
const out = Sinks.collect<number>();

// %%
if (log) {
  appendFileSync(log, \`kept \${process.pid}\\n\`);
  env.fromElements(1, 2, 3).map((x) => x * 2).sinkTo(out);
}
appendFileSync(log, \`skipped \${process.pid}\\n\`);
await env.execute('doubled');
console.log(\`values: \${[...out.values].sort().join(',')}\`);
`;

describe('effects of statements kept on taskmanagers', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'weir-kept-effects-test-'));
  before(() => {
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'pipe' });
    writeFileSync(path.join(dir, 'n.ts'), NOTEBOOK);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('weir run names the kept statement that writes a file, by cell and line, and the job is right', () => {
    const log = path.join(dir, 'effects.log');
    const r = spawnSync(process.execPath, [path.join(root, 'bin/weir.mjs'), 'run', 'n.ts', '--taskmanagers', '2'], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 180_000,
      env: { ...process.env, WEIR_TEST_LOG: log },
    });
    assert.equal(r.status, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /^values: 2,4,6$/m);
    const line = lineOf(NOTEBOOK, 'appendFileSync(log, `kept');
    const notes = r.stderr.split('\n').filter((l) => l.startsWith('note: cell'));
    assert.deepEqual(notes, [
      `note: cell 2, line ${line}: a statement that builds job 'doubled' also writes files (appendFileSync): it runs again on each taskmanager that rebuilds the job; move the effect to a statement of its own to run it once`,
    ]);
    // What the note says: the kept write ran in weir run and again in a taskmanager; the skipped one once.
    assert.ok(existsSync(log));
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    assert.equal(lines.filter((l) => l === `skipped ${r.pid}`).length, 1, lines.join('\n'));
    assert.ok(lines.filter((l) => l.startsWith('kept ') && l !== `kept ${r.pid}`).length >= 1, lines.join('\n'));
  });
});
