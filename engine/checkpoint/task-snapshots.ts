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
import type { CheckpointMetadata, StoredOperatorInfo, StoredStateInfo } from './types.ts';
import type { VertexSpec } from '../plan/job-graph.ts';
import { RestoreRefusedError, checkRestore, type RestoreOptions, type RestoreTarget } from './restore-check.ts';
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
      const states = storedStates(o.snapshot);
      const handle = await storage.writeState(id, kind, o.uid, o.subtask, await encodeSnapshotAsync(o.snapshot));
      return { ...handle, states };
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
 * The names and kinds of the states in a snapshot, recorded next to its file so that a restore
 * can be checked without reading the state itself. Read before encoding (which releases views).
 */
function storedStates(s: OperatorSnapshot): StoredStateInfo[] {
  const out: StoredStateInfo[] = [];
  const keyed = s.keyed as unknown as { form?: string; stateInfo?: readonly { name: string; kind: string }[]; states?: Record<string, { kind: string }> } | undefined;
  if (keyed?.form === 'view') for (const st of keyed.stateInfo ?? []) out.push({ name: st.name, kind: st.kind });
  else if (keyed && keyed.form === undefined) for (const [name, st] of Object.entries(keyed.states ?? {})) out.push({ name, kind: st.kind });
  for (const [name, l] of Object.entries(s.operator?.lists ?? {})) out.push({ name: name.startsWith('\u0001') ? name.slice(1) : name, kind: l.mode });
  return out;
}

/**
 * Checks a checkpoint or savepoint against the job before anything runs (see restore-check.ts)
 * and throws `RestoreRefusedError` naming every incompatibility and the way out; resolves to the
 * uids whose state is restored (all of the job's, less those dropped by `allowNonRestoredState`).
 *
 * @example
 * const uids = checkRestorable(stored, job.graph, { allowNonRestoredState: false });
 */
export function checkRestorable(stored: StoredCheckpoint, graph: RestoreTarget, options: RestoreOptions = {}): string[] {
  const report = checkRestore(stored.metadata, graph, options);
  if (!report.compatible) throw new RestoreRefusedError(stored.location, stored.metadata.kind, report);
  return report.restoredUids;
}

/**
 * The checkpoint with only the state of `uids` (what `checkRestorable` let through): what a
 * restore hands to tasks that load every state of their operators.
 *
 * @example
 * job.restore = restorableState(stored, checkRestorable(stored, plan, options));
 */
export function restorableState(stored: StoredCheckpoint, uids: Iterable<string>): StoredCheckpoint {
  const keep = new Set(uids);
  return { ...stored, metadata: { ...stored.metadata, states: stored.metadata.states.filter((h) => keep.has(h.uid)) } };
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
export function metadataOperators(graph: { vertices: VertexSpec[] }): CheckpointMetadata['operators'] {
  return graph.vertices.map((v) => {
    const o: StoredOperatorInfo = { uid: v.uid, name: v.name, parallelism: v.parallelism, maxParallelism: v.maxParallelism, kind: v.kind };
    if (typeof v.config?.assigner === 'string') o.window = v.config.assigner;
    if (typeof v.config?.function === 'string' && v.kind === 'window') o.windowFunction = v.config.function;
    if (v.valueShape !== undefined) o.valueShape = v.valueShape;
    return o;
  });
}
