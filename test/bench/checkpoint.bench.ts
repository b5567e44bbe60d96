/**
 * Checkpoint figures for keyed state on the heap backend, as a task sees them:
 *
 * - synchronous pause: taking the copy-on-write view of the state (the task is stopped only for
 *   this);
 * - asynchronous part: encoding the view in slices between the task's turns, writing the file,
 *   completing the checkpoint; meanwhile a stand-in task keeps updating keys on every turn, and
 *   the longest slice (the longest the task waited for the encoder at a time) is reported;
 * - size of the state file;
 * - recovery: read and verify the file, index the keyed section by key group into a new
 *   backend (until the task can run), then the decoding each key group costs on its first use;
 *   once for all key groups and once for half of them (a rescale to parallelism 2).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HeapKeyedStateBackend } from '../../engine/state/heap-keyed-backend.ts';
import { ValueStateDescriptor } from '../../engine/state/descriptors.ts';
import { keyGroupRangeFor } from '../../engine/state/key-groups.ts';
import type { ValueState } from '../../engine/state/state.ts';
import { decodeSnapshot, encodeSnapshotAsync, type EncodeProgress } from '../../engine/checkpoint/snapshot-format.ts';
import { FsCheckpointStorage } from '../../engine/process/checkpoint/fs-storage.ts';

const MAX_P = 128;

interface Agg {
  count: number;
  sum: number;
  last: string;
}

function fill(keys: number, pad: string): { backend: HeapKeyedStateBackend; state: ValueState<Agg> } {
  const backend = new HeapKeyedStateBackend(MAX_P, { start: 0, end: MAX_P - 1 }, () => 0, 'bench');
  const state = backend.getState(new ValueStateDescriptor<Agg>('agg')) as unknown as ValueState<Agg>;
  for (let k = 0; k < keys; k++) {
    backend.setCurrentKey(`user-${k}`);
    state.update({ count: k & 1023, sum: k * 1.5, last: `page-${k % 977}${pad}` });
  }
  return { backend, state };
}

/** Restores `range` of the checkpoint at `location` into a new backend; returns the times and entries. */
async function recover(storage: FsCheckpointStorage, location: string, range: { start: number; end: number }): Promise<{ ms: number; readMs: number; entries: number; decodedMs: number }> {
  const t0 = performance.now();
  const stored = await storage.load(location);
  const read = await storage.readState(stored, stored.metadata.states[0]!);
  const readMs = performance.now() - t0;
  const restored = new HeapKeyedStateBackend(MAX_P, range, () => 0, 'bench');
  restored.restore([decodeSnapshot(read, { lazyKeyed: true }).keyed!]);
  const state = restored.getState(new ValueStateDescriptor<Agg>('agg')) as unknown as ValueState<Agg>;
  const ms = performance.now() - t0;
  // What the task pays afterwards, spread over the first use of each key group: decoding it.
  const t1 = performance.now();
  for (let k = 0; k < MAX_P * 64; k++) {
    restored.setCurrentKey(`user-${k}`);
    if (restored.currentKeyGroup >= range.start && restored.currentKeyGroup <= range.end) state.value();
  }
  return { ms, readMs, entries: restored.entryCount(), decodedMs: performance.now() - t1 };
}

/** Fills a backend, checkpoints it while a stand-in task keeps updating it; returns the figures and the checkpoint. */
async function checkpoint(storage: FsCheckpointStorage, keys: number, valueBytes: number): Promise<{ line: string; location: string }> {
  const { backend, state } = fill(keys, 'x'.repeat(valueBytes));
  // The synchronous part, five times (a GC pause may land in any one): all but the last view
  // are released at once.
  const pauses: number[] = [];
  let view = backend.snapshotView();
  view.release();
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    view = backend.snapshotView();
    pauses.push(performance.now() - t0);
    if (i < 4) view.release();
  }
  pauses.sort((a, b) => a - b);
  const syncMs = pauses[2]!;

  // The task: 200 record updates per turn (read-modify-write of existing keys, some new keys).
  let running = true;
  let updates = 0;
  const task = (async () => {
    for (let turn = 0; running; turn++) {
      await new Promise((r) => setImmediate(r));
      for (let i = 0; i < 200; i++) {
        const k = (turn * 7919 + i * 104_729) % (keys + keys / 10);
        backend.setCurrentKey(`user-${k}`);
        const v = state.value();
        if (v) v.count++;
        else state.update({ count: 1, sum: 0, last: 'new' });
        updates++;
      }
    }
  })();
  const progress: EncodeProgress = { slices: 0, longestSliceMs: 0 };
  const t1 = performance.now();
  const bytes = await encodeSnapshotAsync({ keyed: view }, { progress });
  const encodeMs = performance.now() - t1;
  running = false;
  await task;
  const handle = await storage.writeState(1, 'checkpoint', 'agg-op', 0, bytes);
  const location = await storage.complete({ version: 1, kind: 'checkpoint', jobName: 'bench', checkpointId: 1, timestamp: Date.now(), operators: [{ uid: 'agg-op', name: 'agg', parallelism: 1, maxParallelism: MAX_P }], states: [handle] });
  const asyncMs = performance.now() - t1;
  const mb = (bytes.length / 2 ** 20).toFixed(0);
  return {
    location,
    line:
      `keyed state ${keys.toLocaleString()} keys, ${mb} MiB checkpointed: synchronous pause ${syncMs.toFixed(2)} ms (median of 5, max ${pauses[4]!.toFixed(2)} ms), ` +
      `asynchronous part ${asyncMs.toFixed(0)} ms (encode ${encodeMs.toFixed(0)} ms in ${progress.slices} slices, longest ${progress.longestSliceMs.toFixed(1)} ms; ` +
      `${updates.toLocaleString()} state updates by the task meanwhile), total ${(syncMs + asyncMs).toFixed(0)} ms`,
  };
}

async function measure(keys: number, valueBytes = 0): Promise<string[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'weir-chk-bench-'));
  try {
    const storage = new FsCheckpointStorage({ checkpointDir: dir, jobName: 'bench' });
    const { line, location } = await checkpoint(storage, keys, valueBytes);
    const full = await recover(storage, location, { start: 0, end: MAX_P - 1 });
    if (full.entries !== keys) throw new Error(`restored ${full.entries} of ${keys} entries`);
    const half = await recover(storage, location, keyGroupRangeFor(0, MAX_P, 2));
    return [
      line,
      `  recovery ${full.ms.toFixed(0)} ms until the task runs (read and verify ${full.readMs.toFixed(0)} ms, index the key groups ${(full.ms - full.readMs).toFixed(0)} ms), ` +
        `then ${full.decodedMs.toFixed(0)} ms of decoding spread over the first use of each key group; ` +
        `half of the key groups (rescale to parallelism 2): ${half.ms.toFixed(0)} ms, then ${half.decodedMs.toFixed(0)} ms (${half.entries.toLocaleString()} entries)`,
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchCheckpoints(): Promise<string[]> {
  const lines = await measure(2_000_000);
  // About 1 GiB of checkpoint: skip with WEIR_BENCH_SKIP_1GB=1. Larger values rather than more
  // keys, so that the run fits the build machines' memory.
  if (!process.env.WEIR_BENCH_SKIP_1GB) lines.push(...(await measure(8_000_000, 90)));
  return lines;
}
