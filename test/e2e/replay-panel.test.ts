/**
 * The job panel's Replay section in web mode (Chromium): progress of a replay running on worker
 * processes, Pause holds it, Resume continues it, the seek slider jumps it ahead, and the speed
 * select re-paces it to the end.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Locator } from 'playwright-core';
import { artifact, repoFile, skipWithoutBrowser as skip, useWorkbench, E2E_WAIT } from './harness.ts';

describe('job panel: replay progress and controls (Chromium)', () => {
  const workbench = useWorkbench('replay', { 'replay-hour.ts': repoFile('test/fixtures/workbench/replay-hour.ts') });

  const percent = async (bar: Locator) => Number(await bar.getAttribute('aria-valuenow'));

  it('shows progress; Pause stops it, Resume continues, seeking jumps ahead, max speed finishes the replay', { skip }, async () => {
    const page = await workbench.open('replay-hour.ts', { viewport: { width: 1400, height: 1000 } });
    await page.getByRole('button', { name: 'Run all' }).click();

    const panel = page.getByRole('region', { name: 'Job: replay hour' });
    await panel.waitFor({ timeout: E2E_WAIT });
    const bar = panel.getByRole('progressbar', { name: 'Replay hour progress' });
    await bar.waitFor({ timeout: E2E_WAIT });
    const started = await percent(bar);
    await page.waitForFunction((p) => Number(document.querySelector('[aria-label="Replay hour progress"]')?.getAttribute('aria-valuenow')) > p, started, { timeout: E2E_WAIT });
    assert.match((await panel.locator('.job-replay-time').textContent()) ?? '', /^2026-01-01 00:\d\d:\d\d UTC$/);
    await panel.screenshot({ path: artifact('replay-panel.png') });

    await panel.getByRole('button', { name: 'Pause replay hour' }).click();
    const resume = panel.getByRole('button', { name: 'Resume replay hour' });
    await resume.waitFor({ timeout: E2E_WAIT });
    // Progress comes with the cluster's metrics: compare the reading with the one two reports later.
    const replay = panel.locator('.job-replay[data-replay="hour"]');
    const reports = async () => Number(await replay.getAttribute('data-reports'));
    const held = await percent(bar);
    const seen = await reports();
    await page.waitForFunction((n) => Number(document.querySelector('.job-replay[data-replay="hour"]')?.getAttribute('data-reports')) >= n + 2, seen, { timeout: E2E_WAIT });
    assert.ok((await reports()) >= seen + 2);
    assert.equal(await percent(bar), held, 'no progress while paused');

    await resume.click();
    await panel.getByRole('button', { name: 'Pause replay hour' }).waitFor({ timeout: E2E_WAIT });
    await page.waitForFunction((p) => Number(document.querySelector('[aria-label="Replay hour progress"]')?.getAttribute('aria-valuenow')) > p, held, { timeout: E2E_WAIT });

    // Seek: while dragging, the slider shows where the replay would continue; on release the
    // replay jumps there (48 of 60 minutes, 80%) and keeps playing from it.
    const seek = panel.getByRole('slider', { name: 'Replay hour seek' });
    assert.equal(await seek.isEnabled(), true);
    const before = await percent(bar);
    assert.ok(before < 50, `progress before the seek: ${before}%`);
    const target = String(Date.UTC(2026, 0, 1, 0, 48));
    await seek.evaluate((el: HTMLInputElement, value) => {
      el.value = value;
      el.dispatchEvent(new Event('input', { bubbles: true }));
    }, target);
    assert.equal(await panel.locator('.job-replay-target').textContent(), '→ 2026-01-01 00:48:00 UTC');
    assert.equal(await seek.getAttribute('aria-valuetext'), '2026-01-01 00:48:00 UTC');
    assert.ok((await percent(bar)) < 50, 'no seek before the slider is released');
    await seek.evaluate((el: HTMLInputElement) => el.dispatchEvent(new Event('change', { bubbles: true })));
    await page.waitForFunction(() => Number(document.querySelector('[aria-label="Replay hour progress"]')?.getAttribute('aria-valuenow')) >= 79.9, undefined, { timeout: E2E_WAIT });
    assert.match((await panel.locator('.job-replay-time').textContent()) ?? '', /^2026-01-01 00:(4[89]|5\d):\d\d UTC$/);
    assert.equal(await panel.locator('.job-replay-target').textContent(), '', 'the target shows only while dragging');
    assert.ok(Number(await seek.inputValue()) >= Number(target), 'the slider follows the replay after the seek');
    await panel.screenshot({ path: artifact('replay-panel-seeked.png') });

    // At 5× the rest would take minutes; at max it ends at once.
    await panel.getByRole('combobox', { name: 'Replay hour speed' }).selectOption('max');
    await page.waitForFunction(() => document.querySelector('.job .job-status')?.textContent === 'FINISHED', undefined, { timeout: E2E_WAIT });
    assert.equal(await panel.locator('.job-replays').isHidden(), true, 'an ended job has no live replay');
    await page.close();
  });
});
