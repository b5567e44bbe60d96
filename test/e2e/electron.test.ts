/**
 * The desktop app through Playwright's Electron driver. Runs wherever the Electron binary is
 * present; elsewhere it is reported as skipped, with the reason, never as passed.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { _electron } from 'playwright-core';
import { electronBinary } from '../../scripts/electron-binary.mjs';
import { artifact, ROOT, E2E_WAIT } from './harness.ts';

const electron = electronBinary();
const skip = electron.missing ? `Electron is not available: ${electron.missing}` : false;
if (skip) console.log(`# Electron e2e skipped: ${electron.missing}`);

describe('desktop app (Electron)', () => {
  it('opens the workbench in a sandboxed, isolated window whose only bridge is window.weir', { skip }, async () => {
    const app = await _electron.launch({ executablePath: electron.binary!, args: [ROOT, path.join(ROOT, 'notebooks')], cwd: ROOT });
    try {
      const page = await app.firstWindow();
      await page.waitForSelector('body[data-ready="true"]', { timeout: E2E_WAIT });
      const seen = await page.evaluate(() => {
        const scope = globalThis as { weir?: Record<string, unknown>; require?: unknown; process?: unknown };
        return {
          shell: scope.weir?.shell,
          bridgeKeys: Object.keys(scope.weir ?? {}).sort(),
          require: typeof scope.require,
          process: typeof scope.process,
          origin: location.origin,
        };
      });
      // No require/process in the page: sandboxed, no Node integration; the bridge is the preload's copy.
      assert.deepEqual(seen, { shell: 'desktop', bridgeKeys: ['chooseFolder', 'requestHostPort', 'shell', 'versions'], require: 'undefined', process: 'undefined', origin: 'weir://app' });
      await page.getByRole('link', { name: 'sensor-averages.ts' }).click();
      await page.getByRole('button', { name: 'Run all' }).waitFor();
      await page.screenshot({ path: artifact('electron-notebook.png') });
    } finally {
      await app.close();
    }
  });
});
