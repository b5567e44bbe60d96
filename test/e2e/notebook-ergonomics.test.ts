/**
 * Notebook ergonomics in web mode (Chromium): outputs shown again when a notebook is re-opened (greyed, "from previous run at ..."), and the kernel of a closed notebook shut
 * down after its idle time (here 2 s: `weir serve --kernel-idle-timeout 2`).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { alive } from '../harness/processes.ts';
import { until } from '../harness/until.ts';
import { artifact, skipWithoutBrowser as skip, switchNotebook, useWorkbench, E2E_WAIT } from './harness.ts';

const NOTEBOOKS: Record<string, string> = {
  'layout.ts': `// %% Other\nconsole.log('another notebook');\n`,
  'outputs.ts': `// %% Print\nconsole.log('printed by the first run');\n\n// %% [sql]\nSELECT 6 * 7 AS answer;\n`,
  'kernel.ts': `// %% Pid\nconsole.log(\`kernel pid \${process.pid}\`);\n`,
};

describe('notebook ergonomics (Chromium)', () => {
  const workbench = useWorkbench('notebook', NOTEBOOKS, ['--kernel-idle-timeout', '2']);

  async function openPage(notebook: string): Promise<Page> {
    const page = await workbench.open(notebook, { viewport: { width: 1440, height: 900 } });
    await page.waitForSelector('section.cell');
    return page;
  }

  it("shows a notebook's outputs again when it is re-opened, greyed as from the previous run, until the cell runs again", { skip }, async () => {
    const page = await openPage('outputs.ts');
    await page.getByRole('button', { name: 'Run all' }).click();
    await page.waitForFunction(() => [...document.querySelectorAll('section.cell')].every((c) => c.getAttribute('data-status') === 'done'), undefined, { timeout: E2E_WAIT });
    assert.deepEqual(await page.locator('.execution-count').allTextContents(), ['[1]', '[2]']);

    await switchNotebook(page, 'layout.ts');
    await switchNotebook(page, 'outputs.ts');
    const cells = page.locator('section.cell');
    await cells.first().locator('.previous-run').waitFor();
    assert.match((await cells.first().locator('.previous-run').textContent()) ?? '', /^from previous run at /);
    assert.equal(await cells.first().locator('.output-text').textContent(), 'printed by the first run');
    assert.match((await cells.nth(1).locator('.output-table').textContent()) ?? '', /answer\s*42/);
    assert.deepEqual(await page.locator('section.cell.from-previous-run').count(), 2);
    assert.deepEqual(await page.locator('.execution-count').allTextContents(), ['[1]', '[2]']);
    const opacity = await cells.first().locator('.cell-outputs').evaluate((e) => Number(getComputedStyle(e).opacity));
    assert.ok(opacity < 1, 'greyed');
    await page.screenshot({ path: artifact('notebook-previous-outputs.png') });

    // Running the cell again replaces its outputs with this run's.
    await cells.first().getByRole('button', { name: 'Run cell' }).click();
    await page.waitForFunction(() => !document.querySelector('section.cell')!.classList.contains('from-previous-run') && document.querySelector('section.cell')!.getAttribute('data-status') === 'done', undefined, { timeout: E2E_WAIT });
    assert.equal(await cells.first().locator('.previous-run').isHidden(), true);
    assert.equal(await page.locator('section.cell.from-previous-run').count(), 1);
  });

  it("shuts down a closed notebook's kernel after its idle time; the indicator then says no kernel", { skip }, async () => {
    const page = await openPage('kernel.ts');
    const indicator = page.getByRole('group', { name: 'Kernel' });
    await page.getByRole('button', { name: 'Run all' }).click();
    await page.waitForSelector('section.cell[data-status="done"]', { timeout: E2E_WAIT });
    await page.waitForFunction(() => document.querySelector('.kernel')?.getAttribute('data-state') === 'idle');
    assert.match((await indicator.textContent()) ?? '', /Kernel idle/);
    const pid = Number(/kernel pid (\d+)/.exec((await page.locator('.output-text').first().textContent()) ?? '')?.[1]);
    assert.ok(pid > 0 && alive(pid), `kernel ${pid} runs`);
    assert.ok(workbench.serve.kernels().some((k) => k.pid === pid), 'it is a kernel of this server');
    await page.screenshot({ path: artifact('notebook-kernel-idle.png'), clip: { x: 0, y: 0, width: 1440, height: 200 } });

    // Leaving the notebook closes it; its kernel goes after 2 idle seconds.
    await switchNotebook(page, 'layout.ts');
    await until(`kernel ${pid} to be shut down`, () => (alive(pid) ? undefined : true), 60_000);
    await switchNotebook(page, 'kernel.ts');
    await page.waitForFunction(() => document.querySelector('.kernel')?.getAttribute('data-state') === 'none');
    assert.match((await indicator.textContent()) ?? '', /No kernel/);
    await page.screenshot({ path: artifact('notebook-kernel-shut-down.png'), clip: { x: 0, y: 0, width: 1440, height: 200 } });
  });
});
