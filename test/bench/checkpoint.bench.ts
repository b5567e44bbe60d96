/**
 * Checkpoint figures for keyed state on the heap backend: the synchronous pause (copying the
 * state and serialising it, which today happens before the task resumes), the asynchronous
 * write, the size, and the recovery time (read, verify, decode, load into a backend).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HeapKeyedStateBackend } from '../../engine/state/heap-keyed-backend.ts';
import { ValueStateDescriptor } from '../../engine/state/descriptors.ts';
import type { ValueState } from '../../engine/state/state.ts';
import { decodeSnapshot, encodeSnapshot } from '../../engine/checkpoint/snapshot-format.ts';
import { FsCheckpointStorage } from '../../engine/process/checkpoint/fs-storage.ts';

const MAX_P = 128;

function fill(keys: number, pad: string): HeapKeyedStateBackend {
  const backend = new HeapKeyedStateBackend(MAX_P, { start: 0, end: MAX_P - 1 }, () => 0, 'bench');
  const state = backend.getState(new ValueStateDescriptor<{ count: number; sum: number; last: string }>('agg')) as unknown as ValueState<{
    count: number;
    sum: number;
    last: string;
  }>;
  for (let k = 0; k < keys; k++) {
    backend.setCurrentKey(`user-${k}`);
    state.update({ count: k & 1023, sum: k * 1.5, last: `page-${k % 977}${pad}` });
  }
  return backend;
}

async function measure(keys: number, valueBytes = 0): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'weir-chk-bench-'));
  try {
    const backend = fill(keys, 'x'.repeat(valueBytes));
    const storage = new FsCheckpointStorage({ checkpointDir: dir, jobName: 'bench' });
    const t0 = performance.now();
    const snapshot = backend.snapshot();
    const bytes = encodeSnapshot({ keyed: snapshot });
    const syncMs = performance.now() - t0;
    const t1 = performance.now();
    const handle = await storage.writeState(1, 'checkpoint', 'agg-op', 0, bytes);
    const location = await storage.complete({ version: 1, kind: 'checkpoint', jobName: 'bench', checkpointId: 1, timestamp: Date.now(), operators: [{ uid: 'agg-op', name: 'agg', parallelism: 1, maxParallelism: MAX_P }], states: [handle] });
    const asyncMs = performance.now() - t1;
    const t2 = performance.now();
    const stored = await storage.load(location);
    const read = await storage.readState(stored, stored.metadata.states[0]!);
    const restored = new HeapKeyedStateBackend(MAX_P, { start: 0, end: MAX_P - 1 }, () => 0, 'bench');
    restored.restore([decodeSnapshot(read).keyed!]);
    restored.getState(new ValueStateDescriptor('agg'));
    const recoveryMs = performance.now() - t2;
    if (restored.entryCount() !== keys) throw new Error(`restored ${restored.entryCount()} of ${keys} entries`);
    const mb = (bytes.length / 2 ** 20).toFixed(0);
    return `keyed state ${keys.toLocaleString()} keys, ${mb} MiB checkpointed: synchronous pause ${syncMs.toFixed(0)} ms, asynchronous write ${asyncMs.toFixed(0)} ms, total ${(syncMs + asyncMs).toFixed(0)} ms, recovery ${recoveryMs.toFixed(0)} ms`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchCheckpoints(): Promise<string[]> {
  const lines = [await measure(2_000_000)];
  // About 1 GiB of checkpoint: minutes on a 2-core machine; skip with WEIR_BENCH_SKIP_1GB=1.
  // Bigger values rather than more keys: one JS Map holds at most 2^24 entries, a limit of the
  // heap backend's state table today (one map per namespace and state).
  if (!process.env.WEIR_BENCH_SKIP_1GB) lines.push(await measure(8_000_000, 90));
  return lines;
}
