/**
 * Checkpoints held in this process's memory: for jobs run in-process (tests, previews, the
 * engine in a browser) where no file system is at hand. It keeps the `CheckpointStorage`
 * contract: state is copied on write, a checkpoint exists once its metadata is stored, reads
 * verify each state's size and CRC-32, and only the newest `retained` checkpoints are kept.
 * Savepoints are never removed by `cleanup`: they belong to the user.
 */
import type { CheckpointStorage, StoredCheckpoint } from './storage.ts';
import type { CheckpointMetadata, SubtaskStateHandle } from './types.ts';
import { crc32 } from './snapshot-format.ts';

type Kind = 'checkpoint' | 'savepoint';

/** Everything one checkpoint or savepoint holds. */
interface Entry {
  files: Map<string, Uint8Array>;
  metadata?: CheckpointMetadata;
}

/**
 * `CheckpointStorage` in memory. Locations look like `memory:<job>/chk-7` and
 * `memory:<job>/savepoint-8`; `load` accepts only those of the same storage.
 *
 * @example
 * const storage = new MemoryCheckpointStorage('orders');
 * const handle = await storage.writeState(1, 'checkpoint', 'window', 0, bytes);
 * const location = await storage.complete({ ...metadata, states: [handle] });
 * (await storage.latest())?.location; // 'memory:orders/chk-1'
 */
export class MemoryCheckpointStorage implements CheckpointStorage {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly name: string) {}

  private location(id: number, kind: Kind): string {
    if (!Number.isSafeInteger(id) || id < 0) throw new Error(`Bad checkpoint id ${String(id)}`);
    return `memory:${this.name}/${kind === 'checkpoint' ? 'chk' : 'savepoint'}-${id}`;
  }

  private entry(location: string): Entry {
    let e = this.entries.get(location);
    if (!e) this.entries.set(location, (e = { files: new Map() }));
    return e;
  }

  async writeState(id: number, kind: Kind, uid: string, subtask: number, bytes: Uint8Array): Promise<SubtaskStateHandle> {
    if (!Number.isSafeInteger(subtask) || subtask < 0) throw new Error(`Bad subtask index ${String(subtask)} for operator ${uid}`);
    const file = `${uid}/${subtask}.state`;
    // A copy: the caller may reuse its buffer once the write resolved.
    this.entry(this.location(id, kind)).files.set(file, bytes.slice());
    return { uid, subtask, file, bytes: bytes.length, checksum: crc32(bytes) };
  }

  async readState(checkpoint: StoredCheckpoint, handle: SubtaskStateHandle): Promise<Uint8Array> {
    const what = `${checkpoint.metadata.kind} ${checkpoint.metadata.checkpointId}`;
    const bytes = this.entries.get(checkpoint.location)?.files.get(handle.file);
    if (!bytes) throw new Error(`State ${handle.file} of ${what} at ${checkpoint.location} is missing`);
    if (bytes.length !== handle.bytes || crc32(bytes) !== handle.checksum) {
      throw new Error(`State ${handle.file} of ${what} at ${checkpoint.location} does not match its metadata (size or CRC-32)`);
    }
    return bytes;
  }

  async complete(metadata: CheckpointMetadata): Promise<string> {
    const location = this.location(metadata.checkpointId, metadata.kind);
    const entry = this.entry(location);
    for (const s of metadata.states) {
      if (!entry.files.has(s.file)) throw new Error(`Cannot complete ${metadata.kind} ${metadata.checkpointId}: state ${s.file} was never written`);
    }
    entry.metadata = JSON.parse(JSON.stringify(metadata)) as CheckpointMetadata;
    return location;
  }

  async latest(): Promise<StoredCheckpoint | undefined> {
    let newest: StoredCheckpoint | undefined;
    for (const [location, e] of this.entries) {
      if (e.metadata?.kind !== 'checkpoint') continue;
      if (!newest || e.metadata.checkpointId > newest.metadata.checkpointId) newest = { location, metadata: e.metadata };
    }
    return newest;
  }

  async load(location: string): Promise<StoredCheckpoint> {
    const metadata = this.entries.get(location)?.metadata;
    if (!metadata) throw new Error(`No completed checkpoint or savepoint at ${location}`);
    return { location, metadata };
  }

  async discard(id: number, kind: Kind): Promise<void> {
    this.entries.delete(this.location(id, kind));
  }

  async cleanup(retained: number): Promise<void> {
    const checkpoints: { location: string; id: number }[] = [];
    for (const [location, e] of this.entries) {
      if (!e.metadata) continue;
      if (e.metadata.kind === 'checkpoint') checkpoints.push({ location, id: e.metadata.checkpointId });
    }
    checkpoints.sort((a, b) => b.id - a.id);
    for (const c of checkpoints.slice(Math.max(0, retained))) this.entries.delete(c.location);
  }
}
