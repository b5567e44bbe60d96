/**
 * Async I/O throughput on one subtask with capacity 100, against a service that answers each
 * request in 1 ms: (a) an in-process service (a 1 ms timer per request), ordered and unordered,
 * next to (b) the same service driven by a plain loop that keeps 100 requests in flight — the
 * ceiling the timer granularity allows on this machine — and (c) a `node:http` service on
 * 127.0.0.1 answering after 1 ms (the network stack's cost included).
 */
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

/** The service alone: `n` requests, 100 in flight at a time. */
async function serviceAlone(n: number): Promise<void> {
  let started = 0;
  const worker = async () => {
    while (started < n) {
      started++;
      await answerIn1ms(started);
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

  const server = http.createServer((req, res) => {
    const k = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('k'));
    setTimeout(() => res.end(String(k * 10)), 1);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const agent = new http.Agent({ keepAlive: true, maxSockets: CAPACITY });
  const overHttp = (k: number) =>
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
    const m = 10_000;
    const httpRate = await bestRate(m, 1, () => throughEngine(m, false, overHttp));
    lines.push(`async I/O, unorderedWait, node:http service on 127.0.0.1 answering in 1 ms, capacity ${CAPACITY}: ${fmtRate(httpRate.rate)}`);
  } finally {
    agent.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  return lines;
}
