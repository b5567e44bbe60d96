/**
 * The kernel session's queue, driven directly (no host, no process): what an interrupt does to
 * the cell that is starting.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, it } from 'node:test';
import { documentFromText } from '../../../app/host/documents.ts';
import { KernelSession } from '../../../app/host/kernel-session.ts';
import { defaultWeirModule } from '../../../app/kernel/weir-module.ts';
import type { CellStateEvent } from '../../../app/shared/workbench/service.ts';

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
