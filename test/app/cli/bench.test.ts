/**
 * `weir bench nexmark`: its arguments, and the one JSON line it prints for a verified run.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { benchCommand, parseBenchArguments } from '../../../app/cli/bench.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

describe('weir bench nexmark', () => {
  before(() => execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'pipe' }));

  it('parses the query, sizes and flags, and names a bad one', () => {
    const args = parseBenchArguments(['nexmark', '--query', 'q5', '--events', '2_000', '--taskmanagers', '0', '--checkpoint-interval', '1000', '--verify', '--json']);
    assert.deepEqual(args, { query: 'q5', events: 2000, taskManagers: 0, json: true, verify: true, checkpointInterval: 1000 });
    assert.throws(() => parseBenchArguments(['nexmark']), /--query must name a Nexmark query such as q5, got ''/);
    assert.throws(() => parseBenchArguments(['tpch', '--query', 'q1']), /unknown benchmark 'tpch'/);
    assert.throws(() => parseBenchArguments(['nexmark', '--query', 'q1', '--events', 'many']), /--events must be an integer of at least 1, got 'many'/);
    assert.throws(() => parseBenchArguments(['nexmark', '--query', 'q1', '--mode', 'fast']), /--mode must be 'streaming' or 'batch'/);
  });

  it('prints one JSON line with the figures and whether the output equals the DuckDB reference', async () => {
    let stdout = '';
    let stderr = '';
    const code = await benchCommand(['nexmark', '--query', 'q2', '--events', '20000', '--taskmanagers', '0', '--verify', '--json'], {
      stdout: (t) => void (stdout += t),
      stderr: (t) => void (stderr += t),
      cwd: root,
    });
    assert.equal(code, 0, stderr);
    const lines = stdout.trim().split('\n');
    assert.equal(lines.length, 1, stdout);
    const result = JSON.parse(lines[0]!) as Record<string, unknown>;
    for (const key of ['query', 'events', 'seconds', 'eventsPerSecond', 'cores', 'eventsPerSecondPerCore', 'checkpoints', 'verified']) assert.ok(key in result, `no ${key} in ${lines[0]}`);
    assert.equal(result['query'], 'q2');
    assert.equal(result['events'], 20000);
    assert.equal(result['cores'], 1);
    assert.equal(result['verified'], true);
    assert.ok((result['seconds'] as number) > 0);
  });

  it('fails naming the query when there is no such notebook', async () => {
    let stderr = '';
    const code = await benchCommand(['nexmark', '--query', 'q99', '--events', '10', '--taskmanagers', '0'], { stdout: () => {}, stderr: (t) => void (stderr += t), cwd: root });
    assert.equal(code, 1);
    assert.match(stderr, /no Nexmark query 'q99'; there are q0, q1, q2/);
  });
});
