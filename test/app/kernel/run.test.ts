import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { runNotebook } from '../../../app/kernel/run.ts';
import { columnOf, lineOf, notebookDir, probe, type NotebookDir } from './fixtures.ts';

const dirs: NotebookDir[] = [];
after(() => dirs.forEach((d) => d.remove()));

/** Writes a notebook (and files beside it) and runs it against the fake engine. */
async function run(text: string, files: Record<string, string> = {}, options: Parameters<typeof runNotebook>[1] = {}) {
  const nb = notebookDir(text, files);
  dirs.push(nb);
  const result = await runNotebook(nb.notebook, { weirModule: nb.weirModule, ...options });
  return { nb, result };
}

describe('runNotebook: scope across cells', () => {
  it('makes imports and top-level declarations of a cell visible to later cells', async () => {
    const log = probe('__scope');
    const { result } = await run(`import { engineName } from 'weir';
import path from 'node:path';
// %% Declarations
const answer = 42;
let mutable = 'let';
var old = 'var';
function double(x: number): number { return x * 2; }
class Point { constructor(readonly x: number) {} }
enum Color { Red = 'red' }
const { a, nested: { b }, list: [first, , third] } = { a: 1, nested: { b: 2 }, list: [10, 20, 30] };
interface Shape { area(): number }
type Id = string;
// %% Use them
const shape: Shape = { area: () => double(answer) };
const id: Id = 'p';
(globalThis as any).__scope.push(engineName, path.basename('/x/y.txt'), shape.area(), mutable, old, new Point(3).x, Color.Red, a, b, first, third, id);
`);
    assert.equal(result.ok, true, result.error?.message);
    assert.deepEqual(log, ['fake-weir', 'y.txt', 84, 'let', 'var', 3, 'red', 1, 2, 10, 30, 'p']);
  });

  it('lets a later cell redeclare a name; cells after it see the new one', async () => {
    const log = probe('__redeclare');
    const { result } = await run(`// %%
const x = 1;
function readX() { return x; }
// %%
(globalThis as any).__redeclare.push(x);
// %%
const x = 'two';
(globalThis as any).__redeclare.push(x);
// %%
(globalThis as any).__redeclare.push(x, readX());
// %%
import { engineName as x2 } from 'weir';
function x() { return 'three'; }
// %%
(globalThis as any).__redeclare.push(x(), x2);
`);
    assert.equal(result.ok, true, result.error?.message);
    // readX() still reads the x of its own cell.
    assert.deepEqual(log, [1, 'two', 'two', 1, 'three', 'fake-weir']);
  });

  it('shares one instance of a helper module between the cells that import it', async () => {
    const log = probe('__helper');
    const { result } = await run(
      `// %%
import { bump, count } from './lib/counter.ts';
bump();
// %%
bump();
import { count as again } from './lib/counter.ts';
(globalThis as any).__helper.push(count, again);
`,
      { 'lib/counter.ts': "import { step } from './step.js';\nexport let count = 0;\nexport function bump(): void { count += step; }\n", 'lib/step.ts': 'export const step = 5;\n' },
    );
    assert.equal(result.ok, true, result.error?.message);
    assert.deepEqual(log, [10, 10]);
  });

  it('imports node builtins and runs top-level await to completion before the next cell', async () => {
    const log = probe('__await');
    const { result } = await run(`// %%
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
(globalThis as any).__await.push('1 start');
await sleep(30);
(globalThis as any).__await.push('1 end');
// %%
(globalThis as any).__await.push('2', createHash('sha1').update('weir').digest('hex').slice(0, 8));
`);
    assert.equal(result.ok, true, result.error?.message);
    assert.deepEqual(log, ['1 start', '1 end', '2', createHash('sha1').update('weir').digest('hex').slice(0, 8)]);
    assert.ok(result.cells[0]!.durationMs >= 25, `cell 1 took ${result.cells[0]!.durationMs} ms`);
  });

  it('resolves import.meta.url to the notebook file', async () => {
    const log = probe('__meta');
    const { nb, result } = await run(`// %%\n(globalThis as any).__meta.push(import.meta.url, new URL('./data.csv', import.meta.url).pathname);\n`);
    assert.equal(result.ok, true, result.error?.message);
    assert.deepEqual(log, [pathToFileURL(nb.notebook).href, path.join(nb.dir, 'data.csv')]);
  });
});

describe('runNotebook: reassigning earlier cells\' variables', () => {
  it('lets a later cell assign an earlier let or var, as Jupyter does; every cell and closure sees the new value', async () => {
    const log = probe('__rebind');
    const { result } = await run(`// %%
let seen = 0;
var total = 10;
let list: number[] = [];
let a = 0, b = 0;
const read = () => seen;
// %%
seen++;
seen += 2;
total = total * 2;
list = [...list, seen];
[a, b] = [5, 6];
({ b } = { b: 7 });
function bump(by: number) { seen = seen + by; }
bump(10);
// %%
const shadow = (seen: number) => { seen++; return seen; };
{ let total = -1; total++; }
for (list of [[1], [2, 3]]) {}
(globalThis as any).__rebind.push(seen, total, list, a, b, read(), shadow(100), { seen });
`);
    assert.equal(result.ok, true, result.error?.message);
    assert.deepEqual(log, [13, 20, [2, 3], 5, 7, 13, 101, { seen: 13 }]);
  });

  it('refuses to assign an earlier const, naming the cell and line that declared it and the line of the assignment', async () => {
    const text = `// %%
const limit = 5;
function f() { return 1; }
// %%
limit = 6;
`;
    const { result } = await run(text);
    assert.equal(result.ok, false);
    assert.equal(result.error?.phase, 'compile');
    assert.equal(result.error?.cell, 2);
    assert.equal(result.error?.line, lineOf(text, 'limit = 6'));
    assert.match(result.error!.message, new RegExp(`Cannot assign to 'limit': it is a const of cell 1 \\(line ${lineOf(text, 'const limit')}\\); declare it with let`));
    const again = await run(`// %%\nfunction f() { return 1; }\n// %%\nf = () => 2;\n`);
    assert.match(again.result.error!.message, /Cannot assign to 'f': it is a function of cell 1 \(line 2\)/);
  });
});

describe('runNotebook: cell kinds and status', () => {
  it('runs sql cells on DuckDB, passes over markdown, reports each cell in order', async () => {
    const events: string[] = [];
    const tables: string[] = [];
    const { result } = await run(
      `// %% [markdown] Intro\n// # Hi\n// %%\nconst a = 1;\n// %% [sql]\n// SELECT 41 + 1 AS answer\n// %% After\nconst b = a;\n`,
      {},
      {
        onCellStart: (c) => events.push(`start ${c.cell} ${c.kind}`),
        onCellEnd: (r) => events.push(`end ${r.cell} ${r.status}`),
        onSqlResult: (t) => tables.push(`${t.cell}: ${t.columns.join(',')} = ${JSON.stringify(t.rows)}`),
      },
    );
    assert.equal(result.ok, true);
    assert.deepEqual(events, ['start 1 markdown', 'end 1 done', 'start 2 code', 'end 2 done', 'start 3 sql', 'end 3 done', 'start 4 code', 'end 4 done']);
    assert.deepEqual(tables, ['3: answer = [[42]]']);
    assert.equal(result.cells[3]!.title, 'After');
  });
});

describe('runNotebook: errors', () => {
  it('reports a compile error with cell number and file position, before running any cell', async () => {
    const log = probe('__compile');
    const text = `// %%\n(globalThis as any).__compile.push('ran');\n// %% [markdown]\n// text\n// %%\nconst ok = 1;\nconst broken = ;\n`;
    const { nb, result } = await run(text);
    assert.equal(result.ok, false);
    assert.deepEqual(log, []);
    assert.deepEqual(
      { ...result.error!, frames: undefined, stack: undefined, message: undefined },
      { cell: 3, phase: 'compile', file: nb.notebook, line: lineOf(text, 'broken'), column: columnOf(text, ' ;') + 1, name: 'CompileError', frames: undefined, stack: undefined, message: undefined },
    );
    assert.match(result.error!.message, /Unexpected ";"/);
    assert.deepEqual(
      result.cells.map((c) => c.status),
      ['not-run', 'not-run', 'failed'],
    );
  });

  it('reports assignment to another cell\'s const as a compile error at the assignment', async () => {
    const text = `// %%\nconst total = 0;\n// %%\ntotal += 1;\n`;
    const { result } = await run(text);
    assert.equal(result.error?.cell, 2);
    assert.equal(result.error?.line, 4);
    assert.match(result.error!.message, /Cannot assign to 'total': it is a const of cell 1 \(line 2\)/);
  });

  it('reports a compile error in a helper file at its own position', async () => {
    const { nb, result } = await run(`// %%\nimport { x } from './bad.ts';\nconsole.log(x);\n`, { 'bad.ts': 'export const x = 1;\nexport const y = (;\n' });
    assert.equal(result.error?.cell, 1);
    assert.equal(result.error?.file, path.join(nb.dir, 'bad.ts'));
    assert.equal(result.error?.line, 2);
  });

  it('reports an unresolvable import at the import', async () => {
    const text = `// %%\nconst a = 1;\n// %%\nimport { nope } from './missing.ts';\nnope();\n`;
    const { result } = await run(text);
    assert.equal(result.error?.cell, 2);
    assert.equal(result.error?.line, 4);
    assert.match(result.error!.message, /Could not resolve "\.\/missing\.ts"/);
  });

  it('locates a runtime error at the throw in the notebook file and stops the run', async () => {
    const log = probe('__runtime');
    const text = `// %% One
const a = 1;
// %% Two
(globalThis as any).__runtime.push('two');
// %% Three
function fail(): never {
  throw new TypeError('cell three broke');
}
fail();
// %% Four
(globalThis as any).__runtime.push('four');
`;
    const { nb, result } = await run(text);
    assert.deepEqual(log, ['two']);
    const error = result.error!;
    assert.equal(error.cell, 3);
    assert.equal(error.phase, 'runtime');
    assert.equal(error.file, nb.notebook);
    assert.equal(error.line, lineOf(text, 'throw new'));
    // V8 records where the error was created.
    assert.equal(error.column, columnOf(text, 'new TypeError'));
    assert.equal(error.name, 'TypeError');
    assert.equal(error.message, 'cell three broke');
    assert.equal(error.frames[0]?.functionName, 'fail');
    assert.equal(error.frames[0]?.line, lineOf(text, 'throw new'));
    assert.equal(error.frames[1]?.line, lineOf(text, 'fail();'));
    assert.deepEqual(
      result.cells.map((c) => c.status),
      ['done', 'done', 'failed', 'not-run'],
    );
  });

  it('locates an error in the initialiser of a captured variable at the column written (the slice edits that line)', async () => {
    const text = `// %% One
function fail(): number {
  throw new RangeError('no value');
}
console.log('first');
const value = fail();
`;
    const { nb, result } = await run(text);
    const error = result.error!;
    assert.equal(error.file, nb.notebook);
    assert.equal(error.frames[1]?.line, lineOf(text, 'const value'));
    assert.equal(error.frames[1]?.column, columnOf(text, 'fail();'));
  });

  it('locates an error thrown in a callback the engine wraps, by the cause chain', async () => {
    const text = `import { runMap } from 'weir';
// %%
const values = [1, 2, 3];
// %% The job
await runMap('t', values, (v: number) => {
  if (v === 2) throw new Error('no twos');
  return v;
});
`;
    const { result } = await run(text);
    const error = result.error!;
    assert.equal(error.cell, 3);
    assert.equal(error.line, lineOf(text, 'no twos'));
    assert.equal(error.column, columnOf(text, "new Error('no twos')"));
    assert.equal(error.name, 'JobExecutionError');
    assert.equal(error.message, "Job 't' failed in operator 'Map' (uid map-1, subtask 1/1): no twos");
    assert.match(error.stack, /Caused by: Error: no twos/);
  });

  it('locates an engine error thrown while a cell calls the engine at the call in the cell', async () => {
    const text = `// %%\nimport { checkParallelism } from 'weir';\nconst p = 0;\nconst checked = checkParallelism(p);\n`;
    const { result } = await run(text);
    assert.equal(result.error?.line, 4);
    assert.equal(result.error?.column, columnOf(text, 'checkParallelism(p)'));
    assert.equal(result.error?.message, 'parallelism must be at least 1, got 0');
  });

  it('locates a missing export at the import that asks for it', async () => {
    const text = `// %%\nconst a = 1;\n// %%\nimport {\n  engineName,\n  doesNotExist,\n} from 'weir';\ndoesNotExist(engineName);\n`;
    const { result } = await run(text);
    assert.equal(result.error?.cell, 2);
    assert.equal(result.error?.line, 6);
    assert.equal(result.error?.column, 3);
    assert.match(result.error!.message, /doesNotExist/);
  });

  it('reports a thrown non-error value', async () => {
    const { result } = await run(`// %%\nthrow 'plain string';\n`);
    assert.equal(result.error?.message, 'plain string');
    assert.equal(result.error?.line, 2);
  });
});

const engineEntry = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../engine/index.node.ts');

describe('runNotebook: the real engine', { skip: !existsSync(engineEntry) && 'engine/index.node.ts does not exist yet' }, () => {
  it("runs a job from a notebook outside the repository that imports 'weir'", async () => {
    const log = probe('__engine');
    const text = `import { StreamExecutionEnvironment } from 'weir';
// %%
const env = StreamExecutionEnvironment.create();
env.fromElements(1, 2, 3).map((x: number) => x * 2).print();
// %%
await env.execute('doubling');
(globalThis as any).__engine.push('executed');
`;
    const nb = notebookDir(text);
    dirs.push(nb);
    // Without weirModule: the kernel picks the engine of the source tree it runs from.
    const result = await runNotebook(nb.notebook);
    assert.equal(result.ok, true, result.error && `${result.error.message}\n${result.error.stack}`);
    assert.deepEqual(log, ['executed']);
  });
});
