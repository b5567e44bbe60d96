/**
 * The example notebooks give the same answer on every run, however busy the machine: each is
 * run five times with `weir run` (on worker processes, as a user runs it), and what it prints
 * and every file it writes must be the same each time. Timings are the only thing allowed to
 * differ (`in 4616 ms`). Results that depended on when periodic watermarks arrived (the
 * fraud rule's alerts: 255, 287, 236, ... on a loaded machine) fail this.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const RUNS = Number(process.env.WEIR_EXAMPLE_RUNS ?? 5);
const examples = readdirSync(path.join(root, 'notebooks')).filter((f) => f.endsWith('.ts')).sort();

/** What a run printed, with timings masked, and the lines of every file it wrote, sorted per output directory. */
function outcome(cwd: string, notebook: string): string {
  const child = spawnSync(process.execPath, [path.join(root, 'bin/weir.mjs'), 'run', `notebooks/${notebook}`, '--taskmanagers', '0'], { cwd, encoding: 'utf8', timeout: 300_000 });
  assert.equal(child.status, 0, `${notebook} failed:\n${child.stderr}`);
  const printed = child.stdout.replace(/\b\d+(\.\d+)? ?ms\b/g, '<t> ms');
  const written: string[] = [];
  const out = path.join(cwd, 'out');
  if (existsSync(out)) {
    for (const file of filesUnder(out)) written.push(`${path.relative(out, path.dirname(file))}:\n${readFileSync(file, 'utf8').split('\n').filter(Boolean).sort().join('\n')}`);
    rmSync(out, { recursive: true, force: true });
  }
  // Parts of one directory (part-0, part-1) hold the subtasks' shares: their union is the output.
  const byDir = new Map<string, string[]>();
  for (const w of written) {
    const [dir, ...lines] = w.split('\n');
    byDir.set(dir!, [...(byDir.get(dir!) ?? []), ...lines]);
  }
  const files = [...byDir].sort(([a], [b]) => a.localeCompare(b)).map(([dir, lines]) => `${dir}\n${lines.sort().join('\n')}`);
  return [printed, ...files].join('\n----\n');
}

/** The first few lines only one of two outcomes has. */
function difference(a: string, b: string): string {
  const [left, right] = [a.split('\n'), b.split('\n')];
  const onlyA = left.filter((l) => !right.includes(l)).slice(0, 5).map((l) => `- ${l}`);
  const onlyB = right.filter((l) => !left.includes(l)).slice(0, 5).map((l) => `+ ${l}`);
  return [...onlyA, ...onlyB].join('\n');
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? filesUnder(full) : e.name.startsWith('.') ? [] : [full];
  });
}

describe(`example notebooks give the same answer on ${RUNS} runs`, () => {
  let cwd: string;
  before(() => {
    cwd = mkdtempSync(path.join(os.tmpdir(), 'weir-examples-'));
    cpSync(path.join(root, 'notebooks'), path.join(cwd, 'notebooks'), { recursive: true });
  });
  after(() => rmSync(cwd, { recursive: true, force: true }));

  for (const notebook of examples) {
    it(notebook, { timeout: RUNS * 300_000 }, () => {
      const first = outcome(cwd, notebook);
      assert.ok(first.trim().length > 0, `${notebook} printed and wrote nothing`);
      for (let run = 2; run <= RUNS; run++) {
        const again = outcome(cwd, notebook);
        if (again !== first) assert.fail(`${notebook}: run ${run} differs from run 1\n${difference(first, again)}`);
      }
    });
  }
});
