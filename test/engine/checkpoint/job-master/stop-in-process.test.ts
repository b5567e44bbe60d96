/**
 * Stop-with-savepoint of a job run in this process (the JobMaster with the in-process deployer),
 * with an exactly-once JSONL sink: after the stop nothing is uncommitted; without drain the
 * windows still open stay in the savepoint and a resumed run completes the output exactly; with
 * drain every window fires into the savepoint first. Expected windows are computed from the
 * source's definition, not by the engine.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { StreamExecutionEnvironment, WatermarkStrategy, TumblingEventTimeWindows, Sinks, type Source, type SourceReader } from '../../../../engine/api/index.ts';
import { startInProcess } from '../../../../engine/checkpoint/checkpointing-executor.ts';
import { MemoryCheckpointStorage } from '../../../../engine/checkpoint/memory-storage.ts';
import { registerNodeConnectors } from '../../../../engine/connectors/register.ts';
import { committedLines, uncommittedParts } from '../../../harness/jsonl-output.ts';
import { until } from '../../../harness/until.ts';

registerNodeConnectors();

const EVENTS = 3_000;
interface Ev {
  key: string;
  ts: number;
  v: number;
}
const event = (i: number): Ev => ({ key: `k${i % 7}`, ts: i * 10, v: i % 13 });

/** The windows an uninterrupted run writes: 1 s tumbling sums per key. */
function expectedWindows(): string[] {
  const sums = new Map<string, { key: string; start: number; sum: number }>();
  for (let i = 0; i < EVENTS; i++) {
    const e = event(i);
    const start = Math.floor(e.ts / 1000) * 1000;
    const w = sums.get(`${e.key}@${start}`) ?? { key: e.key, start, sum: 0 };
    w.sum += e.v;
    sums.set(`${e.key}@${start}`, w);
  }
  return [...sums.values()].map((w) => JSON.stringify(w)).sort();
}

/** EVENTS events, 500 per poll; with `hold` it stays open after the last one instead of ending. */
function events(hold: boolean): Source<Ev> {
  return {
    name: 'Events',
    boundedness: 'bounded',
    parallel: false,
    createReader(): SourceReader<Ev> {
      let next = 0;
      return {
        pollNext(out, max) {
          if (next >= EVENTS) return hold ? new Promise<void>(() => {}) : 'end';
          for (let k = 0; k < Math.min(max, 500) && next < EVENTS; k++) out.collect(event(next++));
          return next >= EVENTS && !hold ? 'end' : new Promise<void>((resolve) => setTimeout(resolve, 2));
        },
        snapshotPosition: () => next,
        restorePosition: (p) => {
          next = p as number;
        },
      };
    },
  };
}

function job(out: string, hold: boolean) {
  const env = StreamExecutionEnvironment.create({ mode: 'streaming', parallelism: 2 });
  env.enableCheckpointing(50);
  env
    .fromSource(events(hold))
    .uid('events')
    .assignTimestampsAndWatermarks(WatermarkStrategy.forBoundedOutOfOrderness<Ev>(20).withTimestampAssigner((e) => e.ts))
    .uid('timestamps')
    .keyBy((e) => e.key)
    .window(TumblingEventTimeWindows.of(1_000))
    .reduce((a, b) => ({ ...a, v: a.v + b.v }), (key, w, r) => ({ key, start: w.start, sum: r.v }))
    .uid('windows')
    .sinkTo(Sinks.jsonl(out, { semantics: 'exactly-once' }))
    .uid('sink');
  return env.buildJob('stop in process');
}

describe('stop with savepoint in process', () => {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'weir-stop-in-process-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  /** Runs the held job until its source has emitted everything, then stops it; returns the savepoint. */
  async function runAndStop(out: string, storage: MemoryCheckpointStorage, drain: boolean): Promise<string> {
    const client = startInProcess(job(out, true), { storage });
    const source = () => client.metrics().find((o) => o.uid === 'events')?.recordsOut ?? 0;
    await until('the source to emit every event', () => (source() >= EVENTS ? true : undefined), 60_000);
    const savepoint = await client.stopWithSavepoint!({ drain });
    assert.equal((await client.result).report.status, 'FINISHED');
    assert.deepEqual(uncommittedParts(out), [], 'every transaction of the savepoint was committed');
    return savepoint;
  }

  it('without drain: open windows stay in the savepoint; the resumed run completes the output exactly', async () => {
    const out = path.join(scratch, 'no-drain/');
    const storage = new MemoryCheckpointStorage('stop in process');
    const savepoint = await runAndStop(out, storage, false);
    const expected = expectedWindows();
    assert.ok(committedLines(out).length < expected.length, 'the last windows had not fired at the stop');
    const resumed = startInProcess(job(out, false), { storage, restoreFrom: savepoint });
    assert.equal((await resumed.result).report.status, 'FINISHED');
    assert.deepEqual(committedLines(out), expected);
    assert.deepEqual(uncommittedParts(out), []);
  });

  it('with drain: event time goes to the end before the savepoint, so every window fires and is committed', async () => {
    const out = path.join(scratch, 'drain/');
    await runAndStop(out, new MemoryCheckpointStorage('stop in process'), true);
    assert.deepEqual(committedLines(out), expectedWindows());
  });
});
