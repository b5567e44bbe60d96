/**
 * The workbench's Plan and Export actions in web mode, driven like a user would: Plan shows an
 * example notebook's jobs as operator graphs without running them; Export refuses a directory
 * outside the served folder, then writes job.json, bundle.mjs and README.md and shows the
 * command that runs them. Screenshots of both views go to test-results/.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { artifact, repoFile, skipWithoutBrowser as skip, useWorkbench, E2E_WAIT } from './harness.ts';

const STREAMING = 'sensor averages (streaming)';
const BATCH = 'sensor averages (batch)';

describe('workbench Plan and Export (Chromium)', () => {
  const workbench = useWorkbench('export', { 'sensor-averages.ts': repoFile('notebooks/sensor-averages.ts') });
  let page: Page;

  before(async () => {
    if (!skip) page = await workbench.open('sensor-averages.ts', { viewport: { width: 1400, height: 1000 } });
  });

  it('Plan shows each job as a graph of operators with parallelism, tasks and partitioners, without running it', { skip }, async () => {
    await page.getByRole('button', { name: 'Plan', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Plan of sensor-averages.ts' });
    const streaming = dialog.getByRole('region', { name: `Plan: ${STREAMING}` });
    await streaming.waitFor({ timeout: E2E_WAIT });
    await dialog.getByRole('region', { name: `Plan: ${BATCH}` }).waitFor();
    const graph = streaming.getByRole('img', { name: `Operator graph of ${STREAMING}` });
    const boxes = await graph.locator('g.operator-box').evaluateAll((gs) => gs.map((g) => ({ uid: g.getAttribute('data-uid'), task: g.getAttribute('data-task'), text: g.textContent })));
    const uids = boxes.map((b) => b.uid);
    assert.ok(uids.includes('minute-average') && uids.includes('moving-average'), `operators: ${uids.join(', ')}`);
    const minute = boxes.find((b) => b.uid === 'minute-average')!;
    assert.match(minute.text ?? '', /×2 · window · task \d+/);
    // The label's own text, without its hover title.
    const labels = await graph.locator('text.edge-label').evaluateAll((ts) => ts.map((t) => [...t.childNodes].filter((n) => n.nodeName !== 'title').map((n) => n.textContent).join('')));
    assert.ok(labels.includes('HASH'), `edge labels: ${labels.join(', ')}`);
    assert.ok(labels.includes('CHAINED'), `a window chains with its sink: ${labels.join(', ')}`);
    assert.ok((await graph.locator('path.edge.chained').count()) > 0);
    assert.match((await streaming.locator('.plan-summary').textContent()) ?? '', /streaming · \d+ operators in \d+ tasks/);
    // The jobs were found, not run: no job panel appeared.
    assert.equal(await page.locator('aside.jobs section.job').count(), 0);
    await dialog.screenshot({ path: artifact('workbench-plan.png') });
  });

  it('Export refuses a directory outside the folder, then writes the chosen job and shows how to run it', { skip }, async () => {
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('region', { name: `Plan: ${BATCH}` }).getByRole('button', { name: 'Export…' }).click();
    await dialog.getByRole('heading', { name: 'Export a job of sensor-averages.ts' }).waitFor();
    const job = dialog.getByLabel('Job');
    await job.waitFor({ timeout: E2E_WAIT });
    assert.equal(await job.inputValue(), BATCH, 'the job whose Export… was clicked is chosen');
    const out = dialog.getByLabel('Output directory');
    assert.equal(await out.inputValue(), 'export/sensor-averages-batch');
    await job.selectOption(STREAMING);
    assert.equal(await out.inputValue(), 'export/sensor-averages-streaming', 'the suggestion follows the job');

    await out.fill('../outside');
    await dialog.getByRole('button', { name: 'Export', exact: true }).click();
    // Not the dialog's other alert: a later cell of sensor-averages reads the output of a job that
    // export does not run, which fails on a fresh clone and is reported above the form.
    const refused = dialog.getByRole('alert').filter({ hasText: 'Not exported' });
    await refused.waitFor();
    assert.match((await refused.textContent()) ?? '', /Not exported: .*must be inside the folder: \.\.\/outside/);
    assert.equal(existsSync(path.join(path.dirname(workbench.dir), 'outside')), false);

    await out.fill('');
    await out.fill('export/sensor-averages-streaming');
    await dialog.getByRole('button', { name: 'Export', exact: true }).click();
    const done = dialog.getByRole('status').filter({ hasText: 'Exported job' });
    await done.waitFor({ timeout: E2E_WAIT });
    assert.equal(await done.textContent(), `Exported job '${STREAMING}' to export/sensor-averages-streaming`);
    const files = await dialog.getByRole('list', { name: 'Files written' }).locator('li').allTextContents();
    assert.deepEqual(files.sort(), ['export/sensor-averages-streaming/README.md', 'export/sensor-averages-streaming/bundle.mjs', 'export/sensor-averages-streaming/job.json']);
    const command = (await dialog.locator('code.export-command').textContent()) ?? '';
    assert.match(command, /^npx weir run \S+export\/sensor-averages-streaming$/);
    const jobFile = JSON.parse(readFileSync(path.join(workbench.dir, 'export', 'sensor-averages-streaming', 'job.json'), 'utf8')) as { version: number; name: string; vertices: { uid: string }[] };
    assert.equal(jobFile.version, 1);
    assert.equal(jobFile.name, STREAMING);
    assert.ok(jobFile.vertices.some((v) => v.uid === 'minute-average'));
    assert.ok(existsSync(path.join(workbench.dir, 'export', 'sensor-averages-streaming', 'bundle.mjs')));
    await dialog.screenshot({ path: artifact('workbench-export.png') });
  });
});
