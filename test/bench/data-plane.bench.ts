/**
 * Data-plane throughput: (a) the codec alone on one core — encode and decode of small records
 * in batches of 512, on the typed path and on the tagged fallback; (b) end to end through the
 * data plane between two processes: a forked producer pushes small records through a
 * credit-based channel over a Unix socket, this process polls them.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { decodeElement, ElementEncoder } from '../../engine/runtime/network/codec/element-codec.ts';
import { DataPlaneServer } from '../../engine/process/data-plane/data-plane-server.ts';
import type { RecordBatch } from '../../engine/runtime/elements.ts';
import type { PeerCommand, PeerReport } from '../engine/process/fixtures/data-plane-peer.ts';
import { bestRate, fmtRate } from './machine.ts';

const BATCH = 512;
const PEER = fileURLToPath(new URL('../engine/process/fixtures/data-plane-peer.ts', import.meta.url));

function smallBatches(count: number, fallback = false): RecordBatch[] {
  const out: RecordBatch[] = [];
  for (let b = 0; b < count; b++) {
    const values = new Array<unknown>(BATCH);
    const timestamps = new Array<number>(BATCH);
    for (let i = 0; i < BATCH; i++) {
      const n = b * BATCH + i;
      values[i] = fallback
        ? { key: `user-${n % 1000}`, attributes: new Map([['region', 'eu']]), value: 42.5 }
        : { key: `user-${n % 1000}`, ts: 1_700_000_000_000 + n, value: (n % 100) + 0.5 };
      timestamps[i] = 1_700_000_000_000 + n;
    }
    out.push({ kind: 'records', values, timestamps });
  }
  return out;
}

async function codec(lines: string[], label: string, batches: RecordBatch[]): Promise<void> {
  const encoder = new ElementEncoder();
  const rounds = 4000;
  const records = rounds * BATCH;
  for (const b of batches) encoder.encode(b); // the first sighting of a shape is sent tagged
  const encoded = batches.map((b) => encoder.encode(b));
  const bytes = encoded.reduce((sum, e) => sum + e.length, 0) / encoded.length;
  const enc = await bestRate(records, 3, () => {
    for (let r = 0; r < rounds; r++) encoder.encode(batches[r % batches.length]!);
  });
  const dec = await bestRate(records, 3, () => {
    for (let r = 0; r < rounds; r++) decodeElement(encoded[r % encoded.length]!);
  });
  const both = await bestRate(records, 3, () => {
    for (let r = 0; r < rounds; r++) decodeElement(encoder.encode(batches[r % batches.length]!));
  });
  lines.push(
    `(a) codec ${label}: encode+decode ${fmtRate(both.rate)} (encode ${fmtRate(enc.rate)}, decode ${fmtRate(dec.rate)}), ${(bytes / BATCH).toFixed(1)} bytes/record, one core`,
  );
}

/** Starts the producer peer; resolves with its address and a way to wait for its next report. */
async function startPeer() {
  const child = fork(PEER, [], { execArgv: ['--import', 'tsx'], serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const queue: PeerReport[] = [];
  const waiting: ((r: PeerReport) => void)[] = [];
  child.on('message', (m: PeerReport) => (waiting.length ? waiting.shift()!(m) : queue.push(m)));
  const next = () => new Promise<PeerReport>((resolve) => (queue.length ? resolve(queue.shift()!) : waiting.push(resolve)));
  const hello = await next();
  if (!('address' in hello)) throw new Error(`peer did not start: ${JSON.stringify(hello)}`);
  return { child, address: hello.address, next };
}

async function endToEnd(lines: string[]): Promise<void> {
  const dp = await DataPlaneServer.start();
  const peer = await startPeer();
  let run = 0;
  const once = (records: number, buffers: number) =>
    new Promise<number>((resolve, reject) => {
      const key = `bench:${run++}`;
      const input = dp.createReader(peer.address, key, { buffers });
      let got = 0;
      let started = 0;
      let scheduled = false;
      const take = () => {
        scheduled = false;
        try {
          for (let e = input.poll(); e; e = input.poll()) {
            if (e.kind === 'records') {
              if (!started) started = performance.now();
              got += e.values.length;
            } else if (e.kind === 'end') {
              if (got !== records) reject(new Error(`received ${got} of ${records} records`));
              else resolve(records / ((performance.now() - started) / 1000));
              return;
            }
          }
        } catch (e) {
          reject(e);
        }
      };
      input.onData = () => {
        if (!scheduled) {
          scheduled = true;
          setImmediate(take);
        }
      };
      peer.child.send({ role: 'produce', peer: dp.address, key, records } satisfies PeerCommand);
    });
  try {
    await once(1_000_000, 16); // warm-up: shapes compiled, code optimised in both processes
    for (const buffers of [4, 16]) {
      let best = 0;
      for (let i = 0; i < 3; i++) best = Math.max(best, await once(3_000_000, buffers));
      lines.push(`(b) data plane, 2 processes over a Unix socket, ${buffers} buffers/channel: ${fmtRate(best)} (3,000,000 small records, best of 3)`);
    }
  } finally {
    peer.child.kill();
    await dp.close();
  }
}

/** Runs the data-plane benchmarks; returns one line per figure (the caller prints the machine). */
export async function benchDataPlane(): Promise<string[]> {
  const lines: string[] = [];
  await codec(lines, 'typed {key, ts, value}', smallBatches(64));
  await codec(lines, 'tagged fallback {key, attributes: Map, value}', smallBatches(64, true));
  await endToEnd(lines);
  return lines;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { machineLine } = await import('./machine.ts');
  console.log(machineLine());
  for (const line of await benchDataPlane()) console.log(line);
}
