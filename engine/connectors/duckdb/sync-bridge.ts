/**
 * Synchronous access to DuckDB for sinks. DuckDB's Node API is asynchronous, but a sink's
 * `finish()` (and, later, `notifyCheckpointComplete`) must complete synchronously inside the
 * task loop. So sink connections live in one worker thread, and a sink thread waits for the
 * worker's answer with `Atomics.wait` (the pattern of `synckit`): the wait blocks only this
 * thread, only for that one call, while the worker does the async work.
 *
 * Staging rows is asynchronous (`post`): the caller goes on, and the worker appends in order.
 * Failures of posted work are reported by the next synchronous call on that connection. At most
 * `MAX_IN_FLIGHT` posts may be pending; beyond that `post` waits, which back-pressures the job.
 *
 * The worker and its port are unref'd: they never keep a process alive. The worker is a small
 * generic SQL executor (open, run, append, transaction, close) in plain JavaScript, evaluated
 * from a string so that it works from sources and from the bundled dist/ alike.
 */
import { createRequire } from 'node:module';
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';

/** Column kinds the worker's appender knows. */
export type AppendKind = 'varchar' | 'integer' | 'bigint';

type Request =
  | { op: 'open'; conn: number; database: string }
  | { op: 'run'; conn: number; sql: string }
  | { op: 'append'; conn: number; table: string; kinds: AppendKind[]; rows: unknown[][] }
  | { op: 'transaction'; conn: number; guard?: string; statements: string[] }
  | { op: 'close'; conn: number };

const MAX_IN_FLIGHT = 8;
/** Slots of the shared signal array. */
const REPLY = 0;
const DONE = 1;

const WORKER_SOURCE = String.raw`
const { workerData } = require('node:worker_threads');
const duckdb = require(workerData.duckdbPath);
const { port } = workerData;
const signal = new Int32Array(workerData.signal);
const instances = new Map();
const conns = new Map();
let queue = Promise.resolve();
port.on('message', (req) => { queue = queue.then(() => handle(req)); });

const ops = {
  async open({ conn, database }) {
    let inst = instances.get(database);
    if (!inst) { inst = { instance: await duckdb.DuckDBInstance.create(database), refs: 0 }; instances.set(database, inst); }
    inst.refs++;
    conns.set(conn, { conn: await inst.instance.connect(), database });
  },
  async run({ conn, sql }) {
    const reader = await get(conn).conn.runAndReadAll(sql);
    return reader.getRowObjectsJson();
  },
  async append({ conn, table, kinds, rows }) {
    const appender = await get(conn).conn.createAppender(table);
    try {
      for (const row of rows) {
        for (let i = 0; i < kinds.length; i++) {
          const v = row[i];
          if (v === null || v === undefined) appender.appendNull();
          else if (kinds[i] === 'varchar') appender.appendVarchar(String(v));
          else if (kinds[i] === 'integer') appender.appendInteger(v);
          else appender.appendBigInt(BigInt(v));
        }
        appender.endRow();
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
  },
  async transaction({ conn, guard, statements }) {
    const c = get(conn).conn;
    await c.run('BEGIN TRANSACTION');
    try {
      if (guard && (await c.runAndReadAll(guard)).currentRowCount > 0) { await c.run('ROLLBACK'); return { skipped: true }; }
      for (const s of statements) await c.run(s);
      await c.run('COMMIT');
      return { skipped: false };
    } catch (e) {
      try { await c.run('ROLLBACK'); } catch {}
      throw e;
    }
  },
  async close({ conn }) {
    const c = conns.get(conn);
    if (!c) return;
    conns.delete(conn);
    c.conn.closeSync();
    const inst = instances.get(c.database);
    if (inst && --inst.refs === 0) { instances.delete(c.database); inst.instance.closeSync(); }
  },
};

function get(id) {
  const c = conns.get(id);
  if (!c) throw new Error('DuckDB sink connection ' + id + ' is not open');
  return c;
}

async function handle(req) {
  let reply;
  try {
    const c = conns.get(req.conn);
    if (req.sync && c && c.error && req.op !== 'close') { const e = c.error; c.error = undefined; throw e; }
    reply = { ok: true, result: await ops[req.op](req) };
  } catch (e) {
    const message = e && e.message ? e.message : String(e);
    const c = conns.get(req.conn);
    if (!req.sync && c && !c.error) c.error = new Error(message);
    reply = { ok: false, error: message };
  }
  if (req.sync) {
    port.postMessage(reply);
    Atomics.store(signal, ${REPLY}, 1);
    Atomics.notify(signal, ${REPLY});
  } else {
    Atomics.add(signal, ${DONE}, 1);
    Atomics.notify(signal, ${DONE});
  }
}
`;

/** Failure reported by the worker: DuckDB's message. */
export class DuckDBSinkError extends Error {
  override name = 'DuckDBSinkError';
}

/**
 * The process's DuckDB worker for sinks. `acquire()` starts it on first use; `release()` by
 * the last user terminates it.
 */
export class DuckDBWorkerBridge {
  private static shared: DuckDBWorkerBridge | undefined;
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly signal: Int32Array;
  private posted = 0;
  private refs = 0;
  private nextConn = 1;

  private constructor() {
    const sab = new SharedArrayBuffer(8);
    this.signal = new Int32Array(sab);
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    const duckdbPath = createRequire(import.meta.url).resolve('@duckdb/node-api');
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { duckdbPath, port: port2, signal: sab },
      transferList: [port2],
      // The worker needs no TypeScript loader (it is plain JavaScript) and no inherited flags.
      execArgv: [],
    });
    this.worker.unref();
    this.port.unref();
  }

  static acquire(): DuckDBWorkerBridge {
    const b = (DuckDBWorkerBridge.shared ??= new DuckDBWorkerBridge());
    b.refs++;
    return b;
  }

  release(): void {
    if (--this.refs > 0) return;
    if (DuckDBWorkerBridge.shared === this) DuckDBWorkerBridge.shared = undefined;
    this.port.close();
    void this.worker.terminate();
  }

  /** Opens a connection to `database` (a file path) in the worker. */
  open(database: string): number {
    const conn = this.nextConn++;
    this.call({ op: 'open', conn, database });
    return conn;
  }

  /** Runs SQL and returns its rows as JSON values (for small results). */
  run(conn: number, sql: string): Record<string, unknown>[] {
    return this.call({ op: 'run', conn, sql }) as Record<string, unknown>[];
  }

  /** Runs `statements` in one transaction, unless `guard` returns a row (then nothing happens). */
  transaction(conn: number, statements: string[], guard?: string): { skipped: boolean } {
    const req: Request = { op: 'transaction', conn, statements };
    if (guard) req.guard = guard;
    return this.call(req) as { skipped: boolean };
  }

  /** Queues rows for `table` without waiting (errors come back on the next call). */
  postAppend(conn: number, table: string, kinds: AppendKind[], rows: unknown[][]): void {
    this.post({ op: 'append', conn, table, kinds, rows });
  }

  /** Queues a transaction without waiting (errors come back on the next call). */
  postTransaction(conn: number, statements: string[], guard?: string): void {
    const req: Request = { op: 'transaction', conn, statements };
    if (guard) req.guard = guard;
    this.post(req);
  }

  close(conn: number): void {
    this.call({ op: 'close', conn });
  }

  private post(req: Request): void {
    // Back-pressure: wait while too many posts are pending in the worker.
    for (;;) {
      const done = Atomics.load(this.signal, DONE);
      if (this.posted - done < MAX_IN_FLIGHT) break;
      Atomics.wait(this.signal, DONE, done, 1000);
    }
    this.posted++;
    this.port.postMessage(req);
  }

  private call(req: Request): unknown {
    Atomics.store(this.signal, REPLY, 0);
    this.port.postMessage({ ...req, sync: true });
    let reply: { message: { ok: boolean; result?: unknown; error?: string } } | undefined;
    while (!(reply = receiveMessageOnPort(this.port) as typeof reply)) {
      Atomics.wait(this.signal, REPLY, 0, 1000);
    }
    if (!reply.message.ok) throw new DuckDBSinkError(reply.message.error ?? 'DuckDB sink failed');
    return reply.message.result;
  }
}
