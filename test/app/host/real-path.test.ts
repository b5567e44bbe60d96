/**
 * Every file the host writes or reads for a client is checked by its real path: a symbolic link
 * inside the served folder that leads out of it (or nowhere) is refused, naming the path, for
 * notebooks, saved outputs (`.weir/`), savepoint directories and export directories; the type
 * libraries sent to the editor are read from the install's own files, never through a link.
 * Each case uses a real link on disk.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { resolveExportDir } from '../../../app/host/job-exports.ts';
import { NotebookFiles } from '../../../app/host/notebook-files.ts';
import { realPathEscape } from '../../../app/host/real-path.ts';
import { typeLibraries } from '../../../app/host/type-libraries.ts';
import { until } from '../../harness/until.ts';
import { startHarness, type HostHarness } from './harness.ts';

describe('realPathEscape', () => {
  let dir: string;
  let root: string;
  let outside: string;
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'weir-real-path-'));
    root = path.join(dir, 'root');
    outside = path.join(dir, 'outside');
    mkdirSync(path.join(root, 'sub'), { recursive: true });
    mkdirSync(outside);
    writeFileSync(path.join(outside, 'x.ts'), '');
    symlinkSync(outside, path.join(root, 'out'));
    symlinkSync(path.join(root, 'sub'), path.join(root, 'in'));
    symlinkSync(path.join(outside, 'missing'), path.join(root, 'dangling'));
    symlinkSync(path.join(root, 'out'), path.join(root, 'sub', 'chain'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('lets through paths inside, made or yet to be made, also through a link that stays inside', () => {
    for (const p of ['sub', 'sub/new/deeper/x.ts', 'in/x.ts', 'new.ts']) assert.equal(realPathEscape(root, path.join(root, p)), undefined, p);
  });

  it('refuses a link out of the folder, at any depth, also through a chain of links', () => {
    for (const p of ['out', 'out/x.ts', 'out/new/x.ts', 'sub/chain/x.ts', 'in/chain/new']) assert.equal(realPathEscape(root, path.join(root, p)), 'leads out of it', p);
  });

  it('refuses a link that leads nowhere, and paths below it (writing would create its target)', () => {
    for (const p of ['dangling', 'dangling/x.ts']) assert.equal(realPathEscape(root, path.join(root, p)), 'leads nowhere', p);
    assert.equal(existsSync(path.join(outside, 'missing')), false);
  });

  it('names the path and the reason in the host errors', async () => {
    const files = new NotebookFiles(root);
    await assert.rejects(files.resolveOnDisk('dangling/x.ts'), /^Error: not a path inside the folder: dangling\/x\.ts \(a symbolic link leads nowhere\)$/);
    assert.throws(() => files.assertInsideOnDisk(path.join(root, 'dangling', 'savepoints'), 'the savepoint directory'), /^Error: the savepoint directory must be inside the folder, but dangling\/savepoints leads nowhere \(a symbolic link\)$/);
  });
});

const CHECKPOINTING = `// %%
import { StreamExecutionEnvironment, Sinks } from 'weir';
const env = StreamExecutionEnvironment.create({ parallelism: 1 });
env.enableCheckpointing(100);
env.fromGenerator(Infinity, (i) => i, { recordsPerSecond: 200 }).uid('numbers').sinkTo(Sinks.collect());
await env.execute('numbers');
`;

describe('the host refuses links out of the folder for what it writes itself', () => {
  let h: HostHarness;
  let outside: string;
  before(async () => {
    outside = mkdtempSync(path.join(os.tmpdir(), 'weir-real-path-outside-'));
    h = await startHarness({ 'printing.ts': `// %%\nconsole.log('kept');\n` }, { taskManagers: 0 });
  });
  after(async () => {
    await h.close();
    rmSync(outside, { recursive: true, force: true });
  });

  it('does not write saved outputs through a .weir link out of the folder, nor read them from there', async () => {
    const own = await startHarness({ 'printing.ts': `// %%\nconsole.log('kept');\n` }, { taskManagers: 0 });
    const planted = path.join(outside, 'printing.ts.outputs.json');
    try {
      symlinkSync(outside, path.join(own.dir, '.weir'));
      // Outputs planted outside are not shown as the notebook's.
      writeFileSync(planted, JSON.stringify({ format: 1, notebook: 'printing.ts', cells: [{ index: 0, kind: 'code', source: 'x', status: 'done', endedAt: Date.now(), outputs: [{ kind: 'text', stream: 'stdout', text: 'planted\n' }] }] }));
      const document = await own.service.openNotebook('printing.ts');
      assert.equal(document.previousOutputs, undefined);
      await own.service.runCells({ path: 'printing.ts', cells: document.cells, run: [document.cells[0]!.id] });
      await own.waitFor((e) => e.name === 'onDidChangeCellState' && e.event.status === 'done');
      await own.workbench.dispose(); // writes what is pending
      assert.deepEqual(readdirSync(outside), ['printing.ts.outputs.json']);
      assert.match(readFileSync(planted, 'utf8'), /planted/);
    } finally {
      await own.close();
      rmSync(planted, { force: true });
    }
  });

  for (const [folder, reason] of [['out-savepoints', 'leads out of it'], ['nowhere-savepoints', 'leads nowhere']] as const) {
    it(`fails a checkpointing job whose savepoints folder is a link that ${reason}, naming it`, async () => {
      mkdirSync(path.join(h.dir, folder));
      writeFileSync(path.join(h.dir, folder, 'job.ts'), CHECKPOINTING);
      symlinkSync(reason === 'leads nowhere' ? path.join(outside, 'not-there') : outside, path.join(h.dir, folder, 'savepoints'));
      const notebook = `${folder}/job.ts`;
      const document = await h.service.openNotebook(notebook);
      await h.service.runCells({ path: notebook, cells: document.cells, run: [document.cells[0]!.id] });
      const failed = await h.waitFor((e) => e.name === 'onDidChangeCellState' && e.event.path === notebook && e.event.status !== 'running' && e.event.status !== 'queued');
      assert.equal(failed.event.status, 'failed');
      const error = await until('the cell error', () => h.events.find((e) => e.name === 'onDidWriteOutput' && e.event.path === notebook && e.event.output.kind === 'error'));
      assert.match(JSON.stringify(error.event.output), new RegExp(`the savepoint directory must be inside the folder, but ${folder}/savepoints ${reason}`));
      assert.deepEqual(readdirSync(outside), [], 'nothing written outside');
    });
  }

  it('refuses an export directory that is a link out, or that holds one where the export writes', async () => {
    symlinkSync(outside, path.join(h.dir, 'export-link'));
    assert.throws(() => resolveExportDir(h.dir, 'export-link/job'), /the export directory must be inside the folder: export-link\/job \(a symbolic link leads out of it\)/);
    mkdirSync(path.join(h.dir, 'export', 'earlier'), { recursive: true });
    writeFileSync(path.join(outside, 'victim.txt'), 'mine\n');
    writeFileSync(path.join(h.dir, 'export', 'earlier', 'job.json'), '{}');
    symlinkSync(path.join(outside, 'victim.txt'), path.join(h.dir, 'export', 'earlier', 'README.md'));
    await assert.rejects(
      h.service.exportJob({ path: 'printing.ts', out: 'export/earlier' }),
      /the export directory holds README\.md, a symbolic link that leads out of the folder: export\/earlier/,
    );
    assert.equal(readFileSync(path.join(outside, 'victim.txt'), 'utf8'), 'mine\n');
  });
});

describe('type libraries', () => {
  it('are read from the install\'s own files, never through a link out of it', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'weir-real-path-types-'));
    try {
      const api = path.join(dir, 'install', 'dist', 'types', 'engine', 'api');
      mkdirSync(api, { recursive: true });
      mkdirSync(path.join(dir, 'outside'));
      writeFileSync(path.join(dir, 'install', 'package.json'), '{ "name": "weir" }\n');
      writeFileSync(path.join(api, 'index.d.ts'), 'export declare const answer: number;\n');
      writeFileSync(path.join(dir, 'outside', 'secret.d.ts'), 'export declare const SECRET: string;\n');
      symlinkSync(path.join(dir, 'outside', 'secret.d.ts'), path.join(api, 'leak.d.ts'));
      symlinkSync(path.join(dir, 'outside'), path.join(api, 'linked'));
      symlinkSync(path.join(dir, 'outside'), path.join(dir, 'install', 'dist', 'types', 'engine', 'plan'));
      const libraries = await typeLibraries(path.join(dir, 'install'));
      const engine = libraries.filter((l) => l.path.startsWith('file:///node_modules/weir/engine/'));
      assert.deepEqual(engine.map((l) => l.path), ['file:///node_modules/weir/engine/api/index.d.ts']);
      assert.ok(libraries.every((l) => !l.content.includes('SECRET')));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
