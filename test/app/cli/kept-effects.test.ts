/**
 * A statement that builds the job graph is kept on the taskmanagers (app/kernel/slice.ts), and
 * an effect inside it runs again there: `weir run` says which statement, by cell and line, when
 * it submits the job to taskmanagers (app/kernel/kept-effects.ts).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { notebookFolder } from '../../harness/weir-run.ts';
import { lineOf } from '../kernel/fixtures.ts';

const NOTEBOOK = `// %%
import { StreamExecutionEnvironment, Sinks } from 'weir';
import { appendFileSync } from 'node:fs';
const log = process.env.WEIR_TEST_LOG!;
const env = StreamExecutionEnvironment.create({ parallelism: 2 });
const out = Sinks.collect<number>();
function source(n: number) {
  appendFileSync(log, \`made \${process.pid}\\n\`);
  return env.fromElements(n);
}

// %%
const tens = source(10);
tens.sinkTo(out);
if (log) {
  appendFileSync(log, \`kept \${process.pid}\\n\`);
  env.fromElements(1, 2, 3).map((x) => x * 2).sinkTo(out);
}
appendFileSync(log, \`skipped \${process.pid}\\n\`);
await env.execute('doubled');
console.log(\`values: \${[...out.values].sort().join(',')}\`);
`;

describe('effects of statements kept on taskmanagers', () => {
  const { dir, weir } = notebookFolder('kept-effects', { 'n.ts': NOTEBOOK });

  it('weir run names the kept statement that writes a file, by cell and line, also inside a function it calls, and the job is right', () => {
    const log = path.join(dir, 'effects.log');
    const r = weir(['run', 'n.ts', '--taskmanagers', '2'], { env: { WEIR_TEST_LOG: log } });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /^values: 10,2,4,6$/m);
    const line = lineOf(NOTEBOOK, 'appendFileSync(log, `kept');
    const made = lineOf(NOTEBOOK, 'appendFileSync(log, `made');
    const notes = r.stderr.split('\n').filter((l) => l.startsWith('note: cell'));
    assert.deepEqual(notes, [
      `note: cell 2, line ${lineOf(NOTEBOOK, 'const tens')}: a statement that builds job 'doubled' also writes files (appendFileSync in source, cell 1, line ${made}): it runs again on each taskmanager that rebuilds the job; move the effect to a statement of its own to run it once`,
      `note: cell 2, line ${line}: a statement that builds job 'doubled' also writes files (appendFileSync): it runs again on each taskmanager that rebuilds the job; move the effect to a statement of its own to run it once`,
    ]);
    // What the note says: the kept write ran in weir run and again in a taskmanager; the skipped one once.
    assert.ok(existsSync(log));
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    assert.equal(lines.filter((l) => l === `skipped ${r.pid}`).length, 1, lines.join('\n'));
    assert.ok(lines.filter((l) => l.startsWith('kept ') && l !== `kept ${r.pid}`).length >= 1, lines.join('\n'));
    assert.ok(lines.filter((l) => l.startsWith('made ') && l !== `made ${r.pid}`).length >= 1, lines.join('\n'));
  });
});
