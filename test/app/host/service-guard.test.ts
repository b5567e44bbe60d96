/**
 * The workbench's service over a structured-data link, as the desktop app's MessagePort carries
 * it (weir serve's WebSocket is covered by test/app/cli/serve-hardening.test.ts): a 100 MB call
 * is refused with a short reply and the same link serves the next call; a prototype walk leaves
 * the host untouched; an error reply names no path of the install.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { packageRoot } from '../../../app/host/type-libraries.ts';
import { MAX_ERROR_MESSAGE } from '../../../app/shared/rpc/call-guard.ts';
import { startHarness, type HostHarness } from './harness.ts';

describe('the workbench service guards its link', () => {
  let h: HostHarness;
  before(async () => {
    h = await startHarness(
      {
        'a.ts': '// %%\nconst a = 1;\n',
        // Dies while its jobs are looked for, after printing a stack of the install's frames.
        'crash.ts': "// %%\nprocess.stderr.write(String(new Error('where').stack) + '\\n');\nprocess.exit(3);\n",
      },
      { taskManagers: 0 },
    );
  });
  after(() => h.close());

  it('refuses a 100 MB call with a short reply, and serves the next call on the same link', async () => {
    const { cells: [cell] } = await h.service.openNotebook('a.ts');
    const cells = [{ ...cell!, source: 'x'.repeat(100 * 1024 * 1024) }];
    await assert.rejects(h.service.saveNotebook({ path: 'a.ts', cells, force: true }), (error: Error) => {
      assert.equal(error.message, 'saveNotebook: the call is larger than 16 MB, the most a call may carry');
      return true;
    });
    assert.equal((await h.service.openNotebook('a.ts')).cells[0]!.source, 'const a = 1;', 'nothing was saved, and the link still serves');
  });

  it('names no install path in an error reply, only <weir>', async () => {
    const failure = await h.service.planJobs('crash.ts').then(
      () => assert.fail('planJobs of a notebook whose process dies must fail'),
      (error: Error) => error,
    );
    assert.match(failure.message, /the export process ended \(exit code 3\)/);
    assert.match(failure.message, /<weir>\//, 'the stack lines the reply carries name the install as <weir>');
    assert.ok(!failure.message.includes(packageRoot()), failure.message);
    assert.ok(!(failure.stack ?? '').includes(packageRoot()), 'nor does the stack the client makes of it');
    assert.ok(failure.message.length <= MAX_ERROR_MESSAGE + 100);
  });
});
