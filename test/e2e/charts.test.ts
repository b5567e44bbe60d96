/**
 * Live charts in the workbench (Chromium): chart sinks of one job are charts of their own, each
 * with exactly its own points and its own title (two sinks named `Sink: chart` used to share one
 * key and split their series across panels).
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { artifact, browserUnavailable, launchBrowser, ROOT, startServe, type ServeProcess, newTestPage, E2E_WAIT } from './harness.ts';

const unavailable = browserUnavailable();
const skip = unavailable ? `Chromium is not available: ${unavailable}` : false;

describe('live charts (Chromium)', () => {
  let dir: string;
  let serve: ServeProcess;
  let browser: Browser;

  before(async () => {
    if (skip) return;
    dir = mkdtempSync(path.join(os.tmpdir(), 'weir-e2e-charts-'));
    copyFileSync(path.join(ROOT, 'test', 'fixtures', 'workbench', 'two-charts.ts'), path.join(dir, 'two-charts.ts'));
    serve = await startServe(dir);
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await serve?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('draws each chart sink of a job as a chart of its own, with its own points and title', { skip }, async () => {
    const page = await newTestPage(browser, { viewport: { width: 1440, height: 900 } });
    try {
      await page.goto(`${serve.url}&notebook=two-charts.ts`);
      await page.waitForSelector('body[data-ready="true"]', { timeout: E2E_WAIT });
      await page.getByRole('button', { name: 'Run all' }).click();
      await page.waitForSelector('section.cell[data-status="done"]', { timeout: E2E_WAIT });
      // 1000 numbers to the first chart, 250 to the second, 100 to the third; each sink runs two subtasks.
      await page.waitForFunction(
        () => {
          const counts = [...document.querySelectorAll('figure.output-chart output.chart-count')].map((o) => Number(o.getAttribute('data-points')));
          return counts.reduce((a, b) => a + b, 0) >= 1350;
        },
        undefined,
        { timeout: E2E_WAIT },
      );
      const charts = await page.locator('figure.output-chart').evaluateAll((figures) =>
        figures.map((f) => ({ title: f.querySelector('.chart-title')?.textContent, points: Number(f.querySelector('output.chart-count')?.getAttribute('data-points')) })),
      );
      await page.screenshot({ path: artifact('charts-two-in-one-job.png'), fullPage: true });
      assert.deepEqual(
        charts.sort((a, b) => String(a.title).localeCompare(String(b.title))),
        [
          { title: 'All numbers', points: 1000 },
          { title: 'Every tenth', points: 100 },
          { title: 'quarter by i', points: 250 },
        ],
      );
    } finally {
      await page.close();
    }
  });
});
