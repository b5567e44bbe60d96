/**
 * The bytes of one operator subtask's snapshot: what a checkpoint or savepoint stores per
 * `<uid>/<subtask>.state` file. The format describes logical state (state name, kind, key group,
 * key, namespace, value; operator lists; timers), not the heap backend's tables, so any backend
 * can write and read it and a savepoint survives changes of backend and parallelism.
 *
 * Layout (little-endian; varints are unsigned LEB128; u64 is two u32, low word first):
 *
 *   header   'W' 'S' 'N' 'P'  u16 version (1)  u16 flags (bit 0: typed-array bytes little-endian)
 *   section* u8 tag, u64 body length, body
 *   end      u8 0
 *
 *   tag 1 keyed     varint states; per state: string name, string kind, varint entries; per
 *                   entry: varint key group, varint length of the rest, tagged key id, tagged
 *                   namespace, tagged value
 *   tag 2 operator  varint lists; per list: string name, string mode, varint items, tagged items
 *   tag 3 timers    varint services; per service: varint timers; per timer: varint key group,
 *                   tagged key id, tagged namespace, f64 time, u8 domain ('e' or 'p')
 *   tag 4 extra     one tagged object: fields of `OperatorSnapshot` this version does not know,
 *                   so a field added to snapshots is carried rather than silently dropped
 *
 * Values use the engine's tagged encoding (tagged.ts), so Maps, Sets, Dates, bigints, typed
 * arrays, -0, NaN, undefined and nested objects survive. Back-references are scoped to one
 * value: state entries are independent on restore (they may be redistributed), so an object
 * shared between two entries comes back as two equal copies.
 *
 * Each keyed entry carries its key group and its length, so a subtask restoring at another
 * parallelism steps over other key groups without decoding them. The heap backend's snapshots
 * (copy-on-write views of tables sharded by key group) write each state's entries key group by
 * key group, so a restore (`decodeSnapshot(bytes, { lazyKeyed: true })` then the backend's
 * `restore`) only indexes the runs of its own key groups and decodes a key group on its first
 * use. Entries in any other order (older writers) are still read, decoded at once. The layout
 * itself is unchanged: version 1 files from before copy-on-write snapshots restore as they were.
 *
 * Encoding a view is asynchronous (`encodeSnapshotAsync`): slices of a few ms between the task's
 * turns, while the task keeps changing its state.
 */
import { ByteWriter, HOST_IS_LITTLE_ENDIAN } from '../runtime/network/codec/byte-writer.ts';
import { ByteReader } from '../runtime/network/codec/byte-reader.ts';
import { readTagged, writeTagged } from '../runtime/network/codec/tagged.ts';
import { platform, yieldToEventLoop } from '../runtime/platform.ts';
import type { OperatorSnapshot, TimerSnapshot } from '../runtime/operator.ts';
import { releaseSnapshotViews } from '../runtime/operator.ts';
import { timerCount, timerEntries, timerServiceCount, type SnapshotTimers } from '../runtime/timer-snapshot.ts';
import type { KeyedEntry, KeyedStateEntries, KeyedStateReader, KeyedStateTarget, KeyedStateView } from '../state/keyed-snapshot.ts';
import type { EncodedKeyGroup } from '../state/state-table.ts';
import type { KeyGroupRange, KeyId } from '../state/key-groups.ts';
import type { OperatorStateMode, OperatorStateSnapshot } from '../state/operator-state.ts';
import type { NamespaceKey } from '../state/state-table.ts';

/** The current version of the snapshot format; decoders refuse others by name. */
export const SNAPSHOT_FORMAT_VERSION = 1;

/** 'WSNP': the first four bytes of every snapshot. */
const MAGIC = [0x57, 0x53, 0x4e, 0x50] as const;
const HEADER_BYTES = 8;
const FLAG_LITTLE_ENDIAN = 1;

const S_END = 0;
const S_KEYED = 1;
const S_OPERATOR = 2;
const S_TIMERS = 3;
const S_EXTRA = 4;
const SECTION_NAMES = ['end', 'keyed', 'operator', 'timers', 'extra'];
const KNOWN_FIELDS = new Set(['keyed', 'operator', 'timers']);

/** Key groups are below Flink's upper bound of max parallelism (2^15). */
const KEY_GROUP_LIMIT = 1 << 15;

/**
 * Snapshots with fewer values than this are encoded in a shared scratch buffer and copied out;
 * larger ones get a buffer of their own, sized from a sample (see `SnapshotEncoder`).
 */
const SMALL_SNAPSHOT_VALUES = 4096;
/** A scratch buffer that grew beyond this for one snapshot is not kept for the next. */
const MAX_KEPT_SCRATCH = 4 << 20;

/**
 * A snapshot's bytes could not be decoded. The message says what is wrong (not a snapshot, a
 * version this build does not read, truncated, corrupt) and where.
 *
 * @example
 * try { decodeSnapshot(bytes); } catch (e) { if (e instanceof SnapshotFormatError) console.error(e.message); }
 */
export class SnapshotFormatError extends Error {
  override name = 'SnapshotFormatError';
}

/**
 * Options of `decodeSnapshot`.
 *
 * @example
 * decodeSnapshot(bytes, { lazyKeyed: true, label: 'chk-3/window/0.state' });
 */
export interface DecodeSnapshotOptions {
  /** Decode only keyed entries and timers of these key groups (a restore at another parallelism). */
  keyGroupRange?: KeyGroupRange;
  /** Names the bytes in error messages, e.g. the state file's path. */
  label?: string;
  /**
   * Leave keyed entries encoded: `keyed` is then a `KeyedStateReader` that a backend's restore
   * decodes straight into its tables, only for its own key groups (no intermediate arrays).
   * Corrupt keyed entries are then reported by that restore, with the same message.
   */
  lazyKeyed?: boolean;
}

/**
 * Options of `encodeSnapshotAsync`.
 *
 * @example
 * await encodeSnapshotAsync(snapshot, { sliceMs: 2 });
 */
export interface EncodeSnapshotAsyncOptions {
  /** Longest run of encoding between two turns of the event loop, in ms (default 4). */
  sliceMs?: number;
  /** Filled in while encoding: how the work was spread over the event loop. */
  progress?: EncodeProgress;
}

/**
 * How an asynchronous encode went: the task paused at most `longestSliceMs` at a time (V8's
 * incremental GC marking steps on a large heap land in slices too).
 *
 * @example
 * const progress: EncodeProgress = { slices: 0, longestSliceMs: 0 };
 * await encodeSnapshotAsync(snapshot, { progress });
 */
export interface EncodeProgress {
  slices: number;
  longestSliceMs: number;
}

// ---------------------------------------------------------------------------------------------
// Encoding

/**
 * Writes one snapshot into one buffer. For large state the buffer is what costs: every
 * ArrayBuffer counts as external memory, and each 64 MB of it makes V8 run a full mark-compact
 * over the whole heap, which holds the state itself. Chunked output, per-key-group buffers and
 * doubling growth allocated two to four times the snapshot's size and spent most of the encode
 * in those collections. So a large snapshot's buffer starts at a size estimated from a sample of
 * entries and grows by the running average per value still to write (`managed`); small ones use
 * the writer's own doubling.
 */
class SnapshotEncoder {
  /** Values (entries, items, timers) not written yet, for growth estimates. */
  private valuesLeft: number;
  private valuesDone = 0;
  private readonly refs = new Map<object, number>();

  constructor(
    readonly w: ByteWriter,
    values: number,
    private readonly managed: boolean,
  ) {
    this.valuesLeft = values;
  }

  /** Call before each value: makes room for the values still to come when space runs low. */
  room(): void {
    const w = this.w;
    if (!this.managed || w.bytes.length - w.pos >= 1 << 16) return;
    const average = this.valuesDone > 0 ? w.pos / this.valuesDone : 64;
    const capacity = Math.ceil(w.pos + this.valuesLeft * average * 1.1 + (1 << 20));
    const bytes = new Uint8Array(capacity);
    bytes.set(w.bytes.subarray(0, w.pos));
    w.bytes = bytes;
    w.view = new DataView(bytes.buffer);
  }

  done(): void {
    this.valuesDone++;
    this.valuesLeft--;
  }

  tagged(value: unknown): void {
    writeTagged(this.w, value, this.refs);
    if (this.refs.size) this.refs.clear();
  }
}

let scratch: ByteWriter | undefined;
let scratchBusy = false;

/** Entries read from a keyed state view per step; the asynchronous encoder checks the time between steps. */
const VIEW_STEP = 512;
/** A view is encoded into a buffer that starts this small and grows by the measured entry size. */
const VIEW_INITIAL_BYTES = 1 << 20;

/**
 * Encodes one operator subtask's snapshot (keyed state, operator state, timers) into the
 * versioned snapshot format, in one go. Throws a TypeError naming the state and key when a
 * value cannot be stored (a function, a symbol, a WeakMap, ...). A keyed state view is read to
 * the end (or released on failure); prefer `encodeSnapshotAsync` for those, which lets the task
 * run between slices of the work.
 *
 * @example
 * const bytes = encodeSnapshot({ keyed: backend.snapshot(), operator: store.snapshot() });
 * const again = decodeSnapshot(bytes);
 */
export function encodeSnapshot(snapshot: OperatorSnapshot): Uint8Array {
  try {
    snapshot = normalise(snapshot);
    const values = countValues(snapshot);
    const small = values < SMALL_SNAPSHOT_VALUES && !scratchBusy;
    const w = small ? (scratch ??= new ByteWriter(1 << 16)) : new ByteWriter(initialBytes(snapshot, values));
    if (small) scratchBusy = true;
    try {
      w.reset();
      // Read views in one step: nothing can change the state until this returns, so the view
      // need not mark what it has written.
      const steps = encodeSteps(new SnapshotEncoder(w, values, !small), snapshot, Number.MAX_SAFE_INTEGER);
      while (!steps.next().done);
      if (small) return w.bytes.slice(0, w.pos);
      // A view keeps the unused tail alive until the bytes are written and dropped; copy only when
      // the tail is large.
      return w.bytes.length - w.pos <= Math.max(1 << 20, w.pos >>> 4) ? w.bytes.subarray(0, w.pos) : w.bytes.slice(0, w.pos);
    } finally {
      if (small) {
        scratchBusy = false;
        w.reset();
        if (w.bytes.length > MAX_KEPT_SCRATCH) scratch = undefined;
      }
    }
  } finally {
    releaseView(snapshot);
  }
}

/**
 * The asynchronous part of a checkpoint: encodes a snapshot like `encodeSnapshot`, but in
 * slices of at most about `sliceMs`, yielding to the event loop in between so that the task
 * (which took the snapshot as a copy-on-write view) keeps processing records meanwhile. The
 * first slice runs on a later turn. Keyed state views are released when done or failed.
 *
 * @example
 * const ops = task.operators.map((op) => op.snapshotState(7)); // synchronous, cheap
 * const bytes = await encodeSnapshotAsync(ops[0]!);              // while the task runs on
 */
export async function encodeSnapshotAsync(snapshot: OperatorSnapshot, options: EncodeSnapshotAsyncOptions = {}): Promise<Uint8Array> {
  const sliceMs = options.sliceMs ?? 4;
  const progress = options.progress;
  try {
    await yieldToEventLoop();
    let started = platform.monotonicNow();
    snapshot = normalise(snapshot);
    const values = countValues(snapshot);
    const w = new ByteWriter(initialBytes(snapshot, values));
    const steps = encodeSteps(new SnapshotEncoder(w, values, true), snapshot, VIEW_STEP);
    for (;;) {
      let done: boolean | undefined;
      let now = started;
      do {
        done = steps.next().done;
        now = platform.monotonicNow();
      } while (!done && now - started < sliceMs);
      if (progress) {
        progress.slices++;
        progress.longestSliceMs = Math.max(progress.longestSliceMs, now - started);
      }
      if (done) break;
      await yieldToEventLoop();
      started = platform.monotonicNow();
    }
    // Never a copy here: it would be one long pause for a large snapshot.
    return w.bytes.subarray(0, w.pos);
  } finally {
    releaseView(snapshot);
  }
}

/** Keyed state that cannot be streamed (a view already turned into entries, encoded bytes) as entries. */
function normalise(snapshot: OperatorSnapshot): OperatorSnapshot {
  const k = snapshot.keyed;
  if (!k || k.form === undefined || (k.form === 'view' && k.unread)) return snapshot;
  return { ...snapshot, keyed: k.toEntries() };
}

function releaseView(snapshot: OperatorSnapshot): void {
  releaseSnapshotViews(snapshot);
}

/** The first buffer size: estimated from a sample for entries, small for a view (it grows by measured sizes). */
function initialBytes(snapshot: OperatorSnapshot, values: number): number {
  if (snapshot.keyed?.form === 'view') return VIEW_INITIAL_BYTES;
  return estimateBytes(snapshot, values);
}

/** The whole encoding, pausing (`yield`) between steps of reading `step` entries of a keyed state view. */
function* encodeSteps(e: SnapshotEncoder, snapshot: OperatorSnapshot, step: number): Generator<void, void, void> {
  const w = e.w;
  for (const b of MAGIC) w.u8(b);
  w.u8(SNAPSHOT_FORMAT_VERSION & 0xff);
  w.u8(SNAPSHOT_FORMAT_VERSION >>> 8);
  w.u8(HOST_IS_LITTLE_ENDIAN ? FLAG_LITTLE_ENDIAN : 0);
  w.u8(0);
  const keyed = snapshot.keyed;
  if (keyed) {
    const at = beginSection(e, S_KEYED);
    if (keyed.form === 'view') yield* writeKeyedView(e, keyed, step);
    else writeKeyed(e, keyed as KeyedStateEntries);
    endSection(e, at);
  }
  if (snapshot.operator) section(e, S_OPERATOR, () => writeOperator(e, snapshot.operator!));
  if (snapshot.timers) {
    const at = beginSection(e, S_TIMERS);
    yield* writeTimers(e, snapshot.timers, step);
    endSection(e, at);
  }
  const extra = extraFields(snapshot);
  if (extra) {
    section(e, S_EXTRA, () => {
      try {
        writeTagged(w, extra, new Map());
      } catch (err) {
        throw cannotStore(err, `snapshot field ${Object.keys(extra).join(', ')}`);
      }
    });
  }
  w.u8(S_END);
}

/** Keyed entries, operator state items and timers: what the size of a snapshot scales with. */
function countValues(snapshot: OperatorSnapshot): number {
  let n = 0;
  const keyed = snapshot.keyed;
  if (keyed?.form === 'view') n += keyed.count;
  else if (keyed) for (const name in (keyed as KeyedStateEntries).states) n += (keyed as KeyedStateEntries).states[name]!.entries.length;
  if (snapshot.operator) for (const name in snapshot.operator.lists) n += snapshot.operator.lists[name]!.items.length;
  if (snapshot.timers) n += timerCount(snapshot.timers);
  return n;
}

/** The encoded size of a large snapshot, estimated from up to 512 entries spread over it. */
function estimateBytes(snapshot: OperatorSnapshot, values: number): number {
  const w = new ByteWriter(1 << 16);
  const refs = new Map<object, number>();
  let sampled = 0;
  try {
    const keyed = snapshot.keyed?.form === undefined ? snapshot.keyed : undefined;
    const perState = Math.max(8, Math.ceil(512 / Math.max(1, Object.keys(keyed?.states ?? {}).length)));
    for (const name in keyed?.states ?? {}) {
      const entries = keyed!.states[name]!.entries;
      const stride = Math.max(1, Math.floor(entries.length / perState));
      for (let i = 0; i < entries.length; i += stride) {
        const entry = entries[i]!;
        w.varint(entry[0]);
        w.u8(0);
        writeTagged(w, entry[1], refs);
        writeTagged(w, entry[2], refs);
        writeTagged(w, entry[3], refs);
        refs.clear();
        sampled++;
      }
    }
    for (const name in snapshot.operator?.lists ?? {}) {
      const items = snapshot.operator!.lists[name]!.items;
      const stride = Math.max(1, Math.floor(items.length / 64));
      for (let i = 0; i < items.length; i += stride) {
        writeTagged(w, items[i], refs);
        refs.clear();
        sampled++;
      }
    }
  } catch {
    // The real encode reports the value that cannot be stored, with its state and key.
  }
  const average = sampled > 0 ? w.pos / sampled : 32;
  return Math.ceil(values * average * 1.1) + (1 << 16);
}

function section(e: SnapshotEncoder, tag: number, body: () => void): void {
  const at = beginSection(e, tag);
  body();
  endSection(e, at);
}

/** Writes a section's tag and a placeholder for its length; returns where the length goes. */
function beginSection(e: SnapshotEncoder, tag: number): number {
  const w = e.w;
  w.u8(tag);
  const lengthAt = w.pos;
  w.u32(0);
  w.u32(0);
  return lengthAt;
}

function endSection(e: SnapshotEncoder, lengthAt: number): void {
  // The buffer may have been replaced while the body grew it: patch the current one.
  setU64(e.w.bytes, lengthAt, e.w.pos - lengthAt - 8);
}

function setU64(bytes: Uint8Array, offset: number, value: number): void {
  const lo = value >>> 0;
  const hi = Math.floor(value / 0x1_0000_0000) >>> 0;
  bytes[offset] = lo & 0xff;
  bytes[offset + 1] = (lo >>> 8) & 0xff;
  bytes[offset + 2] = (lo >>> 16) & 0xff;
  bytes[offset + 3] = lo >>> 24;
  bytes[offset + 4] = hi & 0xff;
  bytes[offset + 5] = (hi >>> 8) & 0xff;
  bytes[offset + 6] = (hi >>> 16) & 0xff;
  bytes[offset + 7] = hi >>> 24;
}

function extraFields(snapshot: OperatorSnapshot): Record<string, unknown> | undefined {
  let extra: Record<string, unknown> | undefined;
  for (const k of Object.keys(snapshot)) {
    const v = (snapshot as Record<string, unknown>)[k];
    if (KNOWN_FIELDS.has(k) || v === undefined) continue;
    (extra ??= {})[k] = v;
  }
  return extra;
}

/** A value that cannot be encoded, re-thrown with what it belongs to. */
function cannotStore(e: unknown, what: string): TypeError {
  const message = e instanceof Error ? e.message : String(e);
  return new TypeError(`Cannot checkpoint ${what}: ${message.replace(/ cannot be sent between processes.*$/, ' cannot be stored in state')}`, { cause: e });
}

function describeKey(keyId: KeyId): string {
  if (typeof keyId === 'string') return JSON.stringify(keyId.startsWith('\u0000') ? keyId.slice(1) : keyId);
  return typeof keyId === 'bigint' ? `${keyId}n` : String(keyId);
}

function checkKeyGroup(kg: unknown, what: string): number {
  if (typeof kg !== 'number' || !Number.isInteger(kg) || kg < 0 || kg >= KEY_GROUP_LIMIT) {
    throw new RangeError(`Cannot checkpoint ${what}: key group ${String(kg)} is not an integer in [0, ${KEY_GROUP_LIMIT})`);
  }
  return kg;
}

/** Bytes of the LEB128 varint of `n`. */
function varintBytes(n: number): number {
  let bytes = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 0x80);
    bytes++;
  }
  return bytes;
}

function writeKeyed(e: SnapshotEncoder, keyed: KeyedStateEntries): void {
  const w = e.w;
  const names = Object.keys(keyed.states);
  w.varint(names.length);
  for (const name of names) {
    const { kind, entries } = keyed.states[name]!;
    const n = entries.length;
    w.string(name);
    w.string(kind);
    w.varint(n);
    let keyId: KeyId = '';
    try {
      for (let i = 0; i < n; i++) {
        const entry = entries[i]!;
        keyId = entry[1];
        writeEntry(e, name, entry[0], keyId, entry[2], entry[3]);
      }
    } catch (err) {
      throw cannotStore(err, `keyed state '${name}' of key ${describeKey(keyId)}`);
    }
  }
}

/** Writes the states of a copy-on-write view, a step of entries at a time. */
function* writeKeyedView(e: SnapshotEncoder, view: KeyedStateView, step: number): Generator<void, void, void> {
  const w = e.w;
  const states = view.stateInfo;
  w.varint(states.length);
  for (let i = 0; i < states.length; i++) {
    const { name, kind, count } = states[i]!;
    w.string(name);
    w.string(kind);
    w.varint(count);
    let keyId: KeyId = '';
    const visit = (kg: number, key: KeyId, ns: NamespaceKey, value: unknown) => {
      keyId = key;
      writeEntry(e, name, kg, key, ns, value);
    };
    for (;;) {
      let done: boolean;
      try {
        done = view.step(i, step, visit);
      } catch (err) {
        throw cannotStore(err, `keyed state '${name}' of key ${describeKey(keyId)}`);
      }
      if (done) break;
      yield;
    }
  }
}

/** One keyed entry: key group, the length of the rest, tagged key, namespace and value. */
function writeEntry(e: SnapshotEncoder, name: string, kg: number, keyId: KeyId, ns: NamespaceKey, value: unknown): void {
  const w = e.w;
  e.room();
  if (!(kg >= 0 && kg < KEY_GROUP_LIMIT && kg === Math.floor(kg))) checkKeyGroup(kg, `keyed state '${name}'`);
  w.varint(kg);
  // The entry's length goes first so that a restore can skip other key groups unread; one
  // byte is reserved and the entry moved in the rare case its length needs more.
  const lengthAt = w.pos;
  w.u8(0);
  const start = w.pos;
  e.tagged(keyId);
  e.tagged(ns);
  e.tagged(value);
  const length = w.pos - start;
  if (length < 0x80) w.bytes[lengthAt] = length;
  else {
    const extra = varintBytes(length) - 1;
    w.ensure(extra);
    w.bytes.copyWithin(start + extra, start, w.pos);
    const end = w.pos + extra;
    w.pos = lengthAt;
    w.varint(length);
    w.pos = end;
  }
  e.done();
}

function writeOperator(e: SnapshotEncoder, op: OperatorStateSnapshot): void {
  const w = e.w;
  const names = Object.keys(op.lists);
  w.varint(names.length);
  for (const name of names) {
    const { mode, items } = op.lists[name]!;
    w.string(name);
    w.string(mode);
    w.varint(items.length);
    let i = 0;
    try {
      for (; i < items.length; i++) {
        e.room();
        e.tagged(items[i]);
        e.done();
      }
    } catch (err) {
      throw cannotStore(err, `operator state '${name.replace('\u0001', '')}' item ${i}`);
    }
  }
}

/** Timers per service; pauses every `step` timers, since a view is read while the task runs on. */
function* writeTimers(e: SnapshotEncoder, timers: SnapshotTimers, step: number): Generator<void, void, void> {
  const w = e.w;
  const services = timerServiceCount(timers);
  w.varint(services);
  let n = 0;
  for (let s = 0; s < services; s++) {
    w.varint(timerCount(timers, s));
    for (const [kg, keyId, ns, time, domain] of timerEntries(timers, s)) {
      e.room();
      w.varint(checkKeyGroup(kg, `timer service ${s}`));
      try {
        e.tagged(keyId);
        e.tagged(ns);
      } catch (err) {
        throw cannotStore(err, `a timer of key ${describeKey(keyId)}`);
      }
      w.f64(time);
      if (domain !== 'e' && domain !== 'p') throw new RangeError(`Cannot checkpoint timer service ${s}: unknown time domain '${String(domain)}'`);
      w.u8(domain.charCodeAt(0));
      e.done();
      if (++n % step === 0) yield;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Decoding

/**
 * Decodes bytes written by `encodeSnapshot`, in the order they were given. With
 * `keyGroupRange`, keyed entries and timers outside the range are left out (keyed entries
 * without being decoded). Throws `SnapshotFormatError`
 * naming what is wrong: bad magic, unsupported version, truncated, or corrupt (with the section,
 * state and entry).
 *
 * @example
 * const snap = decodeSnapshot(bytes, { keyGroupRange: { start: 0, end: 63 }, label: 'chk-3/window-1/0.state' });
 */
export function decodeSnapshot(bytes: Uint8Array, options: DecodeSnapshotOptions = {}): OperatorSnapshot {
  const where = options.label ? `${options.label}: ` : '';
  const fail = (message: string, cause?: unknown): never => {
    throw new SnapshotFormatError(`${where}${message}`, cause === undefined ? undefined : { cause });
  };
  if (bytes.length < HEADER_BYTES) {
    if (bytes.length >= 4 && !MAGIC.every((b, i) => bytes[i] === b)) fail(`not a Weir state snapshot: bad magic ${hex(bytes, 0, 4)} (expected 'WSNP')`);
    fail(`snapshot truncated: ${bytes.length} bytes, shorter than the ${HEADER_BYTES}-byte header`);
  }
  if (!MAGIC.every((b, i) => bytes[i] === b)) fail(`not a Weir state snapshot: bad magic ${hex(bytes, 0, 4)} (expected 'WSNP')`);
  const version = bytes[4]! | (bytes[5]! << 8);
  if (version !== SNAPSHOT_FORMAT_VERSION) {
    fail(`unsupported snapshot format version ${version} (this build reads version ${SNAPSHOT_FORMAT_VERSION})`);
  }
  const flags = bytes[6]! | (bytes[7]! << 8);
  if ((flags & ~FLAG_LITTLE_ENDIAN) !== 0) fail(`unsupported snapshot flags 0x${flags.toString(16).padStart(4, '0')} (this build knows 0x0001)`);
  if (((flags & FLAG_LITTLE_ENDIAN) !== 0) !== HOST_IS_LITTLE_ENDIAN) {
    fail(`snapshot was written on a ${HOST_IS_LITTLE_ENDIAN ? 'big' : 'little'}-endian host; its typed arrays cannot be read on this one`);
  }

  const snapshot: OperatorSnapshot = {};
  const seen = new Set<number>();
  let pos = HEADER_BYTES;
  for (;;) {
    if (pos >= bytes.length) fail(`snapshot truncated: no end marker after ${pos} bytes`);
    const tag = bytes[pos]!;
    if (tag === S_END) {
      if (pos + 1 !== bytes.length) fail(`corrupt snapshot: ${bytes.length - pos - 1} bytes after the end marker at offset ${pos}`);
      return snapshot;
    }
    const name = SECTION_NAMES[tag];
    if (!name) fail(`corrupt snapshot: unknown section tag ${tag} at offset ${pos}`);
    if (seen.has(tag)) fail(`corrupt snapshot: a second ${name} section at offset ${pos}`);
    seen.add(tag);
    if (pos + 9 > bytes.length) fail(`snapshot truncated: the ${name} section header at offset ${pos} is cut off`);
    const length = getU64(bytes, pos + 1);
    const start = pos + 9;
    if (length > bytes.length - start) {
      fail(`snapshot truncated: the ${name} section at offset ${pos} declares ${length} bytes, but only ${bytes.length - start} remain`);
    }
    const r = new ByteReader(bytes.subarray(start, start + length));
    let context = '';
    try {
      switch (tag) {
        case S_KEYED:
          if (options.lazyKeyed) {
            snapshot.keyed = new EncodedKeyedState(r.bytes, start, where, options.keyGroupRange);
            r.pos = length;
          } else snapshot.keyed = readKeyed(r, options.keyGroupRange, (c) => (context = c));
          break;
        case S_OPERATOR:
          snapshot.operator = readOperator(r, (c) => (context = c));
          break;
        case S_TIMERS:
          snapshot.timers = readTimers(r, options.keyGroupRange, (c) => (context = c));
          break;
        case S_EXTRA: {
          const extra = readTagged(r, []);
          if (!extra || typeof extra !== 'object') throw new Error('extra fields are not an object');
          for (const [k, v] of Object.entries(extra)) if (!KNOWN_FIELDS.has(k)) defineOwn(snapshot as Record<string, unknown>, k, v);
          break;
        }
      }
    } catch (e) {
      if (e instanceof SnapshotFormatError) throw e;
      const message = e instanceof Error ? e.message : String(e);
      fail(`corrupt snapshot: ${name} section${context ? `, ${context}` : ''} (offset ${start + r.pos}): ${message}`, e);
    }
    if (r.pos !== length) fail(`corrupt snapshot: the ${name} section at offset ${pos} has ${length - r.pos} unread bytes`);
    pos = start + length;
  }
}

function getU64(bytes: Uint8Array, at: number): number {
  const lo = (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
  const hi = (bytes[at + 4]! | (bytes[at + 5]! << 8) | (bytes[at + 6]! << 16) | (bytes[at + 7]! << 24)) >>> 0;
  return hi * 0x1_0000_0000 + lo;
}

function hex(bytes: Uint8Array, from: number, to: number): string {
  let s = '0x';
  for (let i = from; i < Math.min(to, bytes.length); i++) s += bytes[i]!.toString(16).padStart(2, '0');
  return s;
}

/** Sets a property even when its name is `__proto__` (state names are user strings). */
function defineOwn(o: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
  else o[key] = value;
}

/** Receives the entries of one state while a keyed section is decoded. */
type EntrySink = (kg: number, keyId: KeyId, ns: NamespaceKey, value: unknown) => void;

function readKeyed(r: ByteReader, range: KeyGroupRange | undefined, at: (context: string) => void): KeyedStateEntries {
  const states: KeyedStateEntries['states'] = {};
  readKeyedInto(r, range, at, (name, kind) => {
    const entries: KeyedEntry[] = [];
    defineOwn(states as Record<string, unknown>, name, { kind, entries });
    return (kg, keyId, ns, value) => {
      entries.push([kg, keyId, ns, value]);
    };
  });
  return { states };
}

/** Reads the header of one keyed state (name, kind, entry count), checking the count against the bytes left. */
function readStateHeader(r: ByteReader, s: number, count: number, at: (context: string) => void): { name: string; kind: string; n: number } {
  at(`state ${s + 1} of ${count}`);
  const name = r.string();
  const kind = r.string();
  const n = r.varint();
  at(`keyed state '${name}'`);
  // Every entry takes at least 5 bytes; a larger count is corrupt, not a reason to allocate.
  if (n > r.remaining / 5) throw new Error(`declares ${n} entries, more than its ${r.remaining} bytes can hold`);
  return { name, kind, n };
}

/**
 * Decodes a keyed section, calling `open` once per state for the sink of its entries. Entries
 * of key groups outside `range` are stepped over without being decoded.
 */
function readKeyedInto(r: ByteReader, range: KeyGroupRange | undefined, at: (context: string) => void, open: (name: string, kind: string, entries: number) => EntrySink): void {
  const count = r.varint();
  const refs: unknown[] = [];
  const lo = range ? range.start : 0;
  const hi = range ? range.end : KEY_GROUP_LIMIT - 1;
  for (let s = 0; s < count; s++) {
    const { name, kind, n } = readStateHeader(r, s, count, at);
    const sink = open(name, kind, n);
    for (let i = 0; i < n; i++) {
      const kg = r.varint();
      const length = r.varint();
      const end = r.pos + length;
      if (end > r.bytes.length) throw new Error(`entry ${i} of ${n} declares ${length} bytes, beyond the section`);
      if (kg < lo || kg > hi) {
        r.pos = end;
        continue;
      }
      const keyId = readTagged(r, refs) as KeyId;
      const ns = readTagged(r, refs) as NamespaceKey;
      const value = readTagged(r, refs);
      if (refs.length) refs.length = 0;
      if (r.pos !== end) throw new Error(`entry ${i} of ${n} (key group ${kg}) has ${end - r.pos} bytes more than its content`);
      sink(kg, keyId, ns, value);
    }
  }
}

/** Key groups a snapshot normally spans (Flink's default max parallelism): runs up to a few per group are grouped bytes. */
const KEY_GROUP_SPREAD = 128;

/** Reads one keyed entry of a run (key group, length, key, namespace, value) and hands it to `visit`. */
function readRunEntry(r: ByteReader, refs: unknown[], visit: (key: KeyId, ns: NamespaceKey, value: unknown) => void): void {
  r.varint();
  const end = r.varint() + r.pos;
  const keyId = readTagged(r, refs) as KeyId;
  const ns = readTagged(r, refs) as NamespaceKey;
  const value = readTagged(r, refs);
  if (refs.length) refs.length = 0;
  if (r.pos !== end) throw new Error(`an entry has ${end - r.pos} bytes more than its content`);
  visit(keyId, ns, value);
}

/**
 * Consecutive entries of one key group in a keyed section, decoded when the restoring backend
 * first uses that key group.
 */
class EncodedRun implements EncodedKeyGroup {
  constructor(
    private readonly section: Uint8Array,
    private readonly start: number,
    private readonly end: number,
    readonly count: number,
    private readonly where: string,
    private readonly offset: number,
  ) {}

  decode(visit: (key: KeyId, ns: NamespaceKey, value: unknown) => void): void {
    const r = new ByteReader(this.section);
    r.pos = this.start;
    const refs: unknown[] = [];
    try {
      while (r.pos < this.end) readRunEntry(r, refs, visit);
    } catch (e) {
      throw this.failure(e, r.pos);
    }
  }

  *iterate(): IterableIterator<[KeyId, NamespaceKey, unknown]> {
    const entries: [KeyId, NamespaceKey, unknown][] = [];
    const push = (keyId: KeyId, ns: NamespaceKey, value: unknown) => void entries.push([keyId, ns, value]);
    // Decoded in pieces of up to 256 entries, so that a reader in steps never waits for a whole key group.
    const r = new ByteReader(this.section);
    r.pos = this.start;
    const refs: unknown[] = [];
    while (r.pos < this.end) {
      try {
        for (let i = 0; i < 256 && r.pos < this.end; i++) readRunEntry(r, refs, push);
      } catch (e) {
        throw this.failure(e, r.pos);
      }
      yield* entries;
      entries.length = 0;
    }
  }

  private failure(e: unknown, pos: number): SnapshotFormatError {
    const message = e instanceof Error ? e.message : String(e);
    return new SnapshotFormatError(`${this.where}corrupt snapshot: keyed section (offset ${this.offset + pos}): ${message}`, { cause: e });
  }
}

/**
 * A keyed section left encoded (`decodeSnapshot(bytes, { lazyKeyed: true })`): a restoring
 * backend decodes it straight into its tables, only its own key groups.
 */
class EncodedKeyedState implements KeyedStateReader {
  readonly form = 'reader';

  constructor(
    private readonly section: Uint8Array,
    /** Offset of the section in the snapshot, for error messages. */
    private readonly offset: number,
    private readonly where: string,
    /** The range the snapshot was decoded for, if any: nothing outside it is ever read. */
    private readonly range: KeyGroupRange | undefined,
  ) {}

  readInto(range: KeyGroupRange, target: KeyedStateTarget): void {
    const lo = Math.max(range.start, this.range?.start ?? 0);
    const hi = Math.min(range.end, this.range?.end ?? KEY_GROUP_LIMIT - 1);
    const r = new ByteReader(this.section);
    this.guard(r, (at) => {
      const count = r.varint();
      for (let s = 0; s < count; s++) {
        const { name, kind, n } = readStateHeader(r, s, count, at);
        const table = target.tableFor(name, kind);
        const first = r.pos;
        // Runs of consecutive entries of one key group: [key group, start, end, entries] each.
        const runs: number[] = [];
        let runKg = -1;
        for (let i = 0; i < n; i++) {
          const start = r.pos;
          const kg = r.varint();
          const length = r.varint();
          const end = r.pos + length;
          if (end > r.bytes.length) throw new Error(`entry ${i} of ${n} declares ${length} bytes, beyond the section`);
          r.pos = end;
          if (kg < lo || kg > hi) {
            runKg = -1;
            continue;
          }
          if (kg === runKg) {
            runs[runs.length - 2] = end;
            runs[runs.length - 1]!++;
          } else {
            runs.push(kg, start, end, 1);
            runKg = kg;
          }
        }
        if (runs.length / 4 > 4 * KEY_GROUP_SPREAD && runs.length / 4 > n / 8) {
          // Not grouped by key group (an older writer): index entries one by one would cost
          // more than decoding them now.
          const end = r.pos;
          r.pos = first;
          for (let i = 0; i < n; i++) {
            const kg = r.varint();
            const length = r.varint();
            if (kg < lo || kg > hi) {
              r.pos += length;
              continue;
            }
            const entryEnd = r.pos + length;
            const keyId = readTagged(r, []) as KeyId;
            const ns = readTagged(r, []) as NamespaceKey;
            const value = readTagged(r, []);
            if (r.pos !== entryEnd) throw new Error(`entry ${i} of ${n} (key group ${kg}) has ${entryEnd - r.pos} bytes more than its content`);
            table.put(kg, keyId, ns, value);
          }
          r.pos = end;
          continue;
        }
        for (let i = 0; i < runs.length; i += 4) table.putEncoded(runs[i]!, new EncodedRun(this.section, runs[i + 1]!, runs[i + 2]!, runs[i + 3]!, this.where, this.offset));
      }
    });
  }

  get states(): KeyedStateEntries['states'] {
    return this.toEntries().states;
  }

  private decoded: KeyedStateEntries | undefined;

  toEntries(): KeyedStateEntries {
    if (this.decoded) return this.decoded;
    const r = new ByteReader(this.section);
    return (this.decoded = this.guard(r, (at) => readKeyed(r, this.range, at)));
  }

  /** Runs a decode, reporting failures as `decodeSnapshot` does. */
  private guard<R>(r: ByteReader, decode: (at: (context: string) => void) => R): R {
    let context = '';
    let result: R;
    try {
      result = decode((c) => (context = c));
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      throw new SnapshotFormatError(`${this.where}corrupt snapshot: keyed section${context ? `, ${context}` : ''} (offset ${this.offset + r.pos}): ${message}`, { cause: e });
    }
    if (r.pos !== this.section.length) {
      throw new SnapshotFormatError(`${this.where}corrupt snapshot: the keyed section at offset ${this.offset - 9} has ${this.section.length - r.pos} unread bytes`);
    }
    return result;
  }
}

function readOperator(r: ByteReader, at: (context: string) => void): OperatorStateSnapshot {
  const lists: OperatorStateSnapshot['lists'] = {};
  const count = r.varint();
  const refs: unknown[] = [];
  for (let l = 0; l < count; l++) {
    at(`list ${l + 1} of ${count}`);
    const name = r.string();
    const mode = r.string();
    at(`operator state '${name.replace('\u0001', '')}'`);
    if (mode !== 'list' && mode !== 'union' && mode !== 'broadcast') throw new Error(`unknown mode '${mode}'`);
    const n = r.varint();
    if (n > r.remaining) throw new Error(`declares ${n} items, more than the ${r.remaining} bytes left`);
    const items = new Array<unknown>(n);
    for (let i = 0; i < n; i++) {
      items[i] = readTagged(r, refs);
      if (refs.length) refs.length = 0;
    }
    defineOwn(lists as Record<string, unknown>, name, { mode: mode as OperatorStateMode, items });
  }
  return { lists };
}

function readTimers(r: ByteReader, range: KeyGroupRange | undefined, at: (context: string) => void): TimerSnapshot[][] {
  const count = r.varint();
  if (count > r.remaining) throw new Error(`declares ${count} timer services, more than the ${r.remaining} bytes left`);
  const services: TimerSnapshot[][] = [];
  const refs: unknown[] = [];
  for (let s = 0; s < count; s++) {
    at(`timer service ${s}`);
    const n = r.varint();
    const timers: TimerSnapshot[] = [];
    for (let i = 0; i < n; i++) {
      const kg = r.varint();
      const keyId = readTagged(r, refs) as KeyId;
      const ns = readTagged(r, refs) as NamespaceKey;
      if (refs.length) refs.length = 0;
      const time = r.f64();
      const domain = String.fromCharCode(r.u8());
      if (domain !== 'e' && domain !== 'p') throw new Error(`unknown time domain '${domain}'`);
      if (range && (kg < range.start || kg > range.end)) continue;
      timers.push([kg, keyId, ns, time, domain]);
    }
    services.push(timers);
  }
  return services;
}

// ---------------------------------------------------------------------------------------------
// CRC-32

/**
 * CRC-32 (IEEE 802.3, as zlib, gzip and PNG) tables for slicing-by-8: eight bytes per step,
 * several times faster than one table lookup per byte, which matters for GB-sized state files.
 */
const CRC_TABLE = (() => {
  const t = new Int32Array(256 * 8);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    for (let k = 1; k < 8; k++) {
      const prev = t[(k - 1) * 256 + n]!;
      t[k * 256 + n] = (prev >>> 8) ^ t[prev & 0xff]!;
    }
  }
  return t;
})();

/**
 * Continues a CRC-32 over more bytes: `crc32Update(crc32Update(0, a), b)` is the CRC of `a`
 * followed by `b`. Start from 0; the result is unsigned.
 *
 * @example
 * let crc = 0;
 * for (const chunk of chunks) crc = crc32Update(crc, chunk);
 */
export function crc32Update(crc: number, bytes: Uint8Array): number {
  const t = CRC_TABLE;
  let c = ~crc;
  let i = 0;
  const n = bytes.length;
  const fast = n - 8;
  for (; i <= fast; i += 8) {
    c ^= bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    c =
      t[1792 + (c & 0xff)]! ^
      t[1536 + ((c >>> 8) & 0xff)]! ^
      t[1280 + ((c >>> 16) & 0xff)]! ^
      t[1024 + (c >>> 24)]! ^
      t[768 + bytes[i + 4]!]! ^
      t[512 + bytes[i + 5]!]! ^
      t[256 + bytes[i + 6]!]! ^
      t[bytes[i + 7]!]!;
  }
  for (; i < n; i++) c = t[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

/**
 * The CRC-32 of `bytes` as 8 lowercase hex digits: the checksum checkpoint storage records for
 * every state file and verifies on read.
 *
 * @example
 * crc32(new TextEncoder().encode('123456789')); // 'cbf43926'
 */
export function crc32(bytes: Uint8Array): string {
  return crc32Update(0, bytes).toString(16).padStart(8, '0');
}
