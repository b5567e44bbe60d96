import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DataPlaneServer } from '../../../engine/process/data-plane/data-plane-server.ts';
import { encodeFrames, FrameParser, FrameType, ProtocolError, type OutgoingFrame } from '../../../engine/process/data-plane/frames.ts';
import type { RemoteChannelReader, RemoteChannelWriter } from '../../../engine/process/data-plane/remote-channel.ts';
import { ChannelFailure } from '../../../engine/runtime/network/credit/channel-failure.ts';
import type { RecordBatch, StreamElement } from '../../../engine/runtime/elements.ts';
import type { PeerCommand, PeerReport } from './fixtures/data-plane-peer.ts';

const PEER = fileURLToPath(new URL('./fixtures/data-plane-peer.ts', import.meta.url));

function batch(from: number, n: number): RecordBatch {
  const values = new Array<unknown>(n);
  const timestamps = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    values[i] = { key: `user-${(from + i) % 1000}`, seq: from + i, value: 42.5 };
    timestamps[i] = from + i;
  }
  return { kind: 'records', values, timestamps };
}

/** Polls `reader` whenever data arrives, until end of input; with `delayMs`, one element per timer tick. */
function collect(reader: RemoteChannelReader, onElement: (e: StreamElement) => void, delayMs = 0): Promise<void> {
  return new Promise((resolve, reject) => {
    let scheduled = false;
    const take = () => {
      scheduled = false;
      try {
        for (let e = reader.poll(); e; e = delayMs > 0 ? undefined : reader.poll()) {
          onElement(e);
          if (e.kind === 'end') return resolve();
        }
        if (reader.available) schedule();
      } catch (e) {
        reject(e);
      }
    };
    const schedule = () => {
      if (scheduled) return;
      scheduled = true;
      if (delayMs > 0) setTimeout(take, delayMs);
      else setImmediate(take);
    };
    reader.onData = schedule;
    schedule();
  });
}

/** Resolves with the failure once `end` reports one (through its wake-up hook), or rejects after `ms`. */
function failureOf(end: RemoteChannelReader | RemoteChannelWriter, ms: number): Promise<ChannelFailure> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (end.failure) resolve(end.failure);
    };
    if ('onData' in end) end.onData = check;
    else end.onWritable = check;
    check();
    setTimeout(() => reject(new Error(`no failure within ${ms} ms`)), ms).unref();
  });
}

async function startPeer(): Promise<{ child: ChildProcess; address: string; reports: PeerReport[]; next: () => Promise<PeerReport> }> {
  const child = fork(PEER, [], { execArgv: ['--import', 'tsx'], serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const reports: PeerReport[] = [];
  const waiting: ((r: PeerReport) => void)[] = [];
  child.on('message', (m: PeerReport) => {
    const w = waiting.shift();
    if (w) w(m);
    else reports.push(m);
  });
  const next = () => new Promise<PeerReport>((resolve) => (reports.length ? resolve(reports.shift()!) : waiting.push(resolve)));
  const first = await next();
  assert.ok('address' in first);
  // A SIGKILLed peer cannot remove its socket's directory: do it for it.
  child.once('exit', () => rmSync(dirname(first.address), { recursive: true, force: true }));
  return { child, address: first.address, reports, next };
}

test('frames survive any cutting of the byte stream into chunks', () => {
  const frames: OutgoingFrame[] = Array.from({ length: 40 }, (_, i) => ({
    channelId: i * 1_000_003,
    type: i % 2 ? FrameType.data : FrameType.credit,
    payload: Uint8Array.from({ length: (i * 37) % 300 }, (_, k) => (k * 7 + i) & 0xff),
  }));
  const stream = encodeFrames(frames);
  assert.equal(stream.readUInt32LE(0), 5 + frames[0]!.payload.length);
  for (const cut of [1, 2, 3, 4, 5, 9, 10, 64, 1000, stream.length]) {
    const got: OutgoingFrame[] = [];
    const parser = new FrameParser((channelId, type, payload) => got.push({ channelId, type: type as OutgoingFrame['type'], payload: Uint8Array.from(payload) }));
    for (let p = 0; p < stream.length; p += cut) parser.push(stream.subarray(p, Math.min(stream.length, p + cut)));
    assert.deepStrictEqual(got, frames.map((f) => ({ ...f, payload: Uint8Array.from(f.payload) })));
    assert.equal(parser.bufferedBytes, 0);
  }
  const bad = new FrameParser(() => {}, 1024);
  assert.throws(() => bad.push(Uint8Array.from([0, 8, 0, 0, 1])), ProtocolError);
});

test('1M small records reach a slow reader in order, and the sender stays bounded', async () => {
  const buffers = 4;
  const a = await DataPlaneServer.start();
  const b = await DataPlaneServer.start();
  try {
    const out = a.createWriter(b.address, 'job:0:0:0');
    const input = b.createReader(a.address, 'job:0:0:0', { buffers });
    const total = 1_000_000;
    let sent = 0;
    let maxSenderBytes = 0;
    let maxBatchBytes = 0;
    const produce = () => {
      while (out.writable && sent < total) {
        const n = Math.min(512, total - sent);
        const before = out.queuedBytes;
        out.push(batch(sent, n));
        maxBatchBytes = Math.max(maxBatchBytes, out.queuedBytes - before);
        sent += n;
        if (sent % (512 * 50) === 0) out.push({ kind: 'watermark', timestamp: sent - 1 });
        const stats = a.stats()[0]!;
        maxSenderBytes = Math.max(maxSenderBytes, stats.queuedBytes + stats.socketBufferedBytes);
      }
      if (sent >= total && !out.finished) out.push({ kind: 'end' });
    };
    out.onWritable = produce;
    produce();

    let expected = 0;
    let lastWatermark = -Infinity;
    const started = performance.now();
    // Slow: one batch per timer tick (~1 ms), while the producer could go much faster.
    await collect(
      input,
      (e) => {
        assert.ok(input.buffersInUse <= buffers);
        if (e.kind === 'records') {
          for (const v of e.values as { seq: number }[]) assert.equal(v.seq, expected++);
          assert.ok(e.timestamps[0]! > lastWatermark);
        } else if (e.kind === 'watermark') {
          assert.equal(e.timestamp, expected - 1);
          lastWatermark = e.timestamp;
        }
      },
      1,
    );
    assert.equal(expected, total);
    assert.equal(input.recordsReceived, total);
    // Credit bounds what the sender holds: at most `buffers` batches in flight plus one step past the credit.
    const bound = (buffers + 1) * maxBatchBytes;
    assert.ok(maxSenderBytes <= bound, `sender held ${maxSenderBytes} bytes, bound ${bound}`);
    assert.ok(maxSenderBytes > 0);
    console.log(`# slow reader: ${total} records in ${(performance.now() - started).toFixed(0)} ms, sender peak ${maxSenderBytes} bytes (bound ${bound})`);
  } finally {
    await a.close();
    await b.close();
  }
});

test('channels both ways share one socket per pair, and ends may be created in any order', async () => {
  const a = await DataPlaneServer.start();
  const b = await DataPlaneServer.start();
  try {
    // a→b: reader first; b→a: writer first, its reader a turn later.
    const inB = b.createReader(a.address, 'x:ab');
    const outB = b.createWriter(a.address, 'x:ba');
    await new Promise((r) => setTimeout(r, 20));
    const outA = a.createWriter(b.address, 'x:ab');
    const inA = a.createReader(b.address, 'x:ba');
    const send = (out: RemoteChannelWriter, from: number) => {
      let next = from;
      const go = () => {
        while (out.writable && next < from + 5000) {
          out.push(batch(next, 100));
          next += 100;
        }
        if (next >= from + 5000 && !out.finished) out.push({ kind: 'end' });
      };
      out.onWritable = go;
      go();
    };
    send(outA, 0);
    send(outB, 10_000);
    const seen = { a: [] as number[], b: [] as number[] };
    await Promise.all([
      collect(inB, (e) => e.kind === 'records' && seen.b.push(...(e.values as { seq: number }[]).map((v) => v.seq))),
      collect(inA, (e) => e.kind === 'records' && seen.a.push(...(e.values as { seq: number }[]).map((v) => v.seq))),
    ]);
    assert.deepEqual(seen.b, Array.from({ length: 5000 }, (_, i) => i));
    assert.deepEqual(seen.a, Array.from({ length: 5000 }, (_, i) => 10_000 + i));
    assert.equal(a.stats().length, 1);
    assert.equal(b.stats().length, 1);
    assert.equal(a.stats()[0]!.state, 'open');
    assert.equal(a.stats()[0]!.channels, 0); // finished channels are forgotten
    assert.throws(() => a.createWriter(b.address, 'x:ab'), /must not be reused/);
  } finally {
    await a.close();
    await b.close();
  }
});

test('a released reader fails its writer; an aborted writer fails its reader', async () => {
  const a = await DataPlaneServer.start();
  const b = await DataPlaneServer.start();
  try {
    const out1 = a.createWriter(b.address, 'r:1');
    const in1 = b.createReader(a.address, 'r:1');
    const out2 = a.createWriter(b.address, 'r:2');
    const in2 = b.createReader(a.address, 'r:2');
    out2.push(batch(0, 10));
    in1.release('cancelled');
    const f1 = await failureOf(out1, 2000);
    assert.match(f1.message, /released it: cancelled/);
    assert.throws(() => out1.push(batch(0, 1)), ChannelFailure);
    await new Promise((r) => setTimeout(r, 20));
    out2.abort('task failed');
    const f2 = await failureOf(in2, 2000);
    assert.match(f2.message, /aborted it: task failed/);
    // What arrived before the abort is still handed out, then the failure.
    assert.equal(in2.poll()?.kind, 'records');
    assert.throws(() => in2.poll(), ChannelFailure);
    // A writer given up before the reader opened answers the late open with abort.
    const early = a.createWriter(b.address, 'r:3');
    early.abort('gone before the open');
    const late = b.createReader(a.address, 'r:3');
    assert.match((await failureOf(late, 2000)).message, /gone before the open/);
  } finally {
    await a.close();
    await b.close();
  }
});

test('a killed producer process: the reader fails, with no hang', async () => {
  const peer = await startPeer();
  const dp = await DataPlaneServer.start();
  try {
    const input = dp.createReader(peer.address, 'k:1', { buffers: 4 });
    peer.child.send({ role: 'produce', peer: dp.address, key: 'k:1', records: Infinity } satisfies PeerCommand);
    let records = 0;
    const failed = new Promise<unknown>((resolve) => {
      const take = () => {
        try {
          for (let e = input.poll(); e; e = input.poll()) if (e.kind === 'records') records += e.values.length;
        } catch (e) {
          resolve(e);
        }
      };
      input.onData = () => setImmediate(take);
    });
    while (records < 50_000) await new Promise((r) => setTimeout(r, 5));
    const killedAt = performance.now();
    peer.child.kill('SIGKILL');
    const error = await Promise.race([failed, new Promise((_, reject) => setTimeout(() => reject(new Error('no failure within 3 s')), 3000).unref())]);
    assert.ok(error instanceof ChannelFailure, String(error));
    assert.match(error.message, /lost|closed/);
    assert.ok(performance.now() - killedAt < 3000);
    assert.equal(dp.stats()[0]!.state, 'failed');
  } finally {
    peer.child.kill('SIGKILL');
    await dp.close();
  }
});

test('a killed consumer process: the writer fails and its task wakes up', async () => {
  const peer = await startPeer();
  const dp = await DataPlaneServer.start();
  let peerFailure: string | undefined;
  dp.onPeerFailure = (address, error) => (peerFailure = `${address}: ${error.message}`);
  try {
    const out = dp.createWriter(peer.address, 'k:2');
    peer.child.send({ role: 'consume', peer: dp.address, key: 'k:2', delayMs: 2 } satisfies PeerCommand);
    let sent = 0;
    const produce = () => {
      while (out.writable && !out.failure) {
        out.push(batch(sent, 512));
        sent += 512;
      }
    };
    out.onWritable = produce;
    produce();
    while (sent < 20 * 512) await new Promise((r) => setTimeout(r, 5));
    peer.child.kill('SIGKILL');
    const failure = await failureOf(out, 3000);
    assert.match(failure.message, /lost|closed/);
    assert.equal(out.writable, true); // a blocked task is scheduled and fails at its next push
    assert.throws(() => out.push(batch(0, 1)), ChannelFailure);
    assert.ok(peerFailure?.startsWith(peer.address));
  } finally {
    peer.child.kill('SIGKILL');
    await dp.close();
  }
});

test('a peer that never shows up fails the channel after the connect timeout', async () => {
  const dp = await DataPlaneServer.start({ connectTimeoutMs: 200 });
  try {
    // Addresses that sort before and after ours: this side waits, then connects (and retries).
    const waiting = dp.createReader('/', 'n:1');
    const connecting = dp.createWriter(dp.address + '-nobody', 'n:2');
    const [f1, f2] = await Promise.all([failureOf(waiting, 3000), failureOf(connecting, 3000)]);
    assert.match(f1.message, /did not connect within 200 ms/);
    assert.match(f2.message, /cannot connect/);
    // Channels to a failed peer fail at once.
    assert.ok(dp.createWriter('/', 'n:3').failure);
  } finally {
    await dp.close();
  }
});

test('close() says goodbye: open channels end, the peer does not report a failure, the socket is removed', async () => {
  const a = await DataPlaneServer.start();
  const b = await DataPlaneServer.start();
  const peerFailures: string[] = [];
  b.onPeerFailure = (_, e) => peerFailures.push(e.message);
  const out = a.createWriter(b.address, 'c:1');
  const input = b.createReader(a.address, 'c:1');
  await new Promise((r) => setTimeout(r, 20));
  const path = a.address;
  assert.ok(process.platform === 'win32' || existsSync(path));
  await a.close();
  assert.match(out.failure?.message ?? '', /closed/);
  assert.match((await failureOf(input, 2000)).message, /closed its data plane/);
  assert.equal(b.stats()[0]!.state, 'closed');
  assert.ok(process.platform === 'win32' || !existsSync(dirname(path)));
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(peerFailures, []);
  await b.close();
  assert.throws(() => a.createWriter(b.address, 'c:2'), /closed/);
});
