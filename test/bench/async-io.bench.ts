/**
 * Async I/O throughput on one subtask with capacity 100, against a service that answers each
 * request in 1 ms: (a) an in-process service (a 1 ms timer per request), ordered and unordered,
 * next to (b) the same service driven by a plain loop that keeps 100 requests in flight — the
 * ceiling the timer granularity allows on this machine — and (c) a `node:http` service on
 * 127.0.0.1 answering after 1 ms, in this process and in a child process, each next to its own
 * ceiling: the same keep-alive client with 100 requests in flight and no engine. Over HTTP the
 * client's and server's per-request work (parsing, socket writes) is the limit, not the engine:
 * a profile puts the async operator's own code under 1% (BENCHMARKS.md).
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AsyncDataStream, StreamExecutionEnvironment } from '../../engine/index.ts';
import { bestRate, fmtRate } from './machine.ts';

const CAPACITY = 100;

/** The service: answers `k` with `k * 10` after 1 ms. */
const answerIn1ms = (k: number) => new Promise<number>((resolve) => setTimeout(() => resolve(k * 10), 1));

async function throughEngine(n: number, ordered: boolean, lookup: (k: number) => Promise<number>): Promise<void> {
  let seen = 0;
  const env = StreamExecutionEnvironment.create({ parallelism: 1 });
  const ids = env.fromSequence(1, n);
  const wait = ordered ? AsyncDataStream.orderedWait : AsyncDataStream.unorderedWait;
  wait(ids, lookup, 10_000, CAPACITY).sinkTo({ invoke: () => void seen++ });
  await env.execute('bench-async-io');
  if (seen !== n) throw new Error(`async I/O bench: ${seen} of ${n} results`);
}

/** The HTTP service: answers `/?k=<k>` with `k * 10` after 1 ms. It runs here and, as its source, in a child process. */
const answerOverHttp: http.RequestListener = (req, res) => {
  const k = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('k'));
  setTimeout(() => res.end(String(k * 10)), 1);
};

interface Service {
  url: string;
  close(): Promise<void>;
}

/** The service on 127.0.0.1 in this process: client and server share one event loop and core. */
async function listenInProcess(): Promise<Service> {
  const server = http.createServer(answerOverHttp);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The service in a child process, as a real one is: it answers on the other core. */
async function listenInChild(): Promise<Service> {
  const script = `const s = require('node:http').createServer(${answerOverHttp.toString()}); s.listen(0, '127.0.0.1', () => console.log(s.address().port));`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.once('data', (d: Buffer) => resolve(Number(String(d).trim())));
    child.once('exit', (code) => reject(new Error(`async I/O bench: the service process exited with ${code}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill();
      }),
  };
}

/** `m` lookups over keep-alive HTTP at `url`: through the engine, and alone (the ceiling). */
async function overHttp(m: number, url: string, what: string): Promise<string[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CAPACITY });
  const lookup = (k: number) =>
    new Promise<number>((resolve, reject) => {
      http
        .get(`${url}/?k=${k}`, { agent }, (res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () => resolve(Number(body)));
        })
        .on('error', reject);
    });
  try {
    const ceiling = await bestRate(m, 3, () => serviceAlone(m, lookup));
    const rate = await bestRate(m, 3, () => throughEngine(m, false, lookup));
    return [
      `async I/O, unorderedWait, ${what} on 127.0.0.1 answering in 1 ms, capacity ${CAPACITY}: ${fmtRate(rate.rate)}`,
      `  node:http alone with ${CAPACITY} requests in flight, same service (ceiling): ${fmtRate(ceiling.rate)}`,
    ];
  } finally {
    agent.destroy();
  }
}

/** A service driven without the engine: `n` requests, 100 in flight at a time. */
async function serviceAlone(n: number, lookup: (k: number) => Promise<number> = answerIn1ms): Promise<void> {
  let started = 0;
  const worker = async () => {
    while (started < n) {
      started++;
      await lookup(started);
    }
  };
  await Promise.all(Array.from({ length: CAPACITY }, worker));
}

export async function benchAsyncIO(): Promise<string[]> {
  const n = 50_000;
  const lines: string[] = [];
  const ceiling = await bestRate(n, 3, () => serviceAlone(n));
  const unordered = await bestRate(n, 3, () => throughEngine(n, false, answerIn1ms));
  const ordered = await bestRate(n, 3, () => throughEngine(n, true, answerIn1ms));
  lines.push(`async I/O, unorderedWait, 1 ms service, capacity ${CAPACITY}, 1 subtask: ${fmtRate(unordered.rate)} (${n} records in ${unordered.ms.toFixed(0)} ms)`);
  lines.push(`async I/O, orderedWait, 1 ms service, capacity ${CAPACITY}, 1 subtask: ${fmtRate(ordered.rate)}`);
  lines.push(`  the 1 ms service alone with ${CAPACITY} requests in flight (ceiling): ${fmtRate(ceiling.rate)}`);

  const m = 10_000;
  const inProcess = await listenInProcess();
  try {
    lines.push(...(await overHttp(m, inProcess.url, 'node:http service in this process')));
  } finally {
    await inProcess.close();
  }
  const child = await listenInChild();
  try {
    lines.push(...(await overHttp(m, child.url, 'node:http service in another process')));
  } finally {
    await child.close();
  }
  return lines;
}
