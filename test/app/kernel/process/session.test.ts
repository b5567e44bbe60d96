/**
 * The kernel session's queue, driven directly (no host, no process): what an interrupt does to
 * the cell that is starting.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, it } from 'node:test';
import { documentFromText } from '../../../../app/host/documents.ts';
import { KernelSession } from '../../../../app/kernel/process/session.ts';
import { defaultWeirModule } from '../../../../app/kernel/weir-module.ts';
import type { CellStateEvent } from '../../../../app/shared/workbench/service.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'weir-session-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

it('an interrupt while a cell compiles stops it before it runs', async () => {
  const flag = path.join(dir, 'ran');
  const file = path.join(dir, 'n.ts');
  const source = `// %%\nimport { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(flag)}, 'ran');\n`;
  writeFileSync(file, source);
  const states: CellStateEvent[] = [];
  const session: KernelSession = new KernelSession({
    path: 'n.ts',
    file,
    weirModule: defaultWeirModule(),
    events: {
      cellState: (event) => {
        states.push(event);
        // Interrupted the moment it starts, which is before its compilation has finished.
        if (event.status === 'running') session.interrupt();
      },
      output: () => {},
    },
    cancelJobsOf: () => {},
  });
  try {
    const { cells } = documentFromText('n.ts', source, { mtimeMs: 0, size: 0, sha256: '' });
    await session.run({ path: 'n.ts', cells, run: 'all' });
    assert.deepEqual(states.map((s) => s.status), ['queued', 'running', 'interrupted']);
    assert.equal(existsSync(flag), false, 'the cell did not run');
  } finally {
    await session.dispose();
  }
});

it('a later cell reassigns an earlier let, each run of it once, and assigning a const fails naming its cell and line', async () => {
  const file = path.join(dir, 'rebind.ts');
  const source = `// %%\nlet seen = 0;\nconst limit = 3;\n// %%\nseen++;\n// %%\n(globalThis as any).__sessionSeen.push(seen);\n// %%\nlimit = 4;\n`;
  writeFileSync(file, source);
  const seen: number[] = [];
  (globalThis as Record<string, unknown>).__sessionSeen = seen;
  const errors: string[] = [];
  const session = new KernelSession({
    path: 'rebind.ts',
    file,
    weirModule: defaultWeirModule(),
    events: {
      cellState: () => {},
      output: (event) => {
        if (event.output.kind === 'error') errors.push(`${event.cellId}: ${event.output.error.message} @${event.output.cellLine}`);
      },
    },
    cancelJobsOf: () => {},
  });
  try {
    const { cells } = documentFromText('rebind.ts', source, { mtimeMs: 0, size: 0, sha256: '' });
    const [first, second, third, fourth] = cells.map((c) => c.id);
    // Running the third cell first runs the cells it reads from: the one declaring `seen` and the one assigning it.
    await session.run({ path: 'rebind.ts', cells, run: [third!] });
    await session.run({ path: 'rebind.ts', cells, run: [second!] });
    await session.run({ path: 'rebind.ts', cells, run: [second!] });
    await session.run({ path: 'rebind.ts', cells, run: [third!] });
    await session.run({ path: 'rebind.ts', cells, run: [first!, third!] });
    assert.deepEqual(seen, [1, 3, 0]);
    await session.run({ path: 'rebind.ts', cells, run: [fourth!] });
    assert.equal(errors.length, 1);
    assert.match(errors[0]!, new RegExp(`^${fourth}: Cannot assign to 'limit': it is a const of cell 1 \\(line 3\\).* @1$`));
  } finally {
    await session.dispose();
  }
});
