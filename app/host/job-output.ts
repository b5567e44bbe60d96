/**
 * The host's end of the taskmanagers' job output (engine/process/taskmanager/job-output.ts): a
 * local socket that taskmanagers connect to, which reads their JSON lines and hands each message
 * to whoever follows the job it is tagged with (the job tracker, which knows the cell that
 * started the job).
 *
 * Why a socket rather than the jobmanager's status channel: chart rows and print lines are
 * output, not status; sending them straight from the taskmanager keeps the jobmanager and its
 * polling out of the way, delivers a window's results within one flush (50 ms) instead of a
 * metrics round, and needs no change to the control-plane protocol. The socket is in a private
 * directory (or a named pipe with a random name on Windows), like the data plane's.
 */
import { ownedTempDir, releaseTempDir } from '../../engine/process/temp-dirs.ts';
import { randomBytes } from 'node:crypto';
import type { RejectedRowsReport } from '../shared/workbench/protocol.ts';
import net from 'node:net';
import path from 'node:path';

/** A message of a taskmanager about one job attempt. */
export type JobOutputMessage =
  | { t: 'sink'; job: string; sink: number; jobName: string; operator: string; uid?: string; subtask: number; parallelism: number; options: Record<string, unknown> }
  | { t: 'rows'; job: string; sink: number; rows: unknown[] }
  | { t: 'out'; job: string; stream: 'stdout' | 'stderr'; text: string }
  | { t: 'rejects'; job: string; report: RejectedRowsReport }
  | { t: 'begin' | 'done'; job: string };

/** A message as delivered: sink numbers are made unique across taskmanagers. */
export type DeliveredOutput = JobOutputMessage & { from: number };

/** Messages kept for a job nobody follows yet (its id is learnt when the jobmanager accepted it). */
const MAX_WAITING = 10_000;
/** How long messages of an unknown job are kept, ms. */
const WAIT_MS = 30_000;

/**
 * Receives job output from taskmanagers.
 *
 * @example
 * const output = JobOutputServer.listen();
 * new LocalCluster(options, {}, launcher, { WEIR_JOB_OUTPUT: output.address });
 * output.follow('job-0', (message) => ...);
 */
export class JobOutputServer {
  private readonly followers = new Map<string, (message: DeliveredOutput) => void>();
  private readonly waiting = new Map<string, { since: number; messages: DeliveredOutput[] }>();
  private readonly sockets = new Set<net.Socket>();
  /** Per job: per attempt, how many taskmanagers were deployed and how many have ended. */
  private readonly attempts = new Map<string, Map<number, { begun: number; done: number }>>();
  private readonly drainWaiters = new Map<string, Set<() => void>>();
  private connections = 0;

  private constructor(
    private readonly server: net.Server,
    /** The address taskmanagers connect to. */
    readonly address: string,
    private readonly dir: string | undefined,
    /** Resolves once the socket listens (rejects if it cannot). */
    readonly ready: Promise<void>,
  ) {
    server.on('connection', (socket) => this.accept(socket));
  }

  /** Starts listening on a new private socket; its address is known at once. */
  static listen(): JobOutputServer {
    let dir: string | undefined;
    let address: string;
    if (process.platform === 'win32') address = `\\\\.\\pipe\\weir-job-output-${randomBytes(8).toString('hex')}`;
    else {
      dir = ownedTempDir('weir-out');
      address = path.join(dir, 'out.sock');
    }
    const server = net.createServer();
    const ready = new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(address, () => {
        server.off('error', reject);
        resolve();
      });
    });
    ready.catch(() => {});
    server.unref();
    return new JobOutputServer(server, address, dir, ready);
  }

  /**
   * Delivers the output of cluster job `jobId` (all its attempts) to `listener`, starting with
   * what arrived before. Returns a function that stops it.
   */
  follow(jobId: string, listener: (message: DeliveredOutput) => void): () => void {
    this.followers.set(jobId, listener);
    const waited = this.waiting.get(jobId);
    this.waiting.delete(jobId);
    for (const message of waited?.messages ?? []) listener(message);
    return () => {
      if (this.followers.get(jobId) === listener) this.followers.delete(jobId);
    };
  }

  /**
   * Resolves once every taskmanager that runs the latest attempt of job `jobId` has sent all its
   * output (or after `timeoutMs`, e.g. when one died), so that the job's end is reported after
   * its last chart row and print line.
   */
  drained(jobId: string, timeoutMs = 2000): Promise<void> {
    if (this.isDrained(jobId)) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.drainWaiters.get(jobId)?.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      let waiters = this.drainWaiters.get(jobId);
      if (!waiters) this.drainWaiters.set(jobId, (waiters = new Set()));
      waiters.add(done);
    });
  }

  private isDrained(jobId: string): boolean {
    const attempts = this.attempts.get(jobId);
    if (!attempts || attempts.size === 0) return false;
    const latest = attempts.get(Math.max(...attempts.keys()))!;
    return latest.begun > 0 && latest.done >= latest.begun;
  }

  private mark(jobId: string, attempt: number, mark: 'begin' | 'done'): void {
    let attempts = this.attempts.get(jobId);
    if (!attempts) this.attempts.set(jobId, (attempts = new Map()));
    let counts = attempts.get(attempt);
    if (!counts) attempts.set(attempt, (counts = { begun: 0, done: 0 }));
    if (mark === 'begin') counts.begun++;
    else counts.done++;
    if (this.isDrained(jobId)) for (const waiter of [...(this.drainWaiters.get(jobId) ?? [])]) waiter();
  }

  /** Stops listening and closes every connection. */
  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    if (this.server.listening) await new Promise<void>((resolve) => this.server.close(() => resolve()));
    if (this.dir) releaseTempDir(this.dir);
  }

  private accept(socket: net.Socket): void {
    const from = ++this.connections;
    this.sockets.add(socket);
    socket.setEncoding('utf8');
    let buffered = '';
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      let end: number;
      while ((end = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, end);
        buffered = buffered.slice(end + 1);
        this.receive(line, from);
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => this.sockets.delete(socket));
  }

  private receive(line: string, from: number): void {
    let message: JobOutputMessage;
    try {
      message = JSON.parse(line) as JobOutputMessage;
    } catch {
      return;
    }
    if (typeof message?.job !== 'string') return;
    // Attempts are `<job>@<n>`; output of every attempt belongs to the job.
    const at = message.job.lastIndexOf('@');
    const jobId = at >= 0 ? message.job.slice(0, at) : message.job;
    if (message.t === 'begin' || message.t === 'done') {
      this.mark(jobId, at >= 0 ? Number(message.job.slice(at + 1)) || 0 : 0, message.t);
      return;
    }
    const delivered = { ...message, from };
    const listener = this.followers.get(jobId);
    if (listener) {
      listener(delivered);
      return;
    }
    const now = Date.now();
    for (const [id, w] of this.waiting) if (now - w.since > WAIT_MS) this.waiting.delete(id);
    let waited = this.waiting.get(jobId);
    if (!waited) this.waiting.set(jobId, (waited = { since: now, messages: [] }));
    if (waited.messages.length < MAX_WAITING) waited.messages.push(delivered);
  }
}
