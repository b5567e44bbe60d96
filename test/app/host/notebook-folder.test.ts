/**
 * In the workbench, a notebook's kernel runs in the notebook's folder: a notebook in a
 * subfolder of the served folder reads `data/x.csv` next to it from code cells, SQL cells and
 * sources, its jobs write relative paths next to it (on the taskmanagers too), and a missing
 * input names the absolute path looked at and the line of the source that named it.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CellOutput } from '../../../app/shared/workbench/protocol.ts';
import { startHarness, type HostHarness } from './harness.ts';

const NOTEBOOK = `// %% Read
import { readFileSync } from 'node:fs';
console.log('lines', readFileSync('data/x.csv', 'utf8').trim().split('\\n').length);
// %% [sql]
// SELECT sum(v) AS total FROM 'data/x.csv'
// %% Write
import { StreamExecutionEnvironment, Sinks } from 'weir';
const env = StreamExecutionEnvironment.create({ parallelism: 2 });
env.fromElements(1, 2, 3).map((x) => ({ x: x * 2 })).sinkTo(Sinks.jsonl('out/doubled/'));
await env.execute('write next to the notebook');
// %% Missing
const missing = StreamExecutionEnvironment.create();
missing
  .replay({ sql: "SELECT * FROM 'data/trades.csv'", timestampColumn: 'ts', speed: 'max' })
  .print();
await missing.execute('missing');
`;

function outputsOf(h: HostHarness, cellId: string): CellOutput[] {
  return h.events.filter((e) => e.name === 'onDidWriteOutput' && e.event.path === 'sub/n.ts' && e.event.cellId === cellId).map((e) => e.event.output);
}

describe('a workbench notebook runs in its own folder', () => {
  let h: HostHarness;
  let folder: string;
  before(async () => {
    h = await startHarness({}, { taskManagers: 1 });
    folder = path.join(h.dir, 'sub');
    mkdirSync(path.join(folder, 'data'), { recursive: true });
    writeFileSync(path.join(folder, 'data/x.csv'), 'id,v\n1,10\n2,20\n3,30\n');
    writeFileSync(path.join(folder, 'n.ts'), NOTEBOOK);
  });
  after(async () => {
    await h.close();
  });

  it('resolves relative paths of code cells, SQL cells and sinks against the notebook folder; a missing file names its absolute path and the source line', async () => {
    const cells = (await h.service.openNotebook('sub/n.ts')).cells;
    const [read, sql, write, missing] = cells.map((c) => c.id);
    await h.service.runCells({ path: 'sub/n.ts', cells, run: [read!, sql!, write!] });
    const text = outputsOf(h, read!).map((o) => (o.kind === 'text' ? o.text : JSON.stringify(o))).join('');
    assert.equal(text, 'lines 4\n');
    const table = outputsOf(h, sql!).find((o) => o.kind === 'table');
    assert.deepEqual(table?.kind === 'table' ? table.rows : outputsOf(h, sql!), [['60']]); // HUGEINT sums come as text
    assert.deepEqual(outputsOf(h, write!).filter((o) => o.kind === 'error'), []);
    const out = path.join(folder, 'out/doubled');
    const written = readdirSync(out).flatMap((f) => readFileSync(path.join(out, f), 'utf8').trim().split('\n').filter(Boolean));
    assert.deepEqual(written.map((l) => (JSON.parse(l) as { x: number }).x).sort(), [2, 4, 6]);

    await h.service.runCells({ path: 'sub/n.ts', cells, run: [missing!] });
    const error = outputsOf(h, missing!).find((o) => o.kind === 'error');
    assert.ok(error?.kind === 'error', JSON.stringify(outputsOf(h, missing!)));
    assert.ok(error.error.message.includes(`no file matches ${path.join(folder, 'data/trades.csv')}`), error.error.message);
    // The replay(...) call is on the third line of the cell; execute() on the fifth.
    assert.equal(error.cellLine, 3, JSON.stringify(error));
  });
});
