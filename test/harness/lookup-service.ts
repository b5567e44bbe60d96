/**
 * A real lookup service for the async I/O tests: a `node:http` server on 127.0.0.1 (port 0)
 * that answers `GET /lookup?k=<key>&delay=<ms>&fail=<n>` with `{"k":<key>,"v":<key*10>}` after
 * `delay` ms, and with status 503 to the first `fail` requests for that key. It counts requests
 * and the most that were in flight at once.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A running lookup service.
 *
 * @example
 * const service = await startLookupService();
 * await fetch(`${service.url}/lookup?k=3&delay=20`); // {"k":3,"v":30}
 * await service.close();
 */
export interface LookupService {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Requests answered or being answered. */
  readonly requests: number;
  /** Requests in flight now. */
  readonly inFlight: number;
  /** The most requests that were in flight at once. */
  readonly maxInFlight: number;
  /** Starts counting `maxInFlight` afresh. */
  resetMax(): void;
  close(): Promise<void>;
}

export async function startLookupService(): Promise<LookupService> {
  let requests = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const failures = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const q = new URL(req.url ?? '/', 'http://x').searchParams;
    const k = q.get('k') ?? '';
    const delay = Number(q.get('delay') ?? 0);
    const fail = Number(q.get('fail') ?? 0);
    requests++;
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const failed = failures.get(k) ?? 0;
    const answer = () => {
      inFlight--;
      if (failed < fail) {
        failures.set(k, failed + 1);
        res.writeHead(503).end('try again');
      } else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ k: Number(k), v: Number(k) * 10 }));
    };
    if (delay > 0) setTimeout(answer, delay);
    else answer();
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get requests() {
      return requests;
    },
    get inFlight() {
      return inFlight;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    resetMax: () => {
      maxInFlight = inFlight;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
