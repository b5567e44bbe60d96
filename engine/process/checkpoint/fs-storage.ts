/**
 * Checkpoints and savepoints in a local directory.
 *
 *   <checkpointDir>/<job>/chk-<id>/<uid>/<subtask>.state
 *   <checkpointDir>/<job>/chk-<id>/_metadata
 *   <savepointDir>/savepoint-<job>-<id>-<yyyyMMddHHmmss>/   (same inside; the time is UTC)
 *
 * A checkpoint exists when its `_metadata` does. Taskmanagers write state files; the jobmanager
 * writes `_metadata` last, once every task has acknowledged: to a temporary file, fsync, rename,
 * fsync of the directory, so that after a crash at any moment the file is either absent or
 * whole. It records each state file's size and CRC-32, and a `checksum` field: the CRC-32 of the
 * canonical JSON (keys sorted, no spaces) of every other field, so a damaged or hand-edited
 * metadata file is refused rather than half-believed. State files are fsynced before their task
 * acknowledges, so metadata never outlives the data it points to.
 *
 * A savepoint's directory name holds its trigger time, which only the jobmanager knows, so its
 * state files are written to `<savepointDir>/.savepoint-<job>-<id>.inprogress/`; the metadata
 * is written there, then the directory is renamed: a `savepoint-*` directory is always complete.
 *
 * Anything without valid metadata, or whose files are missing or of the wrong size, is never
 * returned by `latest()`; reading a state file verifies its size and CRC-32 and names the file
 * when they do not match. A checkpoint found corrupt that way, in any process, gets a `_corrupt`
 * file saying why: `latest()` then passes over it to an older one and `cleanup()` removes it.
 * Comparing sizes is what `latest()` does by default, since reading every byte of a large
 * checkpoint twice (once to choose it, once to restore it) would double recovery time;
 * `latest({ verifyChecksums: true })` reads and checks everything.
 */
import { open, readdir, readFile, rename, rm, rmdir, stat, writeFile, type FileHandle } from 'node:fs/promises';
import { setImmediate as nextTurn } from 'node:timers/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { CheckpointStorage, StoredCheckpoint } from '../../checkpoint/storage.ts';
import type { CheckpointMetadata, SubtaskStateHandle } from '../../checkpoint/types.ts';
import { crc32, crc32Update } from '../../checkpoint/snapshot-format.ts';
import { CheckpointIoThread } from './checkpoint-io-thread.ts';

/** Options of `FsCheckpointStorage`. */
export interface FsCheckpointStorageOptions {
  /** Root directory of checkpoints; each job has a directory in it. */
  checkpointDir: string;
  /** Where savepoints go; needed to write one. */
  savepointDir?: string;
  /** The job's name: its directory is this name made safe for file systems. */
  jobName: string;
  /** fsync state files, metadata and directories (default true). Only tests of other layers turn it off. */
  fsync?: boolean;
}

/** A state file does not match its metadata (missing, wrong size, wrong CRC-32). */
export class CorruptStateError extends Error {
  override name = 'CorruptStateError';
}

/** What `scan()` finds in a job's checkpoint directory. */
export interface ScannedCheckpoint {
  id: number;
  location: string;
  /** Why it cannot be used; absent when it verifies. */
  problem?: string;
  metadata?: CheckpointMetadata;
  /**
   * True when it cannot be used although its metadata was written: damaged metadata, a missing
   * or resized state file, or found corrupt on read. Only a directory without metadata may still
   * be a checkpoint in progress.
   */
  damaged?: boolean;
  /** Last modification of the directory (epoch ms). */
  modifiedMs: number;
}

/** The file that makes a checkpoint or savepoint folder complete: written last, atomically. */
export const METADATA = '_metadata';
/** Written into a checkpoint found corrupt on read; its content is the reason. */
const CORRUPT_MARKER = '_corrupt';
const CHECKPOINT_DIR = /^chk-(\d+)$/;
/** Slices of CRC work between turns of the event loop (about 15 ms each), so tasks keep running. */
const CRC_SLICE = 16 << 20;
/** A directory modified this long before the storage was opened was left by an earlier process. */
const EARLIER_PROCESS_SLACK_MS = 2000;

/**
 * A name made safe as one path segment: characters other than letters, digits, '.', '_' and
 * '-' become '_', and a name that had to change (or is empty, a dot name, or very long) gets
 * the CRC-32 of the original appended so that two names never share a directory.
 *
 * @example
 * fileSafeName('orders'); // 'orders'
 * fileSafeName('orders/eu 1'); // 'orders_eu_1-5a1e0c2b'
 */
export function fileSafeName(name: string): string {
  let safe = name.replace(/[^A-Za-z0-9._-]/g, '_');
  if (safe.length > 80) safe = safe.slice(0, 80);
  if (safe !== name || safe === '' || safe.startsWith('.')) safe = `${safe.replace(/^\.+/, '_')}-${crc32(new TextEncoder().encode(name))}`;
  return safe;
}

/** Keys sorted at every level, no spaces: the form the metadata checksum is computed over. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const sorted: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
      return sorted;
    }
    return v;
  });
}

/**
 * The text of a `_metadata` file: the metadata as indented JSON (for people) with a `checksum`
 * field over its canonical JSON (for machines).
 *
 * @example
 * await writeFile('_metadata', serializeMetadata(metadata));
 */
export function serializeMetadata(metadata: CheckpointMetadata): string {
  const checksum = crc32(new TextEncoder().encode(canonicalJson(metadata)));
  return JSON.stringify({ ...metadata, checksum }, null, 2) + '\n';
}

/**
 * Parses and verifies the text of a `_metadata` file; throws an Error saying what is wrong
 * (not JSON, e.g. truncated; checksum mismatch; missing or malformed fields).
 *
 * @example
 * const metadata = parseMetadata(await readFile(file, 'utf8'));
 */
export function parseMetadata(text: string): CheckpointMetadata {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new Error(`it is not valid JSON (truncated or damaged): ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('it is not a JSON object');
  const { checksum, ...rest } = parsed as Record<string, unknown>;
  if (typeof checksum !== 'string') throw new Error("it has no 'checksum' field");
  const actual = crc32(new TextEncoder().encode(canonicalJson(rest)));
  if (actual !== checksum) throw new Error(`its checksum does not match (recorded ${checksum}, computed ${actual}): it was damaged or edited`);
  const m = rest as unknown as CheckpointMetadata;
  if (m.version !== 1) throw new Error(`it has metadata version ${String(m.version)}; this build reads version 1`);
  if (m.kind !== 'checkpoint' && m.kind !== 'savepoint') throw new Error(`it has an unknown kind '${String(m.kind)}'`);
  if (!Number.isSafeInteger(m.checkpointId) || m.checkpointId < 0) throw new Error(`it has a bad checkpointId ${String(m.checkpointId)}`);
  if (typeof m.jobName !== 'string' || typeof m.timestamp !== 'number') throw new Error('it lacks jobName or timestamp');
  if (!Array.isArray(m.operators) || !Array.isArray(m.states)) throw new Error('it lacks the operators or states list');
  for (const s of m.states) {
    const ok =
      s &&
      typeof s.uid === 'string' &&
      Number.isSafeInteger(s.subtask) &&
      typeof s.file === 'string' &&
      Number.isSafeInteger(s.bytes) &&
      s.bytes >= 0 &&
      typeof s.checksum === 'string' &&
      /^[0-9a-f]{8}$/.test(s.checksum);
    if (!ok) throw new Error(`it has a malformed state entry ${JSON.stringify(s)}`);
    checkRelative(s.file);
  }
  return m;
}

/** A state file path from metadata must stay inside its checkpoint directory. */
function checkRelative(file: string): void {
  const normal = path.posix.normalize(file);
  if (path.isAbsolute(file) || path.win32.isAbsolute(file) || normal.startsWith('../') || normal === '..' || file.includes('\\') || file.includes('\0')) {
    throw new Error(`state file path '${file}' leaves the checkpoint directory`);
  }
}

/** UTC time as yyyyMMddHHmmss, for savepoint directory names. */
function timestampName(epochMs: number): string {
  const d = new Date(epochMs);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

function errno(e: unknown): string | undefined {
  return (e as { code?: string } | undefined)?.code;
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch (e) {
    if (errno(e) === 'ENOENT') return false;
    throw e;
  }
}

/** CRC-32 of large buffers in slices, yielding between them so the event loop keeps turning. */
async function crc32Async(bytes: Uint8Array): Promise<string> {
  let crc = 0;
  for (let at = 0; at < bytes.length; at += CRC_SLICE) {
    if (at > 0) await nextTurn();
    crc = crc32Update(crc, bytes.subarray(at, Math.min(bytes.length, at + CRC_SLICE)));
  }
  return crc.toString(16).padStart(8, '0');
}

/**
 * `CheckpointStorage` in a local directory (see the top of this file for the layout and the
 * guarantees). Taskmanagers and the jobmanager each open one on the same directories.
 *
 * @example
 * const storage = new FsCheckpointStorage({ checkpointDir: '/tmp/weir-checkpoints', savepointDir: './savepoints', jobName: 'orders' });
 * const handle = await storage.writeState(7, 'checkpoint', 'window-1a2b', 0, bytes);
 * const location = await storage.complete({ ...metadata, states: [handle] });
 * const newest = await storage.latest();
 */
export class FsCheckpointStorage implements CheckpointStorage {
  /** `<checkpointDir>/<job>`: this job's checkpoints. */
  readonly jobDir: string;
  readonly savepointDir: string | undefined;
  /** The job's directory name. */
  readonly jobDirName: string;
  private readonly fsync: boolean;
  /** When this storage was opened: invalid directories older than that were left by an earlier process. */
  private readonly openedAt = Date.now();

  constructor(options: FsCheckpointStorageOptions) {
    if (!options.checkpointDir) throw new Error('FsCheckpointStorage: checkpointDir is required');
    if (typeof options.jobName !== 'string') throw new Error('FsCheckpointStorage: jobName is required');
    this.jobDirName = fileSafeName(options.jobName);
    this.jobDir = path.resolve(options.checkpointDir, this.jobDirName);
    this.savepointDir = options.savepointDir ? path.resolve(options.savepointDir) : undefined;
    this.fsync = options.fsync ?? true;
  }

  /** The directory of checkpoint `id`. */
  checkpointLocation(id: number): string {
    return path.join(this.jobDir, `chk-${id}`);
  }

  /** Where a savepoint's files are written until it completes. */
  private savepointStaging(id: number): string {
    if (!this.savepointDir) {
      throw new Error(`No savepoint directory is configured for job '${this.jobDirName}': pass --savepoint-dir DIR`);
    }
    return path.join(this.savepointDir, `.savepoint-${this.jobDirName}-${id}.inprogress`);
  }

  private directoryOf(id: number, kind: 'checkpoint' | 'savepoint'): string {
    if (!Number.isSafeInteger(id) || id < 0) throw new Error(`Bad checkpoint id ${String(id)}`);
    return kind === 'checkpoint' ? this.checkpointLocation(id) : this.savepointStaging(id);
  }

  async writeState(id: number, kind: 'checkpoint' | 'savepoint', uid: string, subtask: number, bytes: Uint8Array): Promise<SubtaskStateHandle> {
    if (!Number.isSafeInteger(subtask) || subtask < 0) throw new Error(`Bad subtask index ${String(subtask)} for operator ${uid}`);
    const file = `${fileSafeName(uid)}/${subtask}.state`;
    const dir = this.directoryOf(id, kind);
    const full = path.join(dir, file);
    // The CRC is computed here while the I/O thread writes (asynchronous snapshot phase).
    const written = CheckpointIoThread.shared().write(full, bytes, this.fsync);
    written.catch(() => {});
    const checksum = await crc32Async(bytes);
    await written;
    return { uid, subtask, file, bytes: bytes.length, checksum };
  }

  /**
   * Reads a subtask's state, verifying its size and CRC-32; on a mismatch, marks a checkpoint
   * corrupt (see the top of this file) and throws an error naming the file.
   */
  async readState(checkpoint: StoredCheckpoint, handle: SubtaskStateHandle): Promise<Uint8Array> {
    try {
      return await this.readVerified(checkpoint, handle);
    } catch (e) {
      if (e instanceof CorruptStateError && checkpoint.metadata.kind === 'checkpoint') {
        await writeFile(path.join(checkpoint.location, CORRUPT_MARKER), e.message + '\n').catch(() => {});
      }
      throw e;
    }
  }

  private async readVerified(checkpoint: StoredCheckpoint, handle: SubtaskStateHandle): Promise<Uint8Array> {
    checkRelative(handle.file);
    const full = path.join(checkpoint.location, handle.file);
    const what = `${checkpoint.metadata.kind} ${checkpoint.metadata.checkpointId}`;
    let fh: FileHandle;
    try {
      fh = await open(full, 'r');
    } catch (e) {
      if (errno(e) === 'ENOENT') throw new CorruptStateError(`State file ${full} of ${what} is missing`);
      throw e;
    }
    let bytes: Uint8Array;
    try {
      const size = (await fh.stat()).size;
      if (size !== handle.bytes) {
        throw new CorruptStateError(`State file ${full} of ${what} has ${size} bytes, but the metadata records ${handle.bytes}: it was truncated or replaced`);
      }
      // Read into a buffer of the recorded size: readFile stops at 2 GiB and grows as it goes.
      bytes = new Uint8Array(size);
      for (let at = 0; at < size; ) {
        const { bytesRead } = await fh.read(bytes, at, Math.min(size - at, 1 << 30), at);
        if (bytesRead === 0) throw new CorruptStateError(`State file ${full} of ${what} ended after ${at} of ${size} bytes`);
        at += bytesRead;
      }
    } finally {
      await fh.close();
    }
    const actual = await crc32Async(bytes);
    if (actual !== handle.checksum) {
      throw new CorruptStateError(`State file ${full} of ${what} is corrupt: its CRC-32 is ${actual}, but the metadata records ${handle.checksum}`);
    }
    return bytes;
  }

  async complete(metadata: CheckpointMetadata): Promise<string> {
    const id = metadata.checkpointId;
    const dir = this.directoryOf(id, metadata.kind);
    // Every acknowledged file must be there, whole, before the metadata makes it visible: the
    // I/O thread checks them, then writes `_metadata` (one turn of this thread's event loop).
    for (const h of metadata.states) checkRelative(h.file);
    const states = metadata.states.map((h) => ({ file: path.join(dir, h.file), bytes: h.bytes }));
    await CheckpointIoThread.shared().publish(path.join(dir, METADATA), this.metadataTemp(dir), serializeMetadata(metadata), this.fsync, states, `Cannot complete ${metadata.kind} ${id}`);
    if (metadata.kind === 'checkpoint') return dir;

    const base = path.join(this.savepointDir!, `savepoint-${this.jobDirName}-${id}-${timestampName(metadata.timestamp)}`);
    let target = base;
    for (let n = 2; await exists(target); n++) target = `${base}-${n}`;
    await rename(dir, target);
    if (this.fsync) await this.syncDir(this.savepointDir!);
    return target;
  }

  /**
   * The newest checkpoint that verifies: metadata intact, every state file present with its
   * recorded size, not marked corrupt. With `verifyChecksums`, every state file is also read and
   * its CRC-32 checked (a corrupt one is marked and passed over).
   */
  async latest(options: { verifyChecksums?: boolean } = {}): Promise<StoredCheckpoint | undefined> {
    for (const c of await this.scan()) {
      if (c.problem) continue;
      const stored = { metadata: c.metadata!, location: c.location };
      if (options.verifyChecksums) {
        try {
          for (const h of stored.metadata.states) await this.readState(stored, h);
        } catch (e) {
          if (e instanceof CorruptStateError) continue;
          throw e;
        }
      }
      return stored;
    }
    return undefined;
  }

  async load(location: string): Promise<StoredCheckpoint> {
    let dir = path.resolve(location);
    let info;
    try {
      info = await stat(dir);
    } catch (e) {
      if (errno(e) === 'ENOENT') throw new Error(`Cannot load ${location}: no such file or directory`);
      throw e;
    }
    if (info.isFile()) {
      if (path.basename(dir) !== METADATA) throw new Error(`Cannot load ${location}: expected a checkpoint or savepoint directory, or its ${METADATA} file`);
      dir = path.dirname(dir);
    }
    const metadata = await this.readMetadata(dir).catch((e: unknown) => {
      throw new Error(`Cannot load ${location}: ${e instanceof Error ? e.message : String(e)}`);
    });
    await this.checkFiles(dir, metadata, `Cannot load ${location}`);
    return { metadata, location: dir };
  }

  async discard(id: number, kind: 'checkpoint' | 'savepoint'): Promise<void> {
    // A completed savepoint belongs to the user; only one still in progress is removed.
    await rm(this.directoryOf(id, kind), { recursive: true, force: true });
  }

  /**
   * Removes, in this job's directory: completed checkpoints beyond the newest `retained`;
   * damaged ones (metadata that does not verify, a missing or resized state file, found
   * corrupt); directories without metadata that are older than the newest valid checkpoint (they
   * can no longer complete) or that an earlier process left (e.g. a jobmanager killed
   * mid-checkpoint); and savepoint directories an earlier process left in progress. A newer
   * directory of this process may be a checkpoint in progress and is kept. `retained` 0 (the job
   * has ended) removes everything, and the job's directory if it is then empty.
   */
  async cleanup(retained: number): Promise<void> {
    if (!Number.isSafeInteger(retained) || retained < 0) throw new Error(`cleanup: retained must be an integer ≥ 0, got ${String(retained)}`);
    const all = await this.scan();
    const valid = all.filter((c) => !c.problem);
    const newestValid = valid[0]?.id ?? -1;
    const earlier = this.openedAt - EARLIER_PROCESS_SLACK_MS;
    const doomed = [
      ...valid.slice(retained),
      ...all.filter((c) => c.problem && (retained === 0 || c.damaged || c.id < newestValid || c.modifiedMs < earlier)),
    ];
    await Promise.all(doomed.map((c) => rm(c.location, { recursive: true, force: true })));
    if (this.savepointDir) {
      const prefix = `.savepoint-${this.jobDirName}-`;
      const names = await readdir(this.savepointDir).catch(() => [] as string[]);
      for (const name of names) {
        if (!name.startsWith(prefix) || !name.endsWith('.inprogress')) continue;
        const full = path.join(this.savepointDir, name);
        const modified = await stat(full).then((s) => s.mtimeMs, () => Infinity);
        if (retained === 0 || modified < earlier) await rm(full, { recursive: true, force: true });
      }
    }
    if (retained === 0) await rmdir(this.jobDir).catch(() => {});
  }

  /**
   * Every `chk-<id>` directory of this job, newest first, each with its metadata or the reason it
   * cannot be used (no metadata, damaged metadata, a missing or wrong-sized state file).
   *
   * @example
   * for (const c of await storage.scan()) console.log(c.id, c.problem ?? 'ok');
   */
  async scan(): Promise<ScannedCheckpoint[]> {
    let names: string[];
    try {
      names = await readdir(this.jobDir);
    } catch (e) {
      if (errno(e) === 'ENOENT') return [];
      throw e;
    }
    const found = names
      .map((name) => ({ name, m: CHECKPOINT_DIR.exec(name) }))
      .filter((x): x is { name: string; m: RegExpExecArray } => !!x.m)
      .map((x) => ({ id: Number(x.m[1]), location: path.join(this.jobDir, x.name) }))
      .sort((a, b) => b.id - a.id);
    const out: ScannedCheckpoint[] = [];
    for (const { id, location } of found) {
      const modifiedMs = await stat(location).then((s) => s.mtimeMs, () => 0);
      const corrupt = await readFile(path.join(location, CORRUPT_MARKER), 'utf8').catch(() => undefined);
      if (corrupt !== undefined) {
        out.push({ id, location, problem: `it was found corrupt: ${corrupt.trim()}`, damaged: true, modifiedMs });
        continue;
      }
      try {
        const metadata = await this.readMetadata(location);
        if (metadata.kind !== 'checkpoint' || metadata.checkpointId !== id) {
          throw new Error(`its metadata describes ${metadata.kind} ${metadata.checkpointId}, not checkpoint ${id}`);
        }
        await this.checkFiles(location, metadata, `checkpoint ${id}`);
        out.push({ id, location, metadata, modifiedMs });
      } catch (e) {
        const damaged = await exists(path.join(location, METADATA));
        out.push({ id, location, problem: e instanceof Error ? e.message : String(e), damaged, modifiedMs });
      }
    }
    return out;
  }

  private async readMetadata(dir: string): Promise<CheckpointMetadata> {
    const file = path.join(dir, METADATA);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      if (errno(e) === 'ENOENT') throw new Error(`${dir} has no ${METADATA} file: it is not a completed checkpoint or savepoint (interrupted before it completed?)`);
      throw e;
    }
    try {
      return parseMetadata(text);
    } catch (e) {
      throw new Error(`${file} cannot be used: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** Throws, naming the file, unless every state file of `metadata` exists with its recorded size. */
  private async checkFiles(dir: string, metadata: CheckpointMetadata, context: string): Promise<void> {
    for (const h of metadata.states) {
      checkRelative(h.file);
      const full = path.join(dir, h.file);
      let size: number;
      try {
        size = (await stat(full)).size;
      } catch (e) {
        if (errno(e) === 'ENOENT') throw new Error(`${context}: state file ${full} is missing`);
        throw e;
      }
      if (size !== h.bytes) throw new Error(`${context}: state file ${full} has ${size} bytes, but ${h.bytes} are recorded`);
    }
  }

  /** Temp file, fsync, rename, fsync of the directory: `_metadata` is absent or whole. */
  /** Makes a directory's entries durable (a no-op where directories cannot be opened, i.e. Windows). */
  private async syncDir(dir: string): Promise<void> {
    if (process.platform === 'win32') return;
    const fh = await open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  }

  /** A temporary name for `_metadata` before its rename: unique to this process and write. */
  private metadataTemp(dir: string): string {
    return path.join(dir, `${METADATA}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  }
}
