/**
 * Live charts in the workbench (Chromium): chart sinks of one job are charts of their own, each
 * with exactly its own points and its own title (two sinks named `Sink: chart` used to share one
 * key and split their series across panels).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { artifact, repoFile, skipWithoutBrowser as skip, useWorkbench, E2E_WAIT } from './harness.ts';

describe('live charts (Chromium)', () => {
  const workbench = useWorkbench('charts', { 'two-charts.ts': repoFile('test/fixtures/workbench/two-charts.ts') });

  it('draws each chart sink of a job as a chart of its own, with its own points and title', { skip }, async () => {
    const page = await workbench.open('two-charts.ts', { viewport: { width: 1440, height: 900 } });
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
  });
});
