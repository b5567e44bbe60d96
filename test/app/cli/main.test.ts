import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { main } from '../../../app/cli/main.ts';
import { notebookDir, type NotebookDir } from '../kernel/fixtures.ts';

const dirs: NotebookDir[] = [];
after(() => dirs.forEach((d) => d.remove()));

/** Runs the CLI in-process against the fake engine and collects what it printed. */
async function cli(argv: string[], nb?: NotebookDir): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const context = {
    stdout: (text: string) => void (stdout += text),
    stderr: (text: string) => void (stderr += text),
    cwd: nb?.dir ?? process.cwd(),
    ...(nb ? { weirModule: nb.weirModule } : {}),
  };
  const code = await main(argv, context);
  return { code, stdout, stderr };
}

function tempNotebook(text: string): NotebookDir {
  const nb = notebookDir(text);
  dirs.push(nb);
  return nb;
}

describe('weir (in-process)', () => {
  it('prints usage for --help and the version for --version', async () => {
    const help = await cli(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: weir <command>/);
    assert.match(help.stdout, /run <notebook\.ts>/);

    const runHelp = await cli(['run', '--help']);
    assert.equal(runHelp.code, 0);
    assert.match(runHelp.stdout, /--mode streaming\|batch/);
    assert.match(runHelp.stdout, /--parallelism <n>/);
    assert.match(runHelp.stdout, /--report <file>/);

    const version = await cli(['--version']);
    assert.equal(version.code, 0);
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
    assert.equal(version.stdout, `weir ${pkg.version}\n`);
  });

  it('rejects unknown commands and no command with exit code 2', async () => {
    assert.deepEqual(await cli(['frobnicate']), { code: 2, stdout: '', stderr: "error: unknown command 'frobnicate' (see 'weir --help')\n" });
    const none = await cli([]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /^Usage: weir/);
  });

  describe('run: bad arguments exit 2 with a one-line error naming the flag', () => {
    const nb = tempNotebook('// %%\nconst a = 1;\n');
    const cases: Array<[string[], string]> = [
      [['run', 'notebook.ts', '--fast'], "error: unknown flag '--fast' (see 'weir run --help')\n"],
      [['run', 'notebook.ts', '-x'], "error: unknown flag '-x' (see 'weir run --help')\n"],
      [['run'], "error: missing notebook file (usage: weir run <notebook.ts | job dir> [options]; see 'weir run --help')\n"],
      [['run', 'missing.ts'], 'error: notebook not found: missing.ts\n'],
      [['run', '.'], 'error: not a notebook file, nor a job directory (no job.json): .\n'],
      [['run', 'notebook.ts', 'other.ts'], "error: unexpected argument 'other.ts' (weir run takes one notebook or job directory)\n"],
      [['run', 'notebook.ts', '--mode', 'fast'], "error: --mode must be 'streaming' or 'batch', got 'fast'\n"],
      [['run', 'notebook.ts', '--mode'], 'error: --mode needs a value\n'],
      [['run', 'notebook.ts', '--parallelism', '0'], "error: --parallelism must be an integer of at least 1, got '0'\n"],
      [['run', 'notebook.ts', '--parallelism', '1.5'], "error: --parallelism must be an integer of at least 1, got '1.5'\n"],
      [['run', 'notebook.ts', '--parallelism=two'], "error: --parallelism must be an integer of at least 1, got 'two'\n"],
      [['run', 'notebook.ts', '--report'], 'error: --report needs a value\n'],
      [['run', 'notebook.ts', '--parallelism', '-3'], "error: --parallelism needs a value (for a value starting with '-', write --parallelism=<value>)\n"],
      [['run', 'notebook.ts', '--parallelism=-3'], "error: --parallelism must be an integer of at least 1, got '-3'\n"],
      [['run', 'notebook.ts', '--help=yes'], "error: --help takes no value\n"],
    ];
    for (const [argv, message] of cases) {
      it(argv.join(' '), async () => {
        assert.deepEqual(await cli(argv, nb), { code: 2, stdout: '', stderr: message });
      });
    }
  });

  it('runs a notebook: status lines on stderr, defaults and report through the host', async () => {
    const nb = tempNotebook(`import { execute } from 'weir';
// %% [markdown]
// # A notebook
// %%
await execute('first');
// %% [sql]
// SELECT 1
// %%
await execute('second');
`);
    const out = await cli(['run', 'notebook.ts', '--mode', 'batch', '--parallelism', '3', '--report', 'out/../report.json'], nb);
    assert.equal(out.code, 0, out.stderr);
    const lines = out.stderr.split('\n');
    assert.match(lines[0]!, /^cell 1 ✓ \d+ ms$/);
    assert.equal(lines[1], 'note: fake job first (headless)');
    assert.match(lines[2]!, /^cell 3 ✓ \d+ ms$/);
    assert.match(lines[3]!, /^cell 4 \[sql\] ✓ \d+ ms$/);
    assert.equal(lines[4], 'note: fake job second (headless)');
    assert.match(lines[5]!, /^cell 5 ✓ \d+ ms$/);
    assert.equal(lines.length, 7);

    const report = JSON.parse(readFileSync(path.join(nb.dir, 'report.json'), 'utf8')) as { jobs: Array<{ name: string; operators: Array<{ parallelism: number }> }> };
    assert.deepEqual(
      report.jobs.map((j) => [j.name, j.operators[0]!.parallelism]),
      [
        ['first:batch', 3],
        ['second:batch', 3],
      ],
    );
    assert.deepEqual(readdirSync(nb.dir).filter((f) => f.includes('.tmp')), []);
  });

  it('on failure exits 1, prints the located error and user frames, and still writes the report', async () => {
    const nb = tempNotebook(`import { execute } from 'weir';
// %%
await execute('before the failure');
// %%
function check(n: number): number {
  if (n > 1) throw new RangeError('too big: ' + n);
  return n;
}
check(5);
// %%
await execute('never');
`);
    const out = await cli(['run', 'notebook.ts', '--report', 'report.json'], nb);
    assert.equal(out.code, 1);
    const lines = out.stderr.trimEnd().split('\n');
    assert.match(lines.at(-4)!, /^cell 3 ✗ \d+ ms$/);
    assert.equal(lines.at(-3), 'error: cell 3, notebook.ts:6:20: RangeError: too big: 5');
    assert.equal(lines.at(-2), '    at check (notebook.ts:6:20)');
    assert.equal(lines.at(-1), '    at notebook.ts:9:1');
    const report = JSON.parse(readFileSync(path.join(nb.dir, 'report.json'), 'utf8')) as { jobs: Array<{ name: string }> };
    assert.deepEqual(
      report.jobs.map((j) => j.name),
      ['before the failure:no-mode'],
    );
  });

  it('exits 1 when the report cannot be written', async () => {
    const nb = tempNotebook('// %%\nconst a = 1;\n');
    const out = await cli(['run', 'notebook.ts', '--report', 'no/such/dir/report.json'], nb);
    assert.equal(out.code, 1);
    assert.match(out.stderr, /^cell 1 ✓ \d+ ms\nerror: cannot write the report: ENOENT/);
  });

  it('prints compile errors with the notebook position', async () => {
    const nb = tempNotebook('// %%\nconst a = 1;\n// %%\nconst b = a +;\n');
    const out = await cli(['run', path.join(nb.dir, 'notebook.ts')], nb);
    assert.equal(out.code, 1);
    assert.equal(out.stderr, 'cell 2 ✗ 0 ms\nerror: cell 2, notebook.ts:4:14: Unexpected ";"\n');
    assert.equal(existsSync(path.join(nb.dir, 'report.json')), false);
  });
});
