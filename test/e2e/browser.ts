/**
 * Chromium and `weir serve` for the end-to-end tests and the workbench benchmark: no node:test
 * in here, so a benchmark can import it without starting a test run (harness.ts re-exports it
 * and adds the test hooks).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { descendants, type ProcessEntry } from '../harness/processes.ts';

/** The repository root. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Where screenshots and measurements go. */
export const RESULTS = path.join(ROOT, 'test-results');
/** Debian's Chromium. */
export const CHROMIUM = '/usr/bin/chromium';

/** Why the browser tests cannot run here, or undefined when they can. */
export function browserUnavailable(): string | undefined {
  return existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is missing (install Debian's chromium package: apt-get install -y chromium)`;
}

/**
 * The `skip` option of every browser test: the reason when Chromium is missing (each test is
 * then skipped and says why, never passed silently), otherwise false.
 */
export const skipWithoutBrowser: string | false = browserUnavailable() ? `Chromium is not available: ${browserUnavailable()}` : false;

/** Launches headless Chromium. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/**
 * How long a test waits for something to appear in the page before it fails. Long, because it
 * only ends a test that has failed: on a loaded machine (two suites at once, or CI sharing its
 * cores) a page load, a kernel start or a first chart point took over 30 s.
 */
export const E2E_WAIT = 180_000;

/** A running `weir serve`. */
export interface ServeProcess {
  /** The URL it printed (with the token). */
  url: string;
  origin: string;
  token: string;
  /** Everything it printed. */
  output(): string;
  /** The worker processes (jobmanager, taskmanagers) it runs now. */
  workers(): ProcessEntry[];
  /** The notebook kernel processes it runs now. */
  kernels(): ProcessEntry[];
  stop(): Promise<void>;
}

/** Starts `node bin/weir.mjs serve <dir> --port 0 [args]` and waits for its URL. */
export function startServe(dir: string, args: string[] = []): Promise<ServeProcess> {
  const child: ChildProcess = spawn(process.execPath, [path.join(ROOT, 'bin', 'weir.mjs'), 'serve', dir, '--port', '0', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`weir serve printed no URL within ${E2E_WAIT / 1000} s:\n${output}`)), E2E_WAIT);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /(http:\/\/127\.0\.0\.1:\d+\/\?token=([\w-]+))/.exec(output);
      if (match) {
        clearTimeout(timer);
        const url = new URL(match[1]!);
        resolve({
          url: match[1]!,
          origin: url.origin,
          token: match[2]!,
          output: () => output,
          workers: () => descendants(child.pid!, /^weir-(jobmanager|taskmanager)/),
          kernels: () => descendants(child.pid!, /^weir-kernel/),
          stop: () =>
            new Promise<void>((done) => {
              if (child.exitCode !== null) return done();
              child.once('exit', () => done());
              child.kill('SIGTERM');
            }),
        });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`weir serve exited with ${code}:\n${output}`));
    });
  });
}

/** The path of an artifact under test-results/, creating the folder. */
export function artifact(name: string): string {
  mkdirSync(RESULTS, { recursive: true });
  return path.join(RESULTS, name);
}

/** The text of a file of the repository, e.g. a fixture notebook to serve. */
export function repoFile(relative: string): string {
  return readFileSync(path.join(ROOT, relative), 'utf8');
}
