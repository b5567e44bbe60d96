/**
 * Output of jobs for a client that shows it (the workbench). A taskmanager started with
 * `WEIR_JOB_OUTPUT=<local socket address>` sends what code running for a job prints (console,
 * `print()`) and the rows of the job's chart sinks to that socket, as JSON lines tagged with the
 * job's attempt id, so that the client can show them under the notebook cell that started the
 * job. Without the variable nothing changes: console output goes to stdout and chart sinks are
 * the headless ones.
 *
 * Which job code runs for is known from an AsyncLocalStorage entered around deploying and
 * running the job's tasks (`inJobScope`); it is entered only when output is forwarded, so plain
 * `weir run` clusters pay nothing for it.
 *
 * Messages (one JSON object per line):
 * - `{ t: 'sink', job, sink, jobName, operator, uid, subtask, parallelism, options }`: a chart sink instance opened;
 * - `{ t: 'rows', job, sink, rows }`: records it received (dates as epoch ms, bigints as numbers);
 * - `{ t: 'out', job, stream, text }`: console text;
 * - `{ t: 'rejects', job, report }`: rows a source sent to its `rejects` side output (connectors/duckdb/rejects.ts);
 * - `{ t: 'begin' | 'done', job }`: the attempt was deployed here / its tasks here have ended.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import net from 'node:net';
import { formatWithOptions } from 'node:util';
import { rejectedRowsReportOf } from '../../connectors/duckdb/rejects.ts';
import { registerSinkFactory, type SinkDescriptor, type SinkFactoryContext } from '../../runtime/connectors.ts';
import type { SinkFunction } from '../../runtime/functions.ts';

/** The environment variable that carries the socket address. */
export const JOB_OUTPUT_ENV = 'WEIR_JOB_OUTPUT';

/** Rows a chart sink sends per message at most; more wait for the next flush. */
const ROWS_PER_MESSAGE = 1000;
/** How often a chart sink sends the rows it holds, ms. */
const FLUSH_MS = 50;

const jobScope = new AsyncLocalStorage<string>();
let socket: net.Socket | undefined;
let nextSink = 0;

/**
 * Runs `fn` as code of job attempt `jobId`: output it (and everything it starts) makes is
 * tagged with that id. Just calls `fn` when output is not forwarded.
 *
 * @example
 * inJobScope(deployment.jobId, () => runner.run());
 */
export function inJobScope<T>(jobId: string, fn: () => T): T {
  if (!socket) return fn();
  // Again each time: the job's code has just loaded the engine, which registers the headless one.
  registerSinkFactory('chart', forwardingChartSink);
  return jobScope.run(jobId, fn);
}

/**
 * Tells the client that job attempt `jobId` has been deployed here ('begin') or that its tasks
 * here have ended ('done'), after all their output: the client waits for as many 'done' as
 * 'begin' before it reports the job's end, so that no chart row arrives after it.
 *
 * @example
 * markJobOutput(deployment.jobId, 'begin');
 */
export function markJobOutput(jobId: string, mark: 'begin' | 'done'): void {
  send({ t: mark, job: jobId });
}

/**
 * Connects to the client's socket when `WEIR_JOB_OUTPUT` names one, routes console output of
 * job code there and registers the forwarding chart sink. Call after the Node connectors are
 * registered (the chart sink replaces the headless one).
 *
 * @example
 * registerNodeConnectors();
 * installJobOutput();
 */
export function installJobOutput(env: NodeJS.ProcessEnv = process.env): void {
  const address = env[JOB_OUTPUT_ENV];
  if (!address) return;
  socket = net.createConnection(address);
  // The client may close first at shutdown; output is best-effort, the job's results are not.
  socket.on('error', () => {});
  socket.unref();
  routeConsole();
  registerSinkFactory('chart', forwardingChartSink);
}

/**
 * Bytes waiting to be sent above which print lines and chart rows are dropped: a job printing
 * at full speed must not fill the taskmanager's memory when the client cannot keep up.
 */
const MAX_PENDING_BYTES = 16 * 1024 * 1024;
/** Print lines dropped per job since the client last kept up. */
const dropped = new Map<string, number>();

function send(message: Record<string, unknown>): void {
  if (!socket || socket.destroyed) return;
  const job = String(message.t === 'out' || message.t === 'rows' ? message.job : '');
  if (job && socket.writableLength > MAX_PENDING_BYTES) {
    dropped.set(job, (dropped.get(job) ?? 0) + (message.t === 'rows' ? (message.rows as unknown[]).length : 1));
    return;
  }
  for (const [droppedJob, count] of dropped) {
    socket.write(JSON.stringify({ t: 'out', job: droppedJob, stream: 'stderr', text: `[weir] ${count} lines of output and chart rows were dropped: the notebook could not keep up\n` }) + '\n');
  }
  dropped.clear();
  socket.write(JSON.stringify(message, jsonValue) + '\n');
}

/** Dates as epoch ms and bigints as numbers: what a chart plots of them. */
function jsonValue(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const original = key === '' ? value : this[key];
  if (original instanceof Date) return original.getTime();
  if (typeof value === 'bigint') return Number(value);
  return value;
}

function routeConsole(): void {
  const methods = { log: 'stdout', info: 'stdout', debug: 'stdout', dir: 'stdout', warn: 'stderr', error: 'stderr', trace: 'stderr', table: 'stdout' } as const;
  for (const [method, stream] of Object.entries(methods)) {
    const original = (console as unknown as Record<string, (...args: unknown[]) => void>)[method]!;
    (console as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
      const job = jobScope.getStore();
      const report = args.length === 1 ? rejectedRowsReportOf(args[0]) : undefined;
      if (job === undefined) original.apply(console, args);
      else if (report) send({ t: 'rejects', job, report });
      else send({ t: 'out', job, stream, text: formatWithOptions({ colors: false }, ...(args as [unknown])) + '\n' });
    };
  }
}

/** A chart sink that sends its rows to the client, batched. */
function forwardingChartSink(descriptor: SinkDescriptor, ctx: SinkFactoryContext): SinkFunction<unknown> {
  const job = jobScope.getStore();
  if (job === undefined) {
    if (ctx.subtask === 0) ctx.note(`chart sink '${ctx.operatorName}' of job '${ctx.jobName}' is ignored: it runs outside any job`);
    return { invoke() {} };
  }
  const sink = ++nextSink;
  send({ t: 'sink', job, sink, jobName: ctx.jobName, operator: ctx.operatorName, uid: ctx.operatorUid ?? ctx.operatorName, subtask: ctx.subtask, parallelism: ctx.parallelism, options: descriptor.options });
  let rows: unknown[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    for (let i = 0; i < rows.length; i += ROWS_PER_MESSAGE) send({ t: 'rows', job, sink, rows: rows.slice(i, i + ROWS_PER_MESSAGE) });
    rows = [];
  };
  return {
    invoke(value: unknown) {
      rows.push(value);
      timer ??= setTimeout(flush, FLUSH_MS);
    },
    finish: flush,
    close: flush,
  };
}
