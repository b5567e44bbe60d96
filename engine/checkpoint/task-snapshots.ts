/**
 * The task side of a checkpoint, wherever the task runs: a task's snapshot (keyed state as a
 * copy-on-write view, so the task resumes at once) is serialised in slices between the task's
 * steps, written, and turned into the acknowledgement the coordinator expects; on restore, the stored states are read back
 * and handed to each operator by uid. The taskmanager process and the in-process executor do
 * the same with these functions.
 */
import { releaseSnapshotViews, type OperatorSnapshot } from '../runtime/operator.ts';
import { timerCount } from '../runtime/timer-snapshot.ts';
import type { TaskSnapshot } from '../runtime/task.ts';
import { platform } from '../runtime/platform.ts';
import type { CheckpointAck } from './coordinator.ts';
import type { CheckpointStorage, StoredCheckpoint } from './storage.ts';
import type { CheckpointMetadata } from './types.ts';
import { decodeSnapshot, encodeSnapshotAsync } from './snapshot-format.ts';

/**
 * Whether a snapshot holds anything worth writing.
 *
 * @example
 * hasState({}); // false
 */
export function hasState(s: OperatorSnapshot): boolean {
  if (s.keyed && !keyedIsEmpty(s.keyed)) return true;
  if (s.operator && Object.values(s.operator.lists).some((l) => l.items.length > 0)) return true;
  return !!s.timers && timerCount(s.timers) > 0;
}

/**
 * Whether keyed state in a snapshot has no entries. Read structurally, since keyed state comes
 * in several forms (plain entries, a view counting its entries, still-encoded bytes).
 */
function keyedIsEmpty(keyed: NonNullable<OperatorSnapshot['keyed']>): boolean {
  const k = keyed as unknown as { form?: string; count?: number; states?: Record<string, { entries?: unknown[] }> };
  if (k.form === 'reader') return false;
  if (typeof k.count === 'number') return k.count === 0;
  return !Object.values(k.states ?? {}).some((st) => (st.entries?.length ?? 0) > 0);
}

/**
 * Serialises a task's snapshot asynchronously (in slices of a few ms between the task's steps;
 * see `encodeSnapshotAsync`), writes it to `storage`, and resolves with the task's
 * acknowledgement (rejects when a write fails). Call it from `StreamTask.onSnapshot`: the
 * synchronous part was the task's `snapshotState` calls, reported as `syncMs`.
 *
 * @example
 * task.onSnapshot = (snap) => void writeTaskSnapshot(task.name, snap, storage).then((ack) => coordinator.acknowledge(ack));
 */
export async function writeTaskSnapshot(task: string, snap: TaskSnapshot, storage: CheckpointStorage): Promise<CheckpointAck> {
  const kind = snap.barrier.savepoint ? 'savepoint' : 'checkpoint';
  const id = snap.barrier.checkpointId;
  const asyncStart = platform.monotonicNow();
  const written = await Promise.all(
    snap.operators.map(async (o) => {
      if (!hasState(o.snapshot)) {
        releaseSnapshotViews(o.snapshot);
        return undefined;
      }
      return storage.writeState(id, kind, o.uid, o.subtask, await encodeSnapshotAsync(o.snapshot));
    }),
  );
  return {
    checkpointId: id,
    task,
    handles: written.filter((h) => h !== undefined),
    syncMs: snap.syncMs,
    asyncMs: platform.monotonicNow() - asyncStart,
    alignmentMs: snap.alignmentMs,
  };
}

/**
 * Refuses a checkpoint or savepoint that holds state for operators the job does not have,
 * unless `allowNonRestoredState`; the error names the operators and the way out.
 *
 * @example
 * checkRestorable(stored, job.graph.vertices.map((v) => v.uid), false);
 */
export function checkRestorable(stored: StoredCheckpoint, uids: Iterable<string>, allowNonRestoredState: boolean): void {
  const known = new Set(uids);
  const missing = [...new Set(stored.metadata.states.map((s) => s.uid))].filter((uid) => !known.has(uid));
  if (missing.length === 0 || allowNonRestoredState) return;
  const names = missing.map((uid) => `'${stored.metadata.operators.find((o) => o.uid === uid)?.name ?? uid}' (uid ${uid})`);
  throw new Error(
    `The ${stored.metadata.kind} ${stored.location} holds state for ${names.join(', ')}, which the job does not have. ` +
      `Give the operator its old uid with .uid(...), or allow non-restored state to drop that state`,
  );
}

/**
 * Reads and decodes, per operator uid in `uids`, the snapshots of all its old subtasks (in
 * subtask order; each new subtask takes its share by key group or list redistribution). Keyed
 * state stays encoded: each subtask's backend indexes only its own key groups and decodes one
 * on its first use.
 *
 * @example
 * const restored = await loadOperatorSnapshots(storage, stored, uids);
 * deploy(job, { ...options, restore: (uid) => restored.get(uid) ?? [] });
 */
export async function loadOperatorSnapshots(storage: CheckpointStorage, stored: StoredCheckpoint, uids: Iterable<string>): Promise<Map<string, OperatorSnapshot[]>> {
  const wanted = new Set(uids);
  const out = new Map<string, OperatorSnapshot[]>();
  for (const handle of stored.metadata.states) {
    if (!wanted.has(handle.uid)) continue;
    const bytes = await storage.readState(stored, handle);
    const list = out.get(handle.uid) ?? [];
    list[handle.subtask] = decodeSnapshot(bytes, { lazyKeyed: true, label: handle.file });
    out.set(handle.uid, list);
  }
  for (const [uid, list] of out) out.set(uid, list.filter((x) => x !== undefined));
  return out;
}

/**
 * The operators a checkpoint's metadata lists, from the job's plan.
 *
 * @example
 * metadataOperators(job.graph); // [{ uid: 'events', name: 'Source', parallelism: 1, maxParallelism: 128 }, ...]
 */
export function metadataOperators(graph: { vertices: { uid: string; name: string; parallelism: number; maxParallelism: number }[] }): CheckpointMetadata['operators'] {
  return graph.vertices.map((v) => ({ uid: v.uid, name: v.name, parallelism: v.parallelism, maxParallelism: v.maxParallelism }));
}
