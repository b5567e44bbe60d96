/**
 * Running a cell whose input fails, in web mode, driven like a user would: the clicked cell says
 * "not run: cell 1, which defines trades, failed", and the cell number is a link that brings
 * the failed cell into view and focuses it.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { skipWithoutBrowser as skip, useWorkbench, E2E_WAIT } from './harness.ts';

const NOTEBOOK = `// %% Load
const trades: { price: number }[] = JSON.parse('not json');
// %% Other
const unrelated = 1;
// %% Use
console.log('trades', trades.length);
`;

describe('a cell whose input fails (Chromium)', () => {
  const workbench = useWorkbench('blocked', { 'blocked.ts': NOTEBOOK });
  let page: Page;

  before(async () => {
    if (!skip) page = await workbench.open('blocked.ts', { viewport: { width: 1200, height: 700 } });
  });

  it('says which input failed in the clicked cell, with a link that focuses that cell', { skip }, async () => {
    const load = page.locator('section.cell').nth(0);
    const use = page.locator('section.cell').nth(2);
    await use.getByRole('button', { name: 'Run cell' }).click();

    // The input ran first and failed; the clicked cell says so instead of staying blank.
    await load.locator('.output-error').waitFor({ timeout: E2E_WAIT });
    const blocked = use.locator('.output-blocked');
    await blocked.waitFor({ timeout: E2E_WAIT });
    assert.equal((await blocked.textContent())?.trim(), 'not run: cell 1, which defines trades, failed');
    assert.equal(await use.getAttribute('data-status'), 'skipped');
    assert.equal(await page.locator('section.cell').nth(1).locator('.output').count(), 0, 'a cell that was not asked for shows nothing');

    // Scroll the failed cell away, then follow the link back to it.
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    await blocked.getByRole('button', { name: 'cell 1' }).click();
    await page.waitForSelector('section.cell >> nth=0 >> .monaco-editor.focused', { timeout: E2E_WAIT });
    const box = await load.boundingBox();
    assert.ok(box && box.y < 700 && box.y + box.height > 0, `cell 1 is in view: ${JSON.stringify(box)}`);
  });
});
