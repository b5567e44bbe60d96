/**
 * End-to-end harness: `weir serve` as a child process (exactly as a user starts it) and
 * Debian's Chromium driven by playwright-core. When Chromium is missing, `browserUnavailable()`
 * says why, and the tests skip with that reason.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, afterEach, before, beforeEach } from 'node:test';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { artifact, E2E_WAIT, launchBrowser, skipWithoutBrowser, startServe, type ServeProcess } from './browser.ts';

export { ROOT, RESULTS, CHROMIUM, browserUnavailable, skipWithoutBrowser, launchBrowser, E2E_WAIT, startServe, artifact, repoFile, type ServeProcess } from './browser.ts';

/** Uncaught errors (and unhandled rejections) of the pages `newTestPage` made, not yet reported. */
const pageErrors: string[] = [];

/**
 * Fails the test during which a page threw and nothing caught it ("Model is disposed!" was one):
 * the page goes on working, so the error would otherwise pass unseen. Registered at the top
 * level of every test file that imports the harness; errors after the last test fail the file.
 */
function failOnPageErrors(): void {
  const errors = pageErrors.splice(0);
  if (errors.length > 0) throw new Error(`${errors.length} uncaught error(s) in the page:\n${errors.join('\n')}`);
}
afterEach(failOnPageErrors);
after(failOnPageErrors);

/**
 * A new page whose waits (selectors, functions, navigation) default to `E2E_WAIT`, and whose
 * uncaught errors fail the test that is running.
 *
 * @example
 * const page = await newTestPage(browser, { viewport: { width: 1440, height: 900 } });
 */
export async function newTestPage(browser: Browser, options: BrowserContextOptions = {}): Promise<Page> {
  const page = await browser.newPage(options);
  page.setDefaultTimeout(E2E_WAIT);
  page.setDefaultNavigationTimeout(E2E_WAIT);
  page.on('pageerror', (error) => {
    console.log(`page error: ${error.message}`);
    pageErrors.push(`${page.url().replace(/token=[\w-]+/, 'token=…')}: ${error.stack ?? error.message}`);
  });
  return page;
}


/** A test file's workbench: a folder of notebooks, `weir serve` over it, and Chromium. */
export interface Workbench {
  /** The served folder (a temp folder, removed after the tests). */
  readonly dir: string;
  readonly serve: ServeProcess;
  readonly browser: Browser;
  /**
   * A new page with `notebook` open and the workbench ready. A page opened during a test is
   * closed after it (with a screenshot first when the test failed); one opened in `before`
   * stays for the file's tests.
   */
  open(notebook: string, options?: OpenOptions): Promise<Page>;
}

/** How `Workbench.open` makes its page. */
export interface OpenOptions extends BrowserContextOptions {
  /** Script the page runs before its own (e.g. performance observers from its start). */
  initScript?: string;
}

/**
 * Sets up the enclosing `describe`: before its tests, a temp folder with `notebooks` (name to
 * text) and `weir serve [serveArgs]` over it and a browser; after them, all of it goes. Does
 * nothing when Chromium is missing (the tests skip with `skipWithoutBrowser`).
 *
 * @example
 * describe('live charts (Chromium)', () => {
 *   const workbench = useWorkbench('charts', { 'two-charts.ts': repoFile('test/fixtures/workbench/two-charts.ts') });
 *   it('draws each chart sink', { skip: skipWithoutBrowser }, async () => {
 *     const page = await workbench.open('two-charts.ts', { viewport: { width: 1440, height: 900 } });
 *   });
 * });
 */
export function useWorkbench(name: string, notebooks: Record<string, string>, serveArgs: string[] = []): Workbench {
  let dir: string | undefined;
  let serve: ServeProcess | undefined;
  let browser: Browser | undefined;
  let inTest = false;
  const testPages: Page[] = [];
  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`the workbench's ${what} is not started: use it in a test of the describe that called useWorkbench`);
    return value;
  };
  before(async () => {
    if (skipWithoutBrowser) return;
    dir = mkdtempSync(path.join(os.tmpdir(), `weir-e2e-${name}-`));
    for (const [file, text] of Object.entries(notebooks)) {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      writeFileSync(path.join(dir, file), text);
    }
    serve = await startServe(dir, serveArgs);
    browser = await launchBrowser();
  });
  beforeEach(() => {
    inTest = true;
  });
  afterEach(async (context) => {
    inTest = false;
    const failed = (context as { passed?: boolean }).passed === false;
    for (const [i, page] of testPages.splice(0).entries()) {
      if (page.isClosed()) continue;
      if (failed) await page.screenshot({ path: artifact(`failure-${name}-${slug(context.name)}-${i}.png`) }).catch(() => {});
      await page.close().catch(() => {});
    }
  });
  after(async () => {
    await browser?.close();
    await serve?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return {
    get dir() {
      return started(dir, 'folder');
    },
    get serve() {
      return started(serve, 'server');
    },
    get browser() {
      return started(browser, 'browser');
    },
    async open(notebook, { initScript, ...options } = {}) {
      const page = await newTestPage(started(browser, 'browser'), options);
      if (inTest) testPages.push(page);
      if (initScript) await page.addInitScript(initScript);
      await page.goto(`${started(serve, 'server').url}&notebook=${encodeURIComponent(notebook)}`);
      await page.waitForSelector('body[data-ready="true"]');
      return page;
    },
  };
}

/**
 * Opens another notebook from the workbench's list, as a user clicks it (the page closes the
 * one it had open), and waits until it is shown.
 *
 * @example
 * await switchNotebook(page, 'other.ts');
 */
export async function switchNotebook(page: Page, notebook: string): Promise<void> {
  await page.locator('.notebook-list a', { hasText: notebook }).click();
  await page.waitForFunction((name) => document.querySelector('.doc-name')?.textContent === name, notebook);
}

/** A test's name as part of a file name. */
function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').slice(0, 40);
}
