import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RecordWriter } from '../../../../engine/runtime/network/record-writer.ts';
import { LocalChannel } from '../../../../engine/runtime/network/local-channel.ts';
import type { RecordBatch, StreamElement } from '../../../../engine/runtime/elements.ts';

const forward = { broadcast: false, select: () => 0 };

function drain(channel: LocalChannel, recycle: boolean): StreamElement[] {
  const out: StreamElement[] = [];
  for (let e = channel.poll(); e; e = channel.poll()) {
    // What a task sees: a copy of the batch as it was when polled (the arrays may be refilled later).
    out.push(e.kind === 'records' ? { kind: 'records', values: [...e.values], timestamps: [...e.timestamps] } : e);
    if (recycle && e.kind === 'records') channel.recycle(e);
  }
  return out;
}

describe('RecordWriter over a local channel', () => {
  test('cuts full batches, flushes the partial one, and keeps records and events in order', () => {
    const channel = new LocalChannel(16);
    const writer = new RecordWriter([channel], forward, 3);
    for (let i = 0; i < 7; i++) writer.collect(`r${i}`, i);
    writer.emitWatermark(6);
    writer.endOfInput();
    assert.deepEqual(drain(channel, false), [
      { kind: 'records', values: ['r0', 'r1', 'r2'], timestamps: [0, 1, 2] },
      { kind: 'records', values: ['r3', 'r4', 'r5'], timestamps: [3, 4, 5] },
      { kind: 'records', values: ['r6'], timestamps: [6] },
      { kind: 'watermark', timestamp: 6 },
      { kind: 'end' },
    ]);
  });

  test('refills the arrays of batches the consumer handed back, without mixing up records', () => {
    const channel = new LocalChannel(16);
    const writer = new RecordWriter([channel], forward, 4);
    const seen: StreamElement[] = [];
    const arrays = new Set<unknown[]>();
    for (let i = 0; i < 40; i++) {
      writer.collect(i, 1000 + i);
      if (i % 6 === 5) {
        writer.flush();
        for (let e = channel.poll(); e; e = channel.poll()) {
          if (e.kind === 'records') arrays.add(e.values);
          seen.push({ kind: 'records', values: [...(e as RecordBatch).values], timestamps: [...(e as RecordBatch).timestamps] });
          channel.recycle(e as RecordBatch);
        }
      }
    }
    writer.flush();
    seen.push(...drain(channel, true));
    const values = seen.flatMap((e) => (e as RecordBatch).values);
    const timestamps = seen.flatMap((e) => (e as RecordBatch).timestamps);
    assert.deepEqual(values, Array.from({ length: 40 }, (_, i) => i));
    assert.deepEqual(timestamps, Array.from({ length: 40 }, (_, i) => 1000 + i));
    // 40 records in batches of at most 4: at least 10 batches, from a handful of arrays.
    assert.ok(seen.length >= 10);
    assert.ok(arrays.size <= 6, `expected the arrays to be reused, saw ${arrays.size} distinct ones`);
  });
});

describe('RecordWriter and buffer debloating', () => {
  test('cuts batches at the size the consumer asks for, and says how many records fit in its credit', () => {
    const channel = new LocalChannel(4);
    const writer = new RecordWriter([channel], forward, 512);
    assert.equal(writer.room, Infinity, 'no limit before the consumer asks');
    channel.debloat(8); // 8 records in flight over 4 batches: 2 per batch
    for (let i = 0; i < 5; i++) writer.collect(i, i);
    writer.flush();
    assert.deepEqual(
      drain(channel, false).map((e) => (e.kind === 'records' ? e.values : e.kind)),
      [[0, 1], [2, 3], [4]],
    );
    assert.equal(writer.room, 8, 'an empty channel of 4 batches of 2');
    writer.collect(5, 5);
    writer.flush();
    assert.equal(writer.room, 6);
  });

  test('a consumer slower than its target gets batches of one record; a fast one full batches', () => {
    const channel = new LocalChannel(8);
    channel.debloat(1000 / 200); // 200 ms a record, 1 s of records in flight
    assert.equal(channel.batchSize, 1);
    channel.debloat(Infinity);
    assert.equal(channel.batchSize, 512);
  });
});
