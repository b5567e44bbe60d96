/**
 * A live chart of event times (Chromium): a time axis with round ticks and the date, a gap in
 * the data kept as a gap, each series with the same colour in two charts whatever order its
 * points arrived in, the values under the pointer, and drag-to-zoom with Reset zoom.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { artifact, repoFile, skipWithoutBrowser as skip, useWorkbench, E2E_WAIT } from './harness.ts';

/** What a chart shows (app/renderer/charts/chart-protocol.ts; the page is typed apart from the app). */
interface ChartDescription {
  xScale: string;
  ticks: { value: number; label: string; major: boolean }[];
  xTitle: string;
  min: number;
  max: number;
  series: { name: string; colour: string; points: number; gaps: number }[];
  tooltip: string[];
}

declare global {
  interface Window {
    weirPerf: { describeChart(id: string): Promise<ChartDescription> };
  }
}

/** What the chart titled `title` shows now. */
async function describeChart(page: Page, title: string): Promise<ChartDescription> {
  const id = await page.locator('figure.output-chart', { has: page.locator('.chart-title', { hasText: new RegExp(`^${title}$`) }) }).getAttribute('data-chart-id');
  return page.evaluate((chartId) => window.weirPerf.describeChart(chartId!), id);
}

describe('chart time axis, gaps, colours, hover and zoom (Chromium)', () => {
  const workbench = useWorkbench('time-chart', { 'time-chart.ts': repoFile('test/fixtures/workbench/time-chart.ts') });

  it('draws event time on a time axis with round ticks and the date, breaks lines at a gap, keeps colours by series, shows values on hover and zooms', { skip }, async () => {
    const page = await workbench.open('time-chart.ts', { viewport: { width: 1440, height: 900 }, timezoneId: 'UTC' });
    await page.getByRole('button', { name: 'Run all' }).click();
    await page.waitForSelector('section.cell[data-status="done"]', { timeout: E2E_WAIT });
    // 2 sensors × 120 readings per chart.
    await page.waitForFunction(() => [...document.querySelectorAll('figure.output-chart output.chart-count')].every((o) => o.getAttribute('data-points') === '240'), undefined, { timeout: E2E_WAIT });
    const chart = page.locator('figure.output-chart').first();
    await chart.scrollIntoViewIfNeeded();
    // The worker draws at its next frame after the points: wait until it has drawn the time axis.
    await page.waitForFunction(async () => {
      const id = document.querySelector('figure.output-chart')!.getAttribute('data-chart-id')!;
      const d = await window.weirPerf.describeChart(id);
      return d.xScale === 'time' && d.ticks.length > 0;
    }, undefined, { timeout: E2E_WAIT });
    const first = await describeChart(page, 'Readings');
    await page.screenshot({ path: artifact('chart-time-axis.png'), fullPage: true });

    assert.equal(first.xScale, 'time');
    assert.match(first.xTitle, /15 Jan 2026/);
    // Round ticks: every tick on a whole 5 or 10 minutes, or whole hours.
    const minute = 60_000;
    assert.ok(first.ticks.length >= 3, JSON.stringify(first.ticks));
    const step = first.ticks[1]!.value - first.ticks[0]!.value;
    assert.ok(step % minute === 0, `ticks ${step} ms apart`);
    for (const tick of first.ticks) {
      assert.equal(tick.value % step, 0, `tick ${tick.label} is not on a round time`);
      assert.match(tick.label, /^(\d\d:\d\d|\d{1,2} \w{3})$/, tick.label);
    }
    // The two-hour gap is a gap in each series; no point is lost.
    assert.deepEqual(first.series.map((s) => [s.name, s.points, s.gaps]).sort(), [['north', 120, 1], ['south', 120, 1]]);
    // Colours by series name, whatever order the series arrived in.
    const second = await describeChart(page, 'Readings, south first');
    assert.deepEqual(second.series.map((s) => s.name), ['south', 'north'], 'the second chart saw south first');
    const colours = (d: ChartDescription): Record<string, string> => Object.fromEntries(d.series.map((s) => [s.name, s.colour]));
    assert.deepEqual(colours(second), colours(first));
    assert.notEqual(colours(first).north, colours(first).south);

    // Hover: the values under the pointer.
    const area = chart.locator('.chart-area');
    const box = (await area.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.2, box.y + box.height / 2);
    await page.waitForFunction(async () => {
      const id = document.querySelector('figure.output-chart')!.getAttribute('data-chart-id')!;
      return (await window.weirPerf.describeChart(id)).tooltip.length > 0;
    }, undefined, { timeout: E2E_WAIT });
    const hovered = await describeChart(page, 'Readings');
    // At a fifth of the width, inside the gap but nearer its start: the last readings before it.
    assert.match(hovered.tooltip.join('\n'), /15\/01\/2026, 08:1\d:\d\d\n.*(north|south): \d+(\.\d+)?/, hovered.tooltip.join('\n'));
    await page.screenshot({ path: artifact('chart-time-axis-hover.png'), clip: { x: box.x - 20, y: box.y - 40, width: box.width + 40, height: box.height + 60 } });

    // Zoom: drag across the first fifth; Reset zoom brings the whole range back.
    await page.mouse.move(box.x + box.width * 0.1, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    const reset = chart.getByRole('button', { name: 'Reset zoom' });
    await reset.waitFor({ timeout: E2E_WAIT });
    await page.waitForFunction(async () => {
      const id = document.querySelector('figure.output-chart')!.getAttribute('data-chart-id')!;
      const d = await window.weirPerf.describeChart(id);
      return d.max - d.min < 3_600_000;
    }, undefined, { timeout: E2E_WAIT });
    const zoomed = await describeChart(page, 'Readings');
    assert.ok(zoomed.max - zoomed.min < (first.max - first.min) / 2, `zoomed to ${zoomed.min}..${zoomed.max}`);
    await page.screenshot({ path: artifact('chart-time-axis-zoomed.png'), clip: { x: box.x - 20, y: box.y - 40, width: box.width + 40, height: box.height + 60 } });
    await reset.click();
    await page.waitForFunction(async () => {
      const id = document.querySelector('figure.output-chart')!.getAttribute('data-chart-id')!;
      const d = await window.weirPerf.describeChart(id);
      return d.max - d.min > 3_600_000;
    }, undefined, { timeout: E2E_WAIT });
    assert.equal(await reset.isHidden(), true);
  });
});
