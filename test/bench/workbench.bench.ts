/**
 * The workbench in Chromium, timed: long tasks in the page while a full-speed job streams into
 * its chart, redraws of a 100k-point chart, and opening a 50-cell notebook (the host's answer and
 * the page's render apart). `weir serve` and Chromium start as the end-to-end tests start them
 * (test/e2e/browser.ts); the e2e tests check the same behaviour without timing it. run.ts prints
 * the machine line (machine.ts) above the numbers. Skips, saying why, without /usr/bin/chromium.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { browserUnavailable, E2E_WAIT, launchBrowser, repoFile, startServe, type ServeProcess } from '../e2e/browser.ts';
import { fiftyCells } from '../e2e/notebooks.ts';

/**
 * Records long tasks, and long animation frames with the script time in them, from the page's
 * start. A long task may be the renderer's own work or the OS not scheduling it (on a small,
 * busy machine); the script time inside the frame tells them apart.
 */
const LONG_TASK_OBSERVER = `
  window.__longTasks = [];
  window.__longFrames = [];
  new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, duration: e.duration }); })
    .observe({ type: 'longtask', buffered: true });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__longFrames.push({ start: e.startTime, duration: e.duration, scriptMs: e.scripts.reduce((sum, s) => sum + s.duration, 0) });
  }).observe({ type: 'long-animation-frame', buffered: true });
`;

/**
 * The page's globals the functions below use (they run in the page, which has a CSP without
 * 'unsafe-eval', so they are functions rather than strings; the bench's tsconfig has no DOM).
 */
interface InPage {
  document: { querySelector(selector: string): Element | null; querySelectorAll(selector: string): ArrayLike<Element> };
  __longTasks: { start: number; duration: number }[];
  __longFrames: { start: number; duration: number; scriptMs: number }[];
  weirPerf: { measureChart(id: string, runs: number): Promise<{ points: number; drawMs: number[]; withRasterMs: number[] }> };
}
interface Element {
  getAttribute(name: string): string | null;
}

/** The point count of the page's first chart. */
const points = (): number => Number((globalThis as unknown as InPage).document.querySelector('output.chart-count')?.getAttribute('data-points') ?? 0);

/** Long tasks since `from` (page time), the page's own script time in each (from the long animation frames overlapping it). */
const observed = (from: number): { longTasks: number[]; scriptMs: number[] } => {
  const scope = globalThis as unknown as InPage;
  const tasks = scope.__longTasks.filter((t) => t.start >= from);
  const ownWork = tasks.map((t) => scope.__longFrames.filter((f) => f.start < t.start + t.duration && f.start + f.duration > t.start).reduce((sum, f) => sum + f.scriptMs, 0));
  return { longTasks: tasks.map((t) => t.duration), scriptMs: ownWork };
};

const WINDOW_MS = 4000;
const WINDOWS = 3;
const REDRAWS = 20;
const OPENS = 5;

export async function benchWorkbench(): Promise<string[]> {
  const missing = browserUnavailable();
  if (missing) return [`skipped: ${missing}`];
  const dir = mkdtempSync(path.join(os.tmpdir(), 'weir-bench-workbench-'));
  writeFileSync(path.join(dir, 'full-speed.ts'), repoFile('test/fixtures/workbench/full-speed.ts'));
  writeFileSync(path.join(dir, 'live-windows.ts'), repoFile('test/fixtures/workbench/live-windows.ts'));
  writeFileSync(path.join(dir, 'fifty-cells.ts'), fiftyCells());
  let serve: ServeProcess | undefined;
  let browser: Browser | undefined;
  try {
    serve = await startServe(dir);
    browser = await launchBrowser();
    const open = async (notebook: string, initScript?: string): Promise<Page> => {
      const page = await browser!.newPage({ viewport: { width: 1600, height: 1000 } });
      page.setDefaultTimeout(E2E_WAIT);
      if (initScript) await page.addInitScript(initScript);
      await page.goto(`${serve!.url}&notebook=${encodeURIComponent(notebook)}`);
      await page.waitForSelector('body[data-ready="true"]');
      return page;
    };
    const lines: string[] = [];

    // Long tasks while the full-speed job streams, in windows of WINDOW_MS after its first point.
    const page = await open('full-speed.ts', LONG_TASK_OBSERVER);
    await page.getByRole('button', { name: 'Run all' }).click();
    await page.waitForFunction(points);
    for (let i = 0; i < WINDOWS; i++) {
      const from = await page.evaluate(() => performance.now());
      const before = await page.evaluate(points);
      await new Promise((resolve) => setTimeout(resolve, WINDOW_MS));
      const seen = { ...(await page.evaluate(observed, from)), points: await page.evaluate(points) };
      lines.push(
        `long tasks while a full-speed job streams, ${WINDOW_MS / 1000} s window ${i + 1}: ${seen.longTasks.length} long tasks (max ${fmt(Math.max(0, ...seen.longTasks))} ms), ` +
          `page script in them max ${fmt(Math.max(0, ...seen.scriptMs))} ms, ${seen.scriptMs.filter((ms) => ms >= 50).length} with ≥ 50 ms of script; ` +
          `${(seen.points - before).toLocaleString('en-US')} points charted; load average ${os.loadavg()[0]!.toFixed(2)}`,
      );
    }
    await page.getByRole('region', { name: 'Job: full speed' }).getByRole('button', { name: 'Cancel' }).click();

    // Full redraws of the 100k-point chart in the chart worker, with and without the raster.
    const big = page.locator('figure.output-chart', { hasText: '100k points' });
    await big.waitFor();
    await page.waitForFunction(() => Array.from((globalThis as unknown as InPage).document.querySelectorAll('output.chart-count')).some((o) => o.getAttribute('data-points') === '100000'));
    await big.scrollIntoViewIfNeeded();
    const chartId = (await big.getAttribute('data-chart-id'))!;
    const measured = await page.evaluate(([id, runs]) => (globalThis as unknown as InPage).weirPerf.measureChart(id, runs), [chartId, REDRAWS] as const);
    lines.push(
      `${measured.points.toLocaleString('en-US')}-point chart redraw (${measured.drawMs.length} redraws): median ${fmt(median(measured.drawMs))} ms, max ${fmt(Math.max(...measured.drawMs))} ms; ` +
        `raster included: median ${fmt(median(measured.withRasterMs))} ms, max ${fmt(Math.max(...measured.withRasterMs))} ms`,
    );
    await page.close();

    // Opening a 50-cell notebook from the list, each time in a fresh page: from the click to all
    // cells shown, split into the host's answer and the page's render (performance marks in the page).
    const opens: { wallMs: number; hostMs: number; renderMs: number }[] = [];
    for (let i = 0; i < OPENS; i++) {
      const list = await open('live-windows.ts');
      const started = performance.now();
      await list.getByRole('link', { name: 'fifty-cells.ts' }).click();
      await list.waitForFunction(() => (globalThis as unknown as InPage).document.querySelectorAll('section.cell').length === 50 && (globalThis as unknown as InPage).document.querySelector('main[data-open-ms]') !== null);
      const wallMs = performance.now() - started;
      const marks: Record<string, number> = await list.evaluate(() => Object.fromEntries(performance.getEntriesByType('measure').filter((m) => m.name.startsWith('weir-open-')).map((m) => [m.name, m.duration])));
      opens.push({ wallMs, hostMs: marks['weir-open-host'] ?? NaN, renderMs: marks['weir-open-render'] ?? NaN });
      await list.close();
    }
    const of = (pick: (o: (typeof opens)[number]) => number): string => `median ${fmt(median(opens.map(pick)))} ms (min ${fmt(Math.min(...opens.map(pick)))}, max ${fmt(Math.max(...opens.map(pick)))})`;
    lines.push(`opening a 50-cell notebook (${OPENS} opens): host's answer ${of((o) => o.hostMs)}; render ${of((o) => o.renderMs)}; click to cells shown ${of((o) => o.wallMs)}; load average ${os.loadavg()[0]!.toFixed(2)}`);
    return lines;
  } finally {
    await browser?.close();
    await serve?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function fmt(ms: number): string {
  return ms.toFixed(ms < 10 ? 2 : ms < 100 ? 1 : 0);
}
