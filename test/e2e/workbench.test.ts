/**
 * The workbench in web mode, driven like a user would: `weir serve` in a child process,
 * Chromium through playwright-core. Screenshots go to test-results/; how fast it is, is measured
 * by the workbench section of `npm run bench`.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import WebSocket from 'ws';
import { alive } from '../harness/processes.ts';
import { artifact, repoFile, skipWithoutBrowser as skip, useWorkbench, E2E_WAIT } from './harness.ts';
import { fiftyCells } from './notebooks.ts';

if (skip) console.log(`# e2e skipped: ${skip}`);
const TYPED = 'const typedInTheBrowser = "edited in the workbench";';

describe('workbench in web mode (Chromium)', () => {
  const workbench = useWorkbench('workbench', {
    'live-windows.ts': repoFile('test/fixtures/workbench/live-windows.ts'),
    'full-speed.ts': repoFile('test/fixtures/workbench/full-speed.ts'),
    'fifty-cells.ts': fiftyCells(),
    'located.ts': locatedNotebook(),
  });
  const openPage = (notebook: string): Promise<Page> => workbench.open(notebook, { viewport: { width: 1600, height: 1000 } });

  it('refuses HTTP and WebSocket requests without the token', { skip }, async () => {
    assert.equal((await fetch(`${workbench.serve.origin}/`)).status, 403);
    assert.equal((await fetch(`${workbench.serve.origin}/app.js`)).status, 403);
    assert.equal((await fetch(`${workbench.serve.origin}/?token=wrong`)).status, 403);
    const ok = await fetch(workbench.serve.url);
    assert.equal(ok.status, 200);
    assert.match(ok.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    const refused = await new Promise<number>((resolve) => {
      const socket = new WebSocket(`${workbench.serve.origin.replace('http', 'ws')}/rpc`);
      socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      socket.on('open', () => resolve(101));
      socket.on('error', () => resolve(-1));
    });
    assert.equal(refused, 403);
    const foreignOrigin = await new Promise<number>((resolve) => {
      const socket = new WebSocket(`${workbench.serve.origin.replace('http', 'ws')}/rpc?token=${workbench.serve.token}`, { origin: 'http://evil.example' });
      socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      socket.on('open', () => resolve(101));
      socket.on('error', () => resolve(-1));
    });
    assert.equal(foreignOrigin, 403);
  });

  it('opens a notebook, takes keyboard edits, runs all, charts live, checkpoints, stops with a savepoint, rewinds, saves and reloads', { skip }, async () => {
    const page = await openPage('live-windows.ts');
    assert.equal(await page.locator('.cell[data-status="running"], .cell[data-status="done"]').count(), 0, 'opening runs nothing');

    // Type into the Setup cell with the keyboard.
    const setup = page.locator('section.cell').nth(1);
    await setup.locator('.cell-editor').click();
    await page.waitForSelector('section.cell >> nth=1 >> .monaco-editor.focused');
    await page.keyboard.press('Control+End');
    await page.keyboard.press('Enter');
    await page.keyboard.type(TYPED);
    await page.keyboard.press('Escape');
    // The edit makes the notebook dirty; on a loaded machine the autosave (1.5 s after the last
    // key) may already have saved it by the time this looks, so "saved since" counts as well.
    await page.waitForFunction(
      () => !(document.querySelector('.dirty-marker') as HTMLElement).hidden || (document.querySelector('.save-state')?.textContent ?? '').startsWith('Saved'),
      undefined,
      { timeout: E2E_WAIT },
    );

    await page.getByRole('button', { name: 'Run all' }).click();
    const chart = page.locator('figure.output-chart');
    await chart.waitFor({ timeout: E2E_WAIT });
    assert.match((await chart.locator('canvas').getAttribute('aria-label')) ?? '', /Average per sensor and second/);
    const count = chart.locator('output.chart-count');
    await page.waitForFunction(() => Number(document.querySelector('output.chart-count')?.getAttribute('data-points') ?? 0) > 0, undefined, { timeout: E2E_WAIT });
    // The job runs on worker processes, and its chart points come back from them.
    assert.ok(workbench.serve.workers().some((p) => p.title.startsWith('weir-taskmanager')), JSON.stringify(workbench.serve.workers()));
    // The point count grows while the job runs.
    const first = Number(await count.getAttribute('data-points'));
    await page.waitForFunction((n) => Number(document.querySelector('output.chart-count')?.getAttribute('data-points') ?? 0) > n, first, { timeout: E2E_WAIT });

    const panel = page.getByRole('region', { name: 'Job: live windows' });
    await panel.waitFor();
    const jobId = (await panel.getAttribute('data-job-id'))!;
    assert.equal(await panel.locator('.job-status').textContent(), 'RUNNING');
    const history = panel.locator('table', { has: page.locator('caption', { hasText: 'Checkpoint history' }) });
    assert.equal(await history.count(), 1);
    // The job checkpoints every 500 ms: completed rows appear while it runs.
    await history.locator('tbody tr[data-status="COMPLETED"]').nth(1).waitFor({ timeout: E2E_WAIT });
    assert.equal(await panel.locator('.job-status').textContent(), 'RUNNING', 'rows appear while the job runs');
    const firstRow = history.locator('tbody tr[data-status="COMPLETED"]').first();
    assert.match((await firstRow.locator('td').nth(3).textContent()) ?? '', /\d/, 'a completed checkpoint has a size');
    assert.ok(await panel.getByRole('button', { name: 'Trigger savepoint' }).isEnabled(), 'a checkpointing job can take savepoints');
    await panel.getByRole('img', { name: /^Checkpoint duration and size: [1-9]\d* completed/ }).waitFor({ timeout: E2E_WAIT });
    await page.waitForFunction(() => /\d/.test(document.querySelector('.job .operators tbody tr td:nth-of-type(4)')?.textContent ?? ''), undefined, { timeout: E2E_WAIT });
    // The throughput chart has a figure before the screenshots.
    await panel.getByRole('img', { name: /^Source records per second over time: \d/ }).waitFor({ timeout: E2E_WAIT });
    await page.screenshot({ path: artifact('workbench-notebook.png') });
    await panel.screenshot({ path: artifact('workbench-job-panel.png') });

    // A savepoint while the job runs, then Stop takes another: the job ends FINISHED and the
    // panel shows where the last savepoint is.
    await panel.getByRole('button', { name: 'Trigger savepoint' }).click();
    await panel.locator('.job-savepoint').waitFor({ timeout: E2E_WAIT });
    const triggered = (await panel.locator('.job-savepoint').textContent()) ?? '';
    assert.match(triggered, /^Savepoint: .*savepoint-/);
    assert.equal(await panel.locator('.job-status').textContent(), 'RUNNING', 'a triggered savepoint does not stop the job');
    await panel.getByRole('button', { name: 'Stop with savepoint' }).click();
    await page.waitForFunction((id) => document.querySelector(`.job[data-job-id="${id}"] .job-status`)?.textContent === 'FINISHED', jobId, { timeout: E2E_WAIT });
    const savepoint = panel.locator('.job-savepoint');
    await savepoint.waitFor({ timeout: E2E_WAIT });
    await page.waitForFunction((id) => document.querySelector(`.job[data-job-id="${id}"] .job-savepoint`)?.textContent?.includes('savepoint-'), jobId);
    const final = (await savepoint.textContent()) ?? '';
    assert.match(final, /^Savepoint: .*savepoint-/);
    assert.notEqual(final, triggered, 'Stop took a savepoint of its own');
    assert.match((await history.locator('tbody tr').first().textContent()) ?? '', /COMPLETED \(savepoint\)/, 'the savepoint heads the history');
    await page.waitForSelector('section.cell >> nth=2 >> [data-status="done"]', { timeout: E2E_WAIT });
    // The job ended, and every point sent to the chart worker before now is counted once a
    // request to it comes back: the count then holds still.
    const stopped = Number(await count.getAttribute('data-points'));
    const liveChartId = (await chart.getAttribute('data-chart-id'))!;
    const described = await page.evaluate((id) => (window as unknown as { weirPerf: { describeChart(id: string): Promise<{ series: { points: number }[] }> } }).weirPerf.describeChart(id), liveChartId);
    assert.ok(described.series.length > 0);
    assert.equal(Number(await count.getAttribute('data-points')), stopped, 'no points after the job stopped');
    await panel.screenshot({ path: artifact('workbench-job-panel-stopped.png') });
    await panel.locator('figure', { hasText: 'Checkpoint duration' }).screenshot({ path: artifact('workbench-checkpoint-chart.png') });

    // Rewind to a checkpoint: the cell runs again, with a new job that starts from it.
    const checkpointId = Number(await history.locator('tbody tr[data-status="COMPLETED"]').filter({ hasNotText: 'savepoint' }).first().getAttribute('data-checkpoint-id'));
    await panel.getByRole('button', { name: `Rewind to checkpoint ${checkpointId}` }).click();
    const rewound = page.locator(`section.job:not([data-job-id="${jobId}"])`, { hasText: 'live windows' });
    await rewound.waitFor({ timeout: E2E_WAIT });
    await page.waitForFunction(() => Number(document.querySelector('output.chart-count')?.getAttribute('data-points') ?? 0) > 0, undefined, { timeout: E2E_WAIT });
    assert.equal(await rewound.locator('.job-status').textContent(), 'RUNNING');
    assert.equal(await rewound.locator('.job-restored').textContent(), `Started from checkpoint ${checkpointId} of ${jobId}`);
    await page.waitForFunction(() => /\d/.test(document.querySelector('.job .operators tbody tr td:nth-of-type(2)')?.textContent ?? ''), undefined, { timeout: E2E_WAIT });
    await rewound.scrollIntoViewIfNeeded();
    await page.screenshot({ path: artifact('workbench-rewound.png') });
    await rewound.getByRole('button', { name: 'Stop with savepoint' }).click();
    await page.waitForFunction(() => document.querySelector('.job .job-status')?.textContent === 'FINISHED', undefined, { timeout: E2E_WAIT });
    await page.waitForSelector('section.cell >> nth=2 >> [data-status="done"]', { timeout: E2E_WAIT });

    // Save with the keyboard, then reload and find the edit.
    await page.keyboard.press('Control+s');
    await page.waitForFunction(() => document.querySelector('.save-state')?.textContent?.startsWith('Saved'), undefined, { timeout: E2E_WAIT });
    assert.ok(await page.locator('.dirty-marker').isHidden());
    assert.ok(readFileSync(path.join(workbench.dir, 'live-windows.ts'), 'utf8').includes(TYPED), 'the edit is in the file');
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    assert.ok(((await page.locator('section.cell').nth(1).textContent()) ?? '').includes('typedInTheBrowser'), 'the edit is there after a reload');
    await page.close();
  });

  it('locates errors: clicking the location puts the cursor on the failing line and scrolls to it, in a tall cell with wrapped lines', { skip }, async () => {
    const page = await openPage('located.ts');
    const cell = page.locator('section.cell').nth(1);
    await cell.getByRole('button', { name: 'Run cell' }).click();
    const error = cell.locator('.output-error');
    await error.waitFor();
    assert.match((await error.textContent()) ?? '', /located/);
    const location = error.locator('.error-location');
    assert.match((await location.textContent()) ?? '', new RegExp(`^Line ${LOCATED_LINE}, column \\d+$`));
    assert.equal(await cell.getAttribute('data-status'), 'failed');

    // The location is under the cell, which is taller than the window: line 3 is out of view
    // when it is clicked, and the notebook scrolls to it.
    const activeLine = cell.locator('.line-numbers.active-line-number');
    const reveal = async (): Promise<void> => {
      await location.click();
      await page.waitForFunction((line) => document.querySelectorAll('section.cell')[1]?.querySelector('.line-numbers.active-line-number')?.textContent === String(line), LOCATED_LINE);
      const box = (await activeLine.boundingBox())!;
      const notebook = (await page.locator('main.notebook').boundingBox())!;
      assert.ok(box.y >= notebook.y && box.y + box.height <= notebook.y + notebook.height, `line ${LOCATED_LINE} is in view (${JSON.stringify({ box, notebook })})`);
    };
    await reveal();
    await page.screenshot({ path: artifact('workbench-error-located.png') });
    // What is typed next lands on that line: End, a comment, save, and read the file.
    await page.keyboard.press('End');
    await page.keyboard.type(' // here');
    await page.keyboard.press('Control+s');
    await page.waitForFunction(() => document.querySelector('.save-state')?.textContent?.startsWith('Saved'));
    const lines = readFileSync(path.join(workbench.dir, 'located.ts'), 'utf8').split('\n');
    const cellStart = lines.indexOf('// %% Tall cell');
    assert.equal(lines[cellStart + LOCATED_LINE], 'if (before === 1) throw new Error("located"); // here');

    // With the input collapsed, the click expands it first.
    await cell.getByRole('button', { name: 'Collapse input' }).click();
    await cell.locator('.cell-editor').waitFor({ state: 'hidden' });
    await page.locator('main.notebook').evaluate((main) => main.scrollTo(0, main.scrollHeight));
    await reveal();
    assert.ok(await cell.locator('.cell-editor').isVisible());
    await page.close();
  });

  it('streams a full-speed job into its chart, charts 100k points, opens a 50-cell notebook', { skip }, async () => {
    // How fast (long tasks while it streams, the 100k-point redraw, the open) is measured by
    // the workbench section of `npm run bench`, not here.
    const page = await openPage('full-speed.ts');
    await page.getByRole('button', { name: 'Run all' }).click();
    const streaming = page.locator('figure.output-chart', { hasText: 'Maximum per sensor and second' });
    await streaming.waitFor({ timeout: E2E_WAIT });
    // Its chart is the notebook's first (the 100k-point one comes after the job is cancelled).
    await page.waitForFunction(() => Number(document.querySelector('output.chart-count')?.getAttribute('data-points') ?? 0) > 0, undefined, { timeout: E2E_WAIT });
    const first = Number(await streaming.locator('output.chart-count').getAttribute('data-points'));
    await page.waitForFunction((n) => Number(document.querySelector('output.chart-count')?.getAttribute('data-points') ?? 0) > n, first, { timeout: E2E_WAIT });
    await page.screenshot({ path: artifact('workbench-full-speed.png') });
    await page.getByRole('region', { name: 'Job: full speed' }).getByRole('button', { name: 'Cancel' }).click();

    // The second cell charts 100k points, all of them in the chart worker.
    const big = page.locator('figure.output-chart', { hasText: '100k points' });
    await big.waitFor({ timeout: E2E_WAIT });
    await page.waitForFunction(() => [...document.querySelectorAll('figure.output-chart')].some((f) => f.textContent?.includes('100k points') && f.querySelector('output.chart-count')?.getAttribute('data-points') === '100000'), undefined, { timeout: E2E_WAIT });
    const chartId = (await big.getAttribute('data-chart-id'))!;
    const described = await page.evaluate((id) => (window as unknown as { weirPerf: { describeChart(id: string): Promise<{ series: { points: number }[] }> } }).weirPerf.describeChart(id), chartId);
    assert.equal(described.series.reduce((sum, s) => sum + s.points, 0), 100_000, 'the chart draws 100000 points');
    await page.close();

    // A 50-cell notebook opens from the list with all its cells.
    const list = await openPage('live-windows.ts');
    await list.getByRole('link', { name: 'fifty-cells.ts' }).click();
    await list.waitForFunction(() => document.querySelectorAll('section.cell').length === 50 && document.querySelector('main[data-open-ms]') !== null, undefined, { timeout: E2E_WAIT });
    assert.equal(await list.locator('section.cell').count(), 50);
    await list.close();
  });

  it('ends its worker processes when it stops', { skip }, async () => {
    // Started with the first job, kept for the next ones, ended with the server.
    const workers = workbench.serve.workers();
    assert.ok(workers.some((p) => p.title.startsWith('weir-jobmanager')) && workers.some((p) => p.title.startsWith('weir-taskmanager')), JSON.stringify(workers));
    await workbench.serve.stop();
    const deadline = performance.now() + 5000;
    let left = workers.filter((w) => alive(w.pid));
    while (left.length > 0 && performance.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      left = left.filter((w) => alive(w.pid));
    }
    assert.deepEqual(left, [], 'no worker process outlives weir serve');
  });
});

/** The line of `locatedNotebook()`'s code cell that throws. */
const LOCATED_LINE = 3;

/**
 * A notebook whose code cell throws on its line 3, after a line long enough to wrap, and goes
 * on for 80 lines: taller than the window, so the failing line is out of view from its error.
 */
function locatedNotebook(): string {
  const wrapped = `/** ${'A comment long enough to wrap in the editor, so that view lines and the cell\'s lines differ. '.repeat(4)}*/`;
  const filler = Array.from({ length: 80 }, (_, i) => `const filler${i} = ${i}; // after the failing line`);
  return ['// %% [markdown]', '// # Located', '', '// %% Tall cell', wrapped, 'const before = 1;', 'if (before === 1) throw new Error("located");', ...filler, ''].join('\n');
}
