/**
 * Savepoints taken in the workbench go to `savepoints/` next to the notebook whose job took them
 * (a notebook in a subfolder gets its own), as the job panel's buttons call the host: "Trigger
 * savepoint" (`triggerSavepoint`) and "Stop with savepoint" (`stopJob`). Nothing of them goes to
 * the session's temp folder, and they stay when the workbench closes.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { JobDescription } from '../../../app/shared/workbench/protocol.ts';
import type { JobUpdateEvent } from '../../../app/shared/workbench/service.ts';
import { startHarness, type HostHarness } from './harness.ts';

const NOTEBOOK = `// %%
import { StreamExecutionEnvironment, Sinks } from 'weir';
const env = StreamExecutionEnvironment.create({ parallelism: 2 });
env.enableCheckpointing(100);
env.fromGenerator(Infinity, (i) => ({ k: i % 3, n: 1 }), { recordsPerSecond: 500 }).uid('numbers')
  .keyBy((r) => r.k).reduce((a, b) => ({ k: a.k, n: a.n + b.n })).uid('sums')
  .sinkTo(Sinks.collect());
await env.execute('sums');
`;

for (const taskManagers of [2, 0]) describe(`savepoints next to the notebook (${taskManagers ? `${taskManagers} taskmanagers` : 'in the host process'})`, () => {
  let h: HostHarness;
  let checkpointDir: string;
  before(async () => {
    checkpointDir = mkdtempSync(path.join(os.tmpdir(), 'weir-host-savepoint-folder-'));
    h = await startHarness({}, { checkpointDir, taskManagers });
    mkdirSync(path.join(h.dir, 'team', 'daily'), { recursive: true });
    writeFileSync(path.join(h.dir, 'team', 'daily', 'sums.ts'), NOTEBOOK);
  });
  after(async () => {
    await h.close();
    rmSync(checkpointDir, { recursive: true, force: true });
  });

  it('Trigger savepoint and Stop with savepoint write to team/daily/savepoints/, which stays', async () => {
    const notebook = 'team/daily/sums.ts';
    const folder = path.join(h.dir, 'team', 'daily', 'savepoints') + path.sep;
    const doc = await h.service.openNotebook(notebook);
    const run = h.service.runCells({ path: notebook, cells: doc.cells, run: [doc.cells[0]!.id] });
    const job = (await h.waitFor((e) => e.name === 'onDidStartJob' && e.event.path === notebook)).event as JobDescription;
    await h.waitFor((e) => e.name === 'onDidUpdateJob' && e.event.jobId === job.id && e.event.status === 'RUNNING' && (e.event as JobUpdateEvent).checkpoints.some((c) => c.status === 'COMPLETED'));

    const triggered = await h.service.triggerSavepoint(job.id);
    assert.ok(triggered.startsWith(folder), `${triggered} is in ${folder}`);
    assert.ok(existsSync(path.join(triggered, '_metadata')), 'the triggered savepoint is on disk');

    const stopped = await h.service.stopJob(job.id);
    assert.ok(stopped.savepoint?.startsWith(folder), JSON.stringify(stopped));
    assert.notEqual(stopped.savepoint, triggered);
    assert.ok(existsSync(path.join(stopped.savepoint!, '_metadata')), 'the final savepoint is on disk');
    await run;
    const end = (await h.waitFor((e) => e.name === 'onDidUpdateJob' && e.event.jobId === job.id && e.event.status !== 'RUNNING')).event as JobUpdateEvent;
    assert.deepEqual(
      end.checkpoints.filter((c) => c.savepoint).map((c) => c.location).sort(),
      [triggered, stopped.savepoint].sort(),
      'the job panel lists both savepoints where they are',
    );

    // Nothing of them in the session's scratch folder, and both stay when the workbench closes.
    assert.ok(!existsSync(path.join(checkpointDir, 'savepoints')) || readdirSync(path.join(checkpointDir, 'savepoints')).length === 0);
    assert.ok(!existsSync(path.join(h.dir, 'savepoints')), 'not next to the served folder either');
    await h.workbench.dispose();
    assert.ok(existsSync(path.join(triggered, '_metadata')) && existsSync(path.join(stopped.savepoint!, '_metadata')));
  });
});
