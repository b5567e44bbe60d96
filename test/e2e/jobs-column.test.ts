/**
 * The Jobs column in web mode (Chromium): resized with the mouse and the keyboard within its
 * bounds, collapsed by its toggle and by a double-click on its handle, both remembered over a
 * reload; and code that wraps instead of being clipped, however narrow the notebook gets.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { artifact, skipWithoutBrowser as skip, useWorkbench, E2E_WAIT } from './harness.ts';

const LONG_LINE = `const longLine = ['${'a long string that keeps going '.repeat(8)}'].map((text) => text.toUpperCase());`;

describe('the Jobs column (Chromium)', () => {
  const workbench = useWorkbench('jobs-column', { 'layout.ts': `// %% Long line\n${LONG_LINE}\nconsole.log(longLine[0]!.length);\n` });

  it('resizes and collapses the Jobs column, remembers both, and wraps long code lines', { skip }, async () => {
    const page = await workbench.open('layout.ts', { viewport: { width: 1440, height: 900 } });
    const jobs = page.locator('aside.jobs');
    const before = (await jobs.boundingBox())!.width;
    const handle = page.getByRole('separator', { name: 'Resize the Jobs column' });
    const box = (await handle.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + 200);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 - 240, box.y + 200, { steps: 6 });
    await page.mouse.up();
    let widened = (await jobs.boundingBox())!.width;
    assert.ok(Math.abs(widened - (before + 240)) <= 4, `the column went from ${before} to ${widened} px`);

    // The long line wraps: its editor never scrolls sideways, however narrow the notebook.
    const editor = page.locator('section.cell .cell-editor').first();
    await editor.click();
    await page.waitForSelector('section.cell .monaco-editor');
    await page.waitForFunction(() => document.querySelectorAll('section.cell .view-line').length > 3);
    const overflow = await page.locator('section.cell .monaco-editor .lines-content').first().evaluate((lines) => {
      const editorBox = lines.closest('.monaco-editor')!.getBoundingClientRect();
      return [...lines.querySelectorAll('.view-line span')].map((s) => s.getBoundingClientRect().right - editorBox.right).reduce((a, b) => Math.max(a, b), -Infinity);
    });
    assert.ok(overflow <= 1, `code runs ${overflow} px past the editor's edge`);
    await page.screenshot({ path: artifact('notebook-jobs-column-resized.png') });

    // The keyboard resizes it too, within the window's bounds: never narrower than its minimum.
    await handle.focus();
    await page.keyboard.press('ArrowRight');
    await page.waitForFunction((w) => Math.abs(document.querySelector('aside.jobs')!.getBoundingClientRect().width - (w - 24)) <= 4, widened);
    await page.keyboard.press('ArrowLeft');
    await page.waitForFunction((w) => Math.abs(document.querySelector('aside.jobs')!.getBoundingClientRect().width - w) <= 4, widened);
    const min = Number(await handle.getAttribute('aria-valuemin'));
    const max = Number(await handle.getAttribute('aria-valuemax'));
    assert.ok(min > 0 && max > widened && max < 1440, `bounds ${min}..${max}`);
    const handleBox = (await handle.boundingBox())!;
    await page.mouse.move(handleBox.x + handleBox.width / 2, handleBox.y + 200);
    await page.mouse.down();
    await page.mouse.move(1430, handleBox.y + 200, { steps: 4 });
    await page.mouse.up();
    assert.ok(Math.abs((await jobs.boundingBox())!.width - min) <= 4, `dragged to the edge, the column keeps its minimum of ${min} px`);
    assert.equal(Number(await handle.getAttribute('aria-valuenow')), min);
    await page.screenshot({ path: artifact('notebook-jobs-column-narrowest.png') });
    await handle.focus();
    for (let width = min; width < widened - 12; width += 24) await page.keyboard.press('ArrowLeft');
    await page.waitForFunction((w) => Math.abs(document.querySelector('aside.jobs')!.getBoundingClientRect().width - w) <= 24, widened);
    widened = (await jobs.boundingBox())!.width;

    await page.getByRole('button', { name: 'Hide jobs' }).click();
    await jobs.waitFor({ state: 'hidden' });
    const notebookWidth = (await page.locator('main.notebook').boundingBox())!.width;
    assert.ok(notebookWidth > 1440 - 220 - 20, `the notebook takes the width (${notebookWidth} px)`);
    await page.screenshot({ path: artifact('notebook-jobs-column-collapsed.png') });

    await page.reload();
    await page.waitForSelector('body[data-ready="true"]', { timeout: E2E_WAIT });
    assert.equal(await jobs.isHidden(), true, 'still collapsed after a reload');
    await page.getByRole('button', { name: 'Show jobs' }).click();
    await jobs.waitFor({ state: 'visible' });
    assert.ok(Math.abs((await jobs.boundingBox())!.width - widened) <= 4, 'the width is remembered');
    await page.screenshot({ path: artifact('notebook-jobs-column-shown-again.png') });

    // A double-click on the handle collapses it as well.
    await handle.dblclick();
    await jobs.waitFor({ state: 'hidden' });
    assert.equal(await page.getByRole('button', { name: 'Show jobs' }).getAttribute('aria-expanded'), 'false');
  });
});
