import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeNotebook } from '../../../app/kernel/compile.ts';
import { parseNotebook } from '../../../app/shared/notebook/format.ts';
import { lineOf } from './fixtures.ts';

/** The kept effects of every code cell of `text`, as [cell, file line, what]. */
function keptEffectsOf(text: string): [number, number, string][] {
  return analyzeNotebook(parseNotebook(text)).flatMap((c) => c.slice.effects.map((e): [number, number, string] => [c.index + 1, c.startLine + e.line - 1, e.what]));
}

describe('keptEffects: effects inside the notebook functions a kept statement calls', () => {
  const NOTEBOOK = `// %%
import { StreamExecutionEnvironment } from 'weir';
import { writeFileSync, rmSync } from 'node:fs';
const env = StreamExecutionEnvironment.create();
function clean(dir: string) {
  rmSync(dir, { recursive: true, force: true });
}
const makeSource = (n: number) => {
  writeFileSync('made.txt', String(n));
  clean('out');
  return env.fromElements(n).map((x) => { console.log(x); return x; });
};
function unused() {
  writeFileSync('never.txt', '');
}
// %%
const src = makeSource(3);
src.print();
console.log('built');
function rebuild(): void { writeFileSync('again.txt', ''); rebuild(); }
if (src) { rebuild(); src.print(); }
await env.execute('made');
`;

  it('names the effect with its line, its function and the line of the kept statement, across cells and through calls', () => {
    const call = lineOf(NOTEBOOK, 'const src = makeSource(3)');
    const write = lineOf(NOTEBOOK, "writeFileSync('made.txt'");
    const rm = lineOf(NOTEBOOK, 'rmSync(dir');
    const again = lineOf(NOTEBOOK, "writeFileSync('again.txt'");
    assert.deepEqual(keptEffectsOf(NOTEBOOK), [
      [2, call, `writes files (writeFileSync in makeSource, cell 1, line ${write})`],
      [2, call, `writes files (rmSync in makeSource → clean, cell 1, line ${rm})`],
      // A recursive function is followed once; the skipped console.log and the map callback's print are not effects of kept statements.
      [2, lineOf(NOTEBOOK, 'if (src) { rebuild();'), `writes files (writeFileSync in rebuild, cell 2, line ${again})`],
    ]);
  });

  it('stops following a name a later cell declares again', () => {
    const text = `${NOTEBOOK}// %%
const makeSource = (n: number) => env.fromElements(n);
makeSource(4).print();
await env.execute('again');
`;
    assert.deepEqual(keptEffectsOf(text).filter(([cell]) => cell === 3), []);
  });
});
