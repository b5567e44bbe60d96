/**
 * Batch execution mode and watermarks a source emits itself (Flink's `SourceOperator` in BATCH
 * mode: every watermark from the reader is discarded and one final watermark ends the input, so
 * no record is late). The same job in streaming mode shows the watermark at work.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OutputTag, Sinks, StreamExecutionEnvironment, TumblingEventTimeWindows, type Source, type SourceOutput } from '../../../engine/index.ts';

type Step = { value: string; ts: number } | { watermark: number } | { idle: boolean };

/** A bounded source that emits the given records, watermarks and idleness, in order. */
function scripted(steps: Step[]): Source<string> {
  return {
    name: 'scripted',
    boundedness: 'bounded',
    parallel: false,
    createReader: () => {
      let i = 0;
      return {
        pollNext(out: SourceOutput<string>) {
          if (i >= steps.length) return 'end';
          const s = steps[i++]!;
          if ('value' in s) out.collect(s.value, s.ts);
          else if ('watermark' in s) out.emitWatermark(s.watermark);
          else out.markIdle(s.idle);
          return 'more';
        },
        snapshotPosition: () => i,
        restorePosition: (p: unknown) => void (i = p as number),
      };
    },
  };
}

async function run(mode: 'streaming' | 'batch', steps: Step[], allowedLateness = 0) {
  const env = StreamExecutionEnvironment.create({ mode, parallelism: 1 });
  const late = new OutputTag<string>('late');
  const counts = Sinks.collect<string>();
  const lateOut = Sinks.collect<string>();
  const windowed = env
    .fromSource(scripted(steps))
    .keyBy(() => 'k')
    .window(TumblingEventTimeWindows.of(1000))
    .allowedLateness(allowedLateness)
    .sideOutputLateData(late)
    .process<string>((_k, ctx, els, out) => out.collect(`${ctx.window.start}:${[...els].sort().join(',')}`));
  windowed.sinkTo(counts);
  windowed.getSideOutput(late).sinkTo(lateOut);
  await env.execute(`source watermarks (${mode})`);
  return { fired: counts.values, late: lateOut.values };
}

const steps: Step[] = [
  { value: 'a', ts: 100 },
  { value: 'b', ts: 1500 },
  { watermark: 5000 },
  { value: 'c', ts: 200 }, // behind the watermark
  { idle: true },
  { value: 'd', ts: 1200 },
];

test('streaming: a watermark the source emits makes records behind it late', async () => {
  const r = await run('streaming', steps);
  assert.deepEqual(r.fired, ['0:a', '1000:b']);
  assert.deepEqual(r.late, ['c', 'd']);
});

test('batch: watermarks and idleness the source emits are discarded; the final watermark fires every window once', async () => {
  const r = await run('batch', steps);
  assert.deepEqual(r.fired, ['0:a,c', '1000:b,d']);
  assert.deepEqual(r.late, []);
});

test('batch: allowed lateness changes nothing, as nothing is late', async () => {
  const r = await run('batch', steps, 10_000);
  assert.deepEqual(r.fired, ['0:a,c', '1000:b,d']);
  assert.deepEqual(r.late, []);
});
