import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CreditSender } from '../../../../engine/runtime/network/credit/credit-sender.ts';
import { CreditReceiver, CreditViolationError } from '../../../../engine/runtime/network/credit/credit-receiver.ts';
import { InMemoryPipe } from '../../../../engine/runtime/network/credit/in-memory-pipe.ts';
import { ChannelFailure } from '../../../../engine/runtime/network/credit/channel-failure.ts';
import type { RecordBatch, StreamElement } from '../../../../engine/runtime/elements.ts';

function drain<T>(s: CreditSender<T>): T[] {
  const out: T[] = [];
  for (let f = s.next(); f; f = s.next()) out.push(f.payload);
  return out;
}

test('sender: nothing leaves without credit; each batch spends one', () => {
  const s = new CreditSender<string>((p) => p.length);
  assert.equal(s.writable, false);
  s.enqueue('b1', false);
  s.enqueue('b2', false);
  assert.equal(s.next(), undefined);
  assert.equal(s.queuedBytes, 4);
  s.addCredit(1);
  assert.deepEqual(drain(s), ['b1']);
  assert.equal(s.credit, 0);
  assert.equal(s.writable, false);
  s.addCredit(3);
  assert.deepEqual(drain(s), ['b2']);
  assert.equal(s.credit, 2);
  assert.equal(s.writable, true);
  assert.equal(s.queuedBytes, 0);
});

test('sender: writable means queued batches < credit, so a task stops at zero credit', () => {
  const s = new CreditSender<number>();
  s.addCredit(2);
  s.enqueue(1, false);
  assert.equal(s.writable, true);
  s.enqueue(2, false);
  assert.equal(s.writable, false); // two queued, two credits: the next would have to wait
  s.enqueue(3, true); // events do not count
  assert.equal(s.writable, false);
  assert.deepEqual(drain(s), [1, 2, 3]);
  assert.equal(s.writable, false);
  s.addCredit(1);
  assert.equal(s.writable, true);
});

test('sender: events need no credit but never overtake the batches before them', () => {
  const s = new CreditSender<string>();
  s.enqueue('watermark-0', true);
  assert.deepEqual(drain(s), ['watermark-0']); // at the head, no credit needed
  s.enqueue('batch-1', false);
  s.enqueue('watermark-1', true);
  s.enqueue('end', true);
  assert.deepEqual(drain(s), []); // the events wait behind batch-1
  s.addCredit(1);
  assert.deepEqual(drain(s), ['batch-1', 'watermark-1', 'end']);
});

test('sender: credit must be a positive integer', () => {
  const s = new CreditSender<string>();
  assert.throws(() => s.addCredit(0), RangeError);
  assert.throws(() => s.addCredit(1.5), RangeError);
});

test('receiver: grants its buffers at open, one more per batch taken, none for events', () => {
  const r = new CreditReceiver<string>(2);
  assert.equal(r.takeCredit(), 2);
  assert.equal(r.takeCredit(), 0);
  r.receive('b1', false);
  r.receive('wm', true);
  r.receive('b2', false);
  assert.equal(r.buffersInUse, 2);
  assert.throws(() => r.receive('b3', false), CreditViolationError);
  r.receive('wm2', true); // events take no buffer
  assert.equal(r.poll()?.payload, 'b1');
  assert.equal(r.poll()?.payload, 'wm');
  assert.equal(r.takeCredit(), 1);
  assert.equal(r.poll()?.payload, 'b2');
  assert.equal(r.poll()?.payload, 'wm2');
  assert.equal(r.poll(), undefined);
  assert.equal(r.takeCredit(), 1);
});

test('sender and receiver: the in-flight data never exceeds the buffers', () => {
  const buffers = 3;
  const s = new CreditSender<number>();
  const r = new CreditReceiver<number>(buffers);
  s.addCredit(r.takeCredit());
  let next = 0;
  const received: number[] = [];
  for (let round = 0; round < 200; round++) {
    // A producer that writes only while writable, a consumer that takes one per round.
    while (s.writable) s.enqueue(next++, next % 5 === 0);
    for (let f = s.next(); f; f = s.next()) r.receive(f.payload, f.isEvent);
    assert.ok(r.buffersInUse <= buffers);
    assert.ok(s.queuedBuffers <= buffers);
    if (round % 3 !== 0) {
      const f = r.poll();
      if (f) received.push(f.payload);
    }
    const c = r.takeCredit();
    if (c > 0) s.addCredit(c);
  }
  for (let f = r.poll(); f; f = r.poll()) received.push(f.payload);
  assert.deepEqual(
    received,
    Array.from({ length: received.length }, (_, i) => i),
  );
  assert.ok(received.length > 100);
});

function records(from: number, n: number): RecordBatch {
  const values = Array.from({ length: n }, (_, i) => ({ id: from + i, name: `r${from + i}` }));
  return { kind: 'records', values, timestamps: values.map((v) => v.id) };
}

test('channel ends: the writer is not writable before the reader opens, nor at zero credit', () => {
  const pipe = new InMemoryPipe('a->b', { buffers: 2, automatic: false });
  assert.equal(pipe.writer.writable, false);
  pipe.deliverCredit();
  assert.equal(pipe.writer.writable, true);
  pipe.writer.push(records(0, 3));
  pipe.writer.push(records(3, 3));
  assert.equal(pipe.writer.writable, false);
  assert.equal(pipe.deliverFrames(), 2);
  assert.equal(pipe.writer.writable, false);
  let woken = 0;
  pipe.writer.onWritable = () => woken++;
  assert.deepEqual(pipe.reader.poll(), records(0, 3));
  pipe.deliverCredit();
  assert.equal(woken, 1);
  assert.equal(pipe.writer.writable, true);
  assert.deepEqual(pipe.reader.poll(), records(3, 3));
  assert.equal(pipe.reader.poll(), undefined);
});

test('channel ends: elements arrive decoded and in order, events behind their records', () => {
  const pipe = new InMemoryPipe('a->b', { buffers: 1, automatic: false });
  const sent: StreamElement[] = [
    { kind: 'watermark', timestamp: 0 },
    records(0, 4),
    { kind: 'watermark', timestamp: 3 },
    records(4, 4),
    { kind: 'barrier', checkpointId: 1, timestamp: 99, savepoint: false, aligned: true },
    records(8, 4),
    { kind: 'status', idle: true },
    { kind: 'end' },
  ];
  for (const e of sent) pipe.writer.push(e);
  const got: StreamElement[] = [];
  let data = 0;
  pipe.reader.onData = () => data++;
  // One buffer: each round moves at most one batch, plus the events right behind it.
  for (let round = 0; round < 20 && !pipe.reader.ended; round++) {
    pipe.deliverCredit();
    pipe.deliverFrames();
    assert.ok(pipe.reader.buffersInUse <= 1);
    for (let e = pipe.reader.poll(); e; e = pipe.reader.poll()) got.push(e);
  }
  assert.deepStrictEqual(got, sent);
  assert.ok(data >= 4);
  assert.equal(pipe.writer.finished, true);
  assert.throws(() => pipe.writer.push(records(0, 1)), /after end of input/);
});

test('channel ends: a slow reader bounds what the writer queues', () => {
  const pipe = new InMemoryPipe('a->b', { buffers: 4 });
  let next = 0;
  let maxQueued = 0;
  const got: number[] = [];
  for (let step = 0; step < 1000; step++) {
    if (pipe.writer.writable) {
      pipe.writer.push(records(next, 10));
      next += 10;
    }
    maxQueued = Math.max(maxQueued, pipe.writer.queuedBatches + pipe.reader.buffersInUse);
    if (step % 7 === 0) {
      const e = pipe.reader.poll();
      if (e?.kind === 'records') for (const v of e.values as { id: number }[]) got.push(v.id);
    }
  }
  assert.ok(maxQueued <= 4, `${maxQueued} batches queued`);
  assert.deepEqual(got, Array.from({ length: got.length }, (_, i) => i));
});

test('channel ends: a broken channel fails the writer at push and the reader after what arrived', () => {
  const pipe = new InMemoryPipe('a->b', { buffers: 4 });
  pipe.writer.push(records(0, 2));
  let wokenW = 0;
  let wokenR = 0;
  pipe.writer.onWritable = () => wokenW++;
  pipe.reader.onData = () => wokenR++;
  pipe.break('peer lost');
  assert.equal(wokenW, 1);
  assert.equal(wokenR, 1);
  assert.equal(pipe.writer.writable, true); // so that a blocked task runs and sees the failure
  assert.throws(() => pipe.writer.push(records(2, 1)), ChannelFailure);
  assert.equal(pipe.reader.available, true);
  assert.deepStrictEqual(pipe.reader.poll(), records(0, 2));
  assert.throws(() => pipe.reader.poll(), (e: unknown) => e instanceof ChannelFailure && /peer lost/.test(e.message));
});

test('channel ends: a failure after end of input is ignored', () => {
  const pipe = new InMemoryPipe('a->b');
  pipe.writer.push(records(0, 1));
  pipe.writer.push({ kind: 'end' });
  pipe.break('connection closed after the end');
  assert.equal(pipe.writer.failure, undefined);
  assert.equal(pipe.reader.failure, undefined);
  assert.equal(pipe.reader.poll()?.kind, 'records');
  assert.equal(pipe.reader.poll()?.kind, 'end');
  assert.equal(pipe.reader.poll(), undefined);
});
