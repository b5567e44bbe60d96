/**
 * The thread that writes checkpoint files (Flink's asynchronous snapshot phase, which runs a
 * checkpoint's `AsyncCheckpointRunnable` on a thread pool beside the task thread). A state file
 * written with `fs/promises` costs the task's thread one turn of its event loop per system call
 * (mkdir, open, write, fdatasync, close, and the directory's fsync); a task whose records take
 * 200 ms each runs a step between every two turns, so a checkpoint took seconds of steps to
 * write a few bytes. Here each write is one message to a worker thread, which makes the system
 * calls synchronously on its own, and one message back: the task's thread waits for one turn.
 *
 * The worker is plain JavaScript evaluated from a string, so that it runs from sources and from
 * the bundled dist/ alike. It is unref'd while nothing is in flight: it never keeps a process
 * alive by itself.
 */
import { Worker } from 'node:worker_threads';

type Request =
  /** A file written whole, its data made durable, and its directory entry too. */
  | { op: 'write'; file: string; bytes: Uint8Array; fsync: boolean }
  /**
   * Checks that every state file exists with its size, then writes `text` to a new temporary
   * file and renames it to `file` (absent or whole after a crash), with fsyncs around it.
   */
  | { op: 'publish'; file: string; temp: string; text: string; fsync: boolean; states: { file: string; bytes: number }[]; context: string };

const WORKER_SOURCE = String.raw`
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const path = require('node:path');

function syncDir(dir) {
  if (process.platform === 'win32') return;
  const fd = fs.openSync(dir, 'r');
  try { fs.fsyncSync(fd); } finally { fs.closeSync(fd); }
}

function writeWhole(fd, bytes) {
  for (let at = 0; at < bytes.length; ) at += fs.writeSync(fd, bytes, at, bytes.length - at);
}

const ops = {
  write({ file, bytes, fsync }) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const fd = fs.openSync(file, 'w');
    try {
      writeWhole(fd, bytes);
      if (fsync) fs.fdatasyncSync(fd);
    } finally { fs.closeSync(fd); }
    if (fsync) syncDir(path.dirname(file));
  },
  publish({ file, temp, text, fsync, states, context }) {
    const dir = path.dirname(file);
    fs.mkdirSync(dir, { recursive: true });
    for (const s of states) {
      let size;
      try { size = fs.statSync(s.file).size; } catch (e) {
        if (e && e.code === 'ENOENT') throw new Error(context + ': state file ' + s.file + ' is missing');
        throw e;
      }
      if (size !== s.bytes) throw new Error(context + ': state file ' + s.file + ' has ' + size + ' bytes, but ' + s.bytes + ' are recorded');
    }
    if (fsync) syncDir(dir);
    const fd = fs.openSync(temp, 'wx');
    try {
      writeWhole(fd, Buffer.from(text, 'utf8'));
      if (fsync) fs.fsyncSync(fd);
    } finally { fs.closeSync(fd); }
    try { fs.renameSync(temp, file); } catch (e) { fs.rmSync(temp, { force: true }); throw e; }
    if (fsync) syncDir(dir);
  },
};

parentPort.on('message', ({ id, request }) => {
  try {
    ops[request.op](request);
    parentPort.postMessage({ id });
  } catch (e) {
    parentPort.postMessage({ id, error: e && e.message ? e.message : String(e), code: e && e.code });
  }
});
`;

/**
 * One worker thread per process that writes checkpoint files. Requests run in order.
 *
 * @example
 * await CheckpointIoThread.shared().write('/ckpt/job/chk-3/map/0.state', bytes, true);
 */
export class CheckpointIoThread {
  private static instance: CheckpointIoThread | undefined;
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();

  /** The process's thread, started on first use. */
  static shared(): CheckpointIoThread {
    return (CheckpointIoThread.instance ??= new CheckpointIoThread());
  }

  /**
   * Writes `bytes` to `file` (creating its directory), fsyncs its data and directory when
   * `fsync`, and resolves once all of that is done.
   *
   * @example
   * await io.write(path.join(dir, 'map/0.state'), bytes, true);
   */
  write(file: string, bytes: Uint8Array, fsync: boolean): Promise<void> {
    return this.call({ op: 'write', file, bytes, fsync });
  }

  /**
   * Makes `file` appear whole with `text` (temporary file, fsync, rename, fsync of the
   * directory), after checking that each of `states` exists with its size (else rejects with
   * `<context>: state file <path> is missing` or `... has N bytes, but M are recorded`).
   *
   * @example
   * await io.publish(path.join(dir, '_metadata'), temp, text, true, [{ file: stateFile, bytes: 120 }], 'Cannot complete checkpoint 3');
   */
  publish(file: string, temp: string, text: string, fsync: boolean, states: { file: string; bytes: number }[], context: string): Promise<void> {
    return this.call({ op: 'publish', file, temp, text, fsync, states, context });
  }

  private call(request: Request): Promise<void> {
    const worker = this.start();
    const id = this.nextId++;
    // In flight, the worker keeps the process alive: a write must not be cut off by an exit.
    if (this.waiting.size === 0) worker.ref();
    return new Promise<void>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.postMessage({ id, request });
    });
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [] });
    worker.on('message', ({ id, error, code }: { id: number; error?: string; code?: string }) => {
      const w = this.waiting.get(id);
      if (!w) return;
      this.waiting.delete(id);
      if (this.waiting.size === 0) worker.unref();
      if (error === undefined) w.resolve();
      else w.reject(Object.assign(new Error(error), code ? { code } : {}));
    });
    worker.on('error', (e) => this.fail(e));
    worker.on('exit', (code) => this.fail(new Error(`the checkpoint I/O thread exited with code ${code}`)));
    worker.unref();
    this.worker = worker;
    return worker;
  }

  /** The worker died: what waits for it fails, and the next request starts a new one. */
  private fail(error: Error): void {
    this.worker = undefined;
    const waiting = [...this.waiting.values()];
    this.waiting.clear();
    for (const w of waiting) w.reject(error);
  }
}
