/**
 * A workbench served over an in-memory link, with a client that records every event: the
 * renderer's view of the host, without a renderer.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Workbench, type WorkbenchOptions } from '../../../app/host/workbench.ts';
import { exposeOnLink, wrapLink, type Remote } from '../../../app/shared/rpc/comlink-link.ts';
import { linkedPair } from '../../../app/shared/rpc/endpoint.ts';
import { WORKBENCH_CLIENT_EVENTS, type WorkbenchClient, type WorkbenchService } from '../../../app/shared/workbench/service.ts';

/** An event as the client received it. */
export interface RecordedEvent {
  name: (typeof WORKBENCH_CLIENT_EVENTS)[number];
  event: any;
}

/** A folder of notebooks, a workbench serving it, and a connected recording client. */
export interface HostHarness {
  dir: string;
  workbench: Workbench;
  service: Remote<WorkbenchService>;
  events: RecordedEvent[];
  /** Resolves when an event matching `test` has arrived (or rejects after `timeoutMs`). */
  waitFor(test: (e: RecordedEvent) => boolean, timeoutMs?: number): Promise<RecordedEvent>;
  close(): Promise<void>;
}

/** Starts a harness with the given files (name → content) in a fresh folder. */
export async function startHarness(files: Record<string, string>, options: Partial<WorkbenchOptions> = {}): Promise<HostHarness> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'weir-host-test-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content);
  const workbench = await Workbench.start({ root: dir, shell: 'web', watchIntervalMs: 50, jobPollMs: 50, ...options });
  const [hostSide, clientSide] = linkedPair();
  const detach = workbench.connect(hostSide);
  const events: RecordedEvent[] = [];
  const waiters = new Set<{ test: (e: RecordedEvent) => boolean; resolve: (e: RecordedEvent) => void }>();
  const client = Object.fromEntries(
    WORKBENCH_CLIENT_EVENTS.map((name) => [
      name,
      (event: unknown) => {
        const recorded = { name, event };
        events.push(recorded);
        for (const waiter of waiters) {
          if (waiter.test(recorded)) {
            waiters.delete(waiter);
            waiter.resolve(recorded);
          }
        }
      },
    ]),
  ) as unknown as WorkbenchClient;
  exposeOnLink(client, clientSide);
  const service = wrapLink<WorkbenchService>(clientSide);
  return {
    dir,
    workbench,
    service,
    events,
    // The bound only ends a test that has failed: a loaded machine (CI at load 24 took over 10 s to
    // start a kernel and a job) must not fail one that works.
    waitFor(test, timeoutMs = 120_000) {
      const found = events.find(test);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        // A ref'd timer: the host's file watching does not keep the process alive by itself.
        const timer = setTimeout(() => {
          if (waiters.delete(waiter)) reject(new Error(`no matching event within ${timeoutMs} ms; got ${events.map((e) => e.name).join(', ')}`));
        }, timeoutMs);
        const waiter = {
          test,
          resolve: (e: RecordedEvent) => {
            clearTimeout(timer);
            resolve(e);
          },
        };
        waiters.add(waiter);
      });
    },
    async close() {
      // The folder goes even when disposing fails, so a failed test leaves nothing in the temp dir.
      try {
        detach();
        await workbench.dispose();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
