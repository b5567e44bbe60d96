// Runs every test file under test/ with node's test runner. Node 20 does not expand quoted
// globs in `--test`, so the files are listed here. Extra arguments filter by path substring.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';

function testFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'fixtures' || e.name === 'bench' ? [] : testFiles(full);
    return e.name.endsWith('.test.ts') ? [full] : [];
  });
}

// No test may hang the suite: one that runs this long has failed (the slowest pass in minutes).
const TEST_TIMEOUT = '--test-timeout=600000';

const filters = process.argv.slice(2);
const files = testFiles('test').filter((f) => filters.length === 0 || filters.some((x) => f.includes(x))).sort();
if (files.length === 0) {
  console.error(`no test files match ${filters.join(' ')}`);
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', TEST_TIMEOUT, '--test-reporter=spec', '--test-reporter-destination=stdout', ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
