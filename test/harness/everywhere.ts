/**
 * Runs one pipeline in the four configurations a bounded program must agree in: parallelism 1
 * and 3, streaming and batch (Flink's promise that batch execution gives the streaming run's
 * final answer). Used by the API tests of connect, joins and broadcast streams.
 */
import assert from 'node:assert/strict';
import { Sinks, StreamExecutionEnvironment, type CollectSink, type DataStream, type RuntimeMode } from '../../engine/index.ts';

/** Parallelism 1 and 3, streaming and batch. */
export const EVERYWHERE: readonly { parallelism: number; mode: RuntimeMode }[] = [
  { parallelism: 1, mode: 'streaming' },
  { parallelism: 3, mode: 'streaming' },
  { parallelism: 1, mode: 'batch' },
  { parallelism: 3, mode: 'batch' },
];

/**
 * Runs the stream `build` makes in every configuration of `EVERYWHERE` and checks that each run
 * collects `expected` (or `expected(parallelism)`) as a multiset: the order between subtasks is
 * not defined. `build` returns the stream to collect, or the collect sink it wrote to itself
 * (a pipeline with several outputs).
 *
 * @example
 * await assertEverywhere('map', (env) => env.fromCollection([1, 2]).map((x) => x * 2), [2, 4]);
 */
export async function assertEverywhere<T>(
  job: string,
  build: (env: StreamExecutionEnvironment) => DataStream<T> | CollectSink<T>,
  expected: T[] | ((parallelism: number) => T[]),
): Promise<void> {
  for (const config of EVERYWHERE) {
    const env = StreamExecutionEnvironment.create(config);
    const built = build(env);
    let out: CollectSink<T>;
    if ('sinkTo' in built) built.sinkTo((out = Sinks.collect<T>()));
    else out = built;
    await env.execute(`${job} p=${config.parallelism} ${config.mode}`);
    const want = typeof expected === 'function' ? expected(config.parallelism) : expected;
    const json = (xs: T[]) => xs.map((x) => JSON.stringify(x)).sort();
    assert.deepEqual(json(out.values), json(want), `parallelism ${config.parallelism}, ${config.mode}`);
  }
}
