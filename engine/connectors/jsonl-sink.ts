import fs from 'node:fs';
import path from 'node:path';
import type { SinkDescriptor, SinkFactoryContext } from '../runtime/connectors.ts';
import type { CheckpointedSink, SinkFunction, SinkInitializationContext, SinkSnapshotContext } from '../runtime/functions.ts';
import { TwoPhaseCommitSinkFunction, isRecoveredBy } from '../runtime/sinks/two-phase-commit-sink.ts';

const FLUSH_BYTES = 1 << 16;

/**
 * Delivery guarantee of a JSONL sink (see `Sinks.jsonl`).
 *
 * @example
 * const semantics: JsonlSemantics = 'exactly-once';
 */
export type JsonlSemantics = 'exactly-once' | 'at-least-once' | 'none';

/** JSON that survives bigints (as numbers when safe, else strings) and Maps. */
export function toJsonLine(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
    if (v instanceof Map) return Object.fromEntries(v);
    if (v instanceof Set) return [...v];
    return v;
  });
}

/** Where one subtask writes: a single file, or a part file in a directory. */
export function jsonlTarget(target: string, subtask: number, parallelism: number): { file: string; directory: boolean } {
  const isDir = target.endsWith('/') || target.endsWith(path.sep) || parallelism > 1 || (fs.existsSync(target) && fs.statSync(target).isDirectory());
  if (!isDir) return { file: path.resolve(target), directory: false };
  return { file: path.resolve(target, `part-${subtask}.jsonl`), directory: true };
}

/**
 * Builds one subtask of `Sinks.jsonl(path, { semantics })`.
 *
 * - 'at-least-once' (default) and 'none': one file per subtask, written as `<file>.inprogress`
 *   (which does not end in `.jsonl`) and renamed to its final name after an fsync when the input
 *   ends, so readers never see a half-written file under the final name. At a checkpoint,
 *   'at-least-once' flushes and fsyncs (the records before the barrier are durable; after a
 *   restore the file is continued, and records after the barrier may be written twice); 'none'
 *   does neither. Output becomes visible only at the end of input.
 * - 'exactly-once': two-phase commit (`JsonlTransactionalSink`): one part file per checkpoint
 *   and subtask, visible once the checkpoint is complete.
 *
 * In directory mode a fresh start removes this subtask's output of an earlier run (subtask 0
 * also that of subtasks ≥ parallelism), so a re-run leaves exactly this run's output.
 *
 * @example
 * registerSinkFactory('jsonl', createJsonlSink);
 */
export function createJsonlSink(descriptor: SinkDescriptor, ctx: SinkFactoryContext): SinkFunction<unknown> {
  const given = String(descriptor.options.path);
  // Resolved against the job's base directory; a trailing separator (directory mode) is kept.
  const resolved = path.resolve(descriptor.baseDir ?? '', given);
  const target = /[\\/]$/.test(given) ? resolved + path.sep : resolved;
  const semantics = (descriptor.options.semantics ?? 'at-least-once') as JsonlSemantics;
  if (semantics === 'exactly-once') {
    // A transactional sink: SinkOperator takes its records through [SINK_WRITE], not invoke
    // (SinkFactory's return type does not name TransactionalSinkFunction yet).
    return new JsonlTransactionalSink(target, ctx) as unknown as SinkFunction<unknown>;
  }
  return createRollingJsonlSink(target, ctx, semantics);
}

/** Lines to one file: buffered, written in blocks of 64 KiB, fsync on demand. */
class LineFile {
  private fd: number | undefined;
  private buffer: string[] = [];
  private bytes = 0;
  lines = 0;

  constructor(
    readonly file: string,
    flags: 'w' | 'a',
  ) {
    this.fd = fs.openSync(file, flags);
  }

  write(value: unknown): void {
    const line = toJsonLine(value) + '\n';
    this.buffer.push(line);
    this.bytes += line.length;
    this.lines++;
    if (this.bytes >= FLUSH_BYTES) this.flush();
  }

  /** Appends a file's bytes as they are (adopting another writer's lines). */
  append(file: string): void {
    this.flush();
    const chunk = Buffer.allocUnsafe(1 << 20);
    const from = fs.openSync(file, 'r');
    try {
      let n: number;
      while ((n = fs.readSync(from, chunk, 0, chunk.length, null)) > 0) fs.writeSync(this.fd!, chunk, 0, n);
    } finally {
      fs.closeSync(from);
    }
  }

  flush(): void {
    if (this.fd === undefined || this.buffer.length === 0) return;
    fs.writeSync(this.fd, this.buffer.join(''));
    this.buffer = [];
    this.bytes = 0;
  }

  /** Flush and fsync: what was written survives a crash. */
  sync(): void {
    this.flush();
    if (this.fd !== undefined) fs.fsyncSync(this.fd);
  }

  close(): void {
    if (this.fd === undefined) return;
    fs.closeSync(this.fd);
    this.fd = undefined;
  }
}

/**
 * Cuts a file after its last complete line: a crash may have left half a line at the end, and
 * lines appended after it must not merge with it.
 */
function truncateToLastLine(file: string): void {
  if (!fs.existsSync(file)) return;
  const fd = fs.openSync(file, 'r+');
  try {
    const chunk = Buffer.allocUnsafe(1 << 16);
    let end = fs.fstatSync(fd).size;
    let keep = 0;
    search: while (end > 0) {
      const start = Math.max(0, end - chunk.length);
      const n = fs.readSync(fd, chunk, 0, end - start, start);
      for (let i = n - 1; i >= 0; i--) {
        if (chunk[i] === 0x0a) {
          keep = start + i + 1;
          break search;
        }
      }
      end = start;
    }
    if (keep < fs.fstatSync(fd).size) fs.ftruncateSync(fd, keep);
  } finally {
    fs.closeSync(fd);
  }
}

/** Makes renames in `dir` durable (where the platform can fsync a directory). */
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Windows cannot open a directory for fsync; renames there are as durable as they get.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Part files of both kinds: `part-<subtask>.jsonl[.inprogress]` and `part-<subtask>-<n>.jsonl[.pending]`. */
const PART = /^part-(\d+)(?:-(\d+))?\.jsonl(\.pending|\.inprogress)?$/;

/**
 * Removes the output of an earlier run in `dir`: for subtask `subtask` the part files of its own
 * index (all kinds, or only the exactly-once kind with `keepOwnPlain`), and for subtask 0 also
 * every part file of an index ≥ `parallelism`.
 */
function clearEarlierOutput(dir: string, subtask: number, parallelism: number, keepOwnPlain: boolean): void {
  for (const name of fs.readdirSync(dir)) {
    const m = PART.exec(name);
    if (!m) continue;
    const index = Number(m[1]);
    const own = index === subtask && !(keepOwnPlain && m[2] === undefined);
    if (own || (subtask === 0 && index >= parallelism)) fs.rmSync(path.join(dir, name), { force: true });
  }
}

/** The hidden directory beside a single-file target where exactly-once keeps its parts. */
function partsDirectoryOf(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.parts`);
}

/** Today's sink plus checkpoint hooks: 'at-least-once' syncs at the barrier, 'none' does not. */
function createRollingJsonlSink(target: string, ctx: SinkFactoryContext, semantics: 'at-least-once' | 'none'): SinkFunction<unknown> & CheckpointedSink {
  const { file, directory } = jsonlTarget(target, ctx.subtask, ctx.parallelism);
  const inprogress = `${file}.inprogress`;
  let out: LineFile | undefined;
  let restored = false;
  let checkpointed = false;
  /** In-progress files of old subtasks this one continues (after a restore at lower parallelism). */
  let adopted: string[] = [];

  return {
    initializeState(init: SinkInitializationContext) {
      restored = init.isRestored;
      const writers = init.operatorState.getUnionListState<{ subtask: number }>('weir.jsonl');
      if (restored && directory) {
        adopted = writers
          .filter((w) => w.subtask !== ctx.subtask && isRecoveredBy(w.subtask, ctx.subtask, ctx.parallelism))
          .map((w) => path.join(path.dirname(file), `part-${w.subtask}.jsonl.inprogress`));
      }
      // A constant entry: it marks this sink as having state, so a restore says isRestored.
      writers.length = 0;
      writers.push({ subtask: ctx.subtask });
    },
    open() {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      if (!restored) {
        if (directory) clearEarlierOutput(path.dirname(file), ctx.subtask, ctx.parallelism, true);
        else fs.rmSync(partsDirectoryOf(file), { recursive: true, force: true });
      }
      // Restored: continue the file; what it holds past the barrier is written again (at least once).
      if (restored) truncateToLastLine(inprogress);
      out = new LineFile(inprogress, restored ? 'a' : 'w');
      for (const f of adopted) {
        if (!fs.existsSync(f)) continue;
        truncateToLastLine(f);
        out.append(f);
        out.sync();
        fs.rmSync(f, { force: true });
      }
    },
    invoke(value: unknown) {
      out!.write(value);
    },
    snapshotState() {
      checkpointed = true;
      if (semantics === 'at-least-once') out?.sync();
    },
    finish() {
      if (!out) return;
      out.sync();
      out.close();
      out = undefined;
      fs.renameSync(inprogress, file);
      syncDirectory(path.dirname(file));
    },
    close() {
      if (!out) return;
      out.close();
      out = undefined;
      // Not finished (failure or cancel): without a checkpoint nothing will continue the file.
      if (!checkpointed) fs.rmSync(inprogress, { force: true });
    },
  };
}

/**
 * One transaction of the exactly-once JSONL sink: the part file `part-<subtask>-<seq>`.
 *
 * @example
 * const txn: JsonlTransaction = { subtask: 0, seq: 3, lines: 0, dir: '/data/out' }; // /data/out/part-0-3.jsonl.pending
 */
export interface JsonlTransaction {
  subtask: number;
  seq: number;
  /** Lines written, set at pre-commit (0: no file was created). */
  lines: number;
  /**
   * Absolute directory of the part files, and the single file they make up (if any). Kept in the
   * transaction, as Flink's committables keep full paths: a job resumed from a savepoint with
   * its sink pointed elsewhere still commits the old pending parts where they were written.
   * Absent in state written before it was added: then the sink's own directory.
   */
  dir?: string;
  file?: string;
}

/**
 * `Sinks.jsonl(path, { semantics: 'exactly-once' })`: two-phase commit over part files.
 *
 * Each transaction (one per checkpoint and subtask) writes `part-<subtask>-<n>.jsonl.pending`,
 * created at its first record (a checkpoint without records leaves no file). Pre-commit flushes,
 * fsyncs and closes it; commit renames it to `part-<subtask>-<n>.jsonl` (idempotent: a pending
 * file that is gone while the part exists was committed); abort deletes it. So a file ending in
 * `.jsonl` only ever holds committed records.
 *
 * Directory mode (a path ending in '/', an existing directory, or parallelism > 1): the parts
 * are the output. Single-file mode (parallelism 1): parts live in the hidden directory
 * `.<name>.parts` beside the file and are named `.committed` once committed; every commit
 * rewrites the file as the concatenation of the committed parts (temp file + fsync + rename),
 * which costs the size of the output per checkpoint: use a directory for large outputs.
 *
 * A fresh start removes this subtask's parts of an earlier run and leftover pending files;
 * a restore commits the transactions its state lists, then deletes the pending files of the old
 * subtasks it recovers (`isRecoveredBy`) that are left, and their parts named after the restored
 * checkpoint or a later one (committed by a failed attempt at its end of input): transactions
 * begun after the barrier of the restored checkpoint, whose records the sources replay.
 *
 * @example
 * // What Sinks.jsonl('out/', { semantics: 'exactly-once' }) builds for subtask 0 of 2:
 * new JsonlTransactionalSink('out/', { subtask: 0, parallelism: 2, operatorName: 'Sink: jsonl', jobName: 'job', note() {} });
 */
export class JsonlTransactionalSink extends TwoPhaseCommitSinkFunction<unknown, JsonlTransaction> {
  /** Where parts go: the target directory, or the hidden directory beside a single file. */
  private readonly dir: string;
  /** The single-file target, or undefined in directory mode. */
  private readonly file: string | undefined;
  private readonly what: string;
  private writers = new Map<number, LineFile>();
  private nextSeq = 0;

  constructor(
    target: string,
    private readonly ctx: SinkFactoryContext,
  ) {
    super();
    const { file, directory } = jsonlTarget(target, ctx.subtask, ctx.parallelism);
    this.dir = directory ? path.dirname(file) : partsDirectoryOf(file);
    this.file = directory ? undefined : file;
    this.what = `JSONL sink '${ctx.operatorName}' (${target})`;
  }

  /**
   * A transaction is named after the checkpoint it follows (0 for the first), not numbered on:
   * a replay after a restore then writes the same names, and its commits replace what the failed
   * run committed after that checkpoint (at the end of input) instead of adding to it.
   */
  protected beginTransaction(): JsonlTransaction {
    return { subtask: this.ctx.subtask, seq: this.nextSeq, lines: 0, dir: this.dir, ...(this.file ? { file: this.file } : {}) };
  }

  override snapshotState(ctx: SinkSnapshotContext): void {
    this.nextSeq = ctx.checkpointId;
    super.snapshotState(ctx);
  }

  protected invoke(txn: JsonlTransaction, value: unknown): void {
    let w = this.writers.get(txn.seq);
    if (!w) {
      w = new LineFile(this.pendingPath(txn), 'w');
      this.writers.set(txn.seq, w);
    }
    w.write(value);
  }

  protected preCommit(txn: JsonlTransaction): void {
    const w = this.writers.get(txn.seq);
    if (!w) return;
    w.sync();
    w.close();
    this.writers.delete(txn.seq);
    txn.lines = w.lines;
  }

  protected commit(txn: JsonlTransaction): void {
    const pending = this.pendingPath(txn);
    const part = this.committedPath(txn);
    let renamed = false;
    if (fs.existsSync(pending)) {
      fs.renameSync(pending, part);
      syncDirectory(txn.dir ?? this.dir);
      renamed = true;
    } else if (txn.lines > 0 && !fs.existsSync(part)) {
      throw new Error(`${this.what}: the pending file ${pending} of a pre-committed transaction (${txn.lines} lines) is missing`);
    } else if (txn.lines === 0 && fs.existsSync(part)) {
      // An empty transaction replaces what a run that failed later committed under this name.
      fs.rmSync(part, { force: true });
      renamed = true;
    }
    const file = txn.dir === undefined ? this.file : txn.file;
    if (file && (renamed || !fs.existsSync(file))) rewriteFromParts(file, txn.dir ?? this.dir);
  }

  protected abort(txn: JsonlTransaction): void {
    const w = this.writers.get(txn.seq);
    if (w) {
      w.close();
      this.writers.delete(txn.seq);
    }
    fs.rmSync(this.pendingPath(txn), { force: true });
  }

  override initializeState(ctx: SinkInitializationContext): void {
    this.writers = new Map();
    this.nextSeq = 0;
    fs.mkdirSync(this.dir, { recursive: true });
    super.initializeState(ctx);
  }

  protected override finishRecoveringContext(_handled: JsonlTransaction[], ctx: SinkInitializationContext): void {
    if (!ctx.isRestored) {
      if (this.file) {
        fs.rmSync(this.dir, { recursive: true, force: true });
        fs.mkdirSync(this.dir, { recursive: true });
        fs.rmSync(this.file, { force: true });
      } else {
        clearEarlierOutput(this.dir, ctx.subtask, ctx.parallelism, false);
      }
      return;
    }
    // Every transaction the state lists is committed or aborted by now: what is still pending
    // among the files of the old subtasks this one recovers was begun after the barrier. So was
    // a committed part named after the restored checkpoint or a later one: a run without a final
    // checkpoint (no checkpoints at its end, or an older Weir) committed it at its end of input
    // (`finish`), past any completed checkpoint, while another task was failing. The sources
    // replay its records, and the replay's transactions are named after the new attempt's
    // checkpoint ids, so it must go now or its records are there twice. (With checkpoints the
    // end of input is committed on the final checkpoint, FLIP-147.)
    const restored = this.restoredCheckpointId;
    for (const name of fs.readdirSync(this.dir)) {
      const m = /^part-(\d+)-(\d+)\.(jsonl\.pending|jsonl|committed)$/.exec(name);
      if (!m || !isRecoveredBy(Number(m[1]), ctx.subtask, ctx.parallelism)) continue;
      const pastTheBarrier = m[3] === 'jsonl.pending' || (restored !== undefined && Number(m[2]) >= restored);
      if (pastTheBarrier) fs.rmSync(path.join(this.dir, name), { force: true });
    }
    if (restored !== undefined) syncDirectory(this.dir);
    this.nextSeq = restored ?? 0;
    if (this.file) rewriteFromParts(this.file, this.dir);
  }

  override close(): void {
    super.close();
    for (const w of this.writers.values()) w.close();
    this.writers.clear();
  }

  private pendingPath(txn: JsonlTransaction): string {
    return path.join(txn.dir ?? this.dir, `part-${txn.subtask}-${txn.seq}.jsonl.pending`);
  }

  private committedPath(txn: JsonlTransaction): string {
    const singleFile = txn.dir === undefined ? this.file !== undefined : txn.file !== undefined;
    return path.join(txn.dir ?? this.dir, `part-${txn.subtask}-${txn.seq}.${singleFile ? 'committed' : 'jsonl'}`);
  }
}

/** Single-file mode: `file` becomes the committed parts in `dir`, in order, atomically. */
function rewriteFromParts(file: string, dir: string): void {
  const parts = fs
    .readdirSync(dir)
    .map((name) => ({ name, m: /^part-(\d+)-(\d+)\.committed$/.exec(name) }))
    .filter((p) => p.m)
    .sort((a, b) => Number(a.m![1]) - Number(b.m![1]) || Number(a.m![2]) - Number(b.m![2]));
  const temp = `${file}.committing`;
  const fd = fs.openSync(temp, 'w');
  try {
    for (const p of parts) fs.writeSync(fd, fs.readFileSync(path.join(dir, p.name)));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temp, file);
  syncDirectory(path.dirname(file));
}
