import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StreamExecutionEnvironment, CheckpointConfig, RestartStrategies, InvalidPipelineError } from '../../../engine/api/index.ts';
import { DEFAULT_CHECKPOINT_CONFIG } from '../../../engine/checkpoint/types.ts';

function env() {
  const e = StreamExecutionEnvironment.create({ parallelism: 1 });
  e.fromElements(1, 2, 3).print();
  return e;
}

test('defaults: checkpointing off with Flink\'s settings, and no restarts', () => {
  const e = env();
  const config = e.getCheckpointConfig();
  assert.ok(config instanceof CheckpointConfig);
  assert.equal(config.isCheckpointingEnabled(), false);
  assert.equal(config.getCheckpointInterval(), 0);
  assert.equal(config.getCheckpointingMode(), 'exactly-once');
  assert.equal(config.getCheckpointTimeout(), 600_000);
  assert.equal(config.getMinPauseBetweenCheckpoints(), 0);
  assert.equal(config.getMaxConcurrentCheckpoints(), 1);
  assert.equal(config.getTolerableCheckpointFailureNumber(), 0);
  assert.equal(config.getExternalizedCheckpointCleanup(), 'DELETE_ON_CANCELLATION');
  assert.equal(config.getNumRetainedCheckpoints(), 1);
  const graph = e.getStreamGraph('j');
  assert.deepStrictEqual(graph.checkpointing, DEFAULT_CHECKPOINT_CONFIG);
  assert.deepStrictEqual(graph.restartStrategy, { kind: 'none' });
});

test('enableCheckpointing turns it on, with a mode; the default restart strategy becomes fixed delay', () => {
  const e = env();
  assert.equal(e.enableCheckpointing(5000), e);
  assert.equal(e.getCheckpointConfig().isCheckpointingEnabled(), true);
  assert.equal(e.getCheckpointConfig().getCheckpointInterval(), 5000);
  e.enableCheckpointing(1000, 'at-least-once');
  assert.equal(e.getCheckpointConfig().getCheckpointingMode(), 'at-least-once');
  const graph = e.getStreamGraph('j');
  assert.equal(graph.checkpointing?.intervalMs, 1000);
  assert.equal(graph.checkpointing?.mode, 'at-least-once');
  assert.deepStrictEqual(graph.restartStrategy, { kind: 'fixed-delay', attempts: Number.MAX_SAFE_INTEGER, delayMs: 1000 });
  e.getCheckpointConfig().disableCheckpointing();
  assert.deepStrictEqual(e.getStreamGraph('j').restartStrategy, { kind: 'none' });
});

test('setters chain, and the plan carries every setting as plain data', () => {
  const e = env();
  e.enableCheckpointing(10_000)
    .getCheckpointConfig()
    .setCheckpointInterval(20_000)
    .setCheckpointingMode('exactly-once')
    .setCheckpointTimeout(60_000)
    .setMinPauseBetweenCheckpoints(5000)
    .setMaxConcurrentCheckpoints(2)
    .setTolerableCheckpointFailureNumber(3)
    .setExternalizedCheckpointCleanup('RETAIN_ON_CANCELLATION')
    .setNumRetainedCheckpoints(4);
  e.setRestartStrategy(RestartStrategies.failureRate(3, 60_000, 2000));
  const graph = e.getStreamGraph('j');
  const expected = {
    intervalMs: 20_000,
    mode: 'exactly-once',
    timeoutMs: 60_000,
    minPauseMs: 5000,
    maxConcurrent: 2,
    retained: 4,
    retainOnCancel: true,
    tolerableFailures: 3,
  };
  assert.deepStrictEqual(graph.checkpointing, expected);
  assert.deepStrictEqual(graph.restartStrategy, { kind: 'failure-rate', maxFailures: 3, intervalMs: 60_000, delayMs: 2000 });
  assert.deepStrictEqual(JSON.parse(JSON.stringify(graph)).checkpointing, expected);
  // The job's definition (what execute() runs) carries the same plan.
  assert.deepStrictEqual(e.buildJob('j').graph.checkpointing, expected);
  assert.equal(e.getCheckpointConfig().getExternalizedCheckpointCleanup(), 'RETAIN_ON_CANCELLATION');
  // toSpec is a copy: the plan does not change with later settings.
  e.getCheckpointConfig().setNumRetainedCheckpoints(9);
  assert.equal(graph.checkpointing?.retained, 4);
});

test('a restart strategy set without checkpointing is kept; none is explicit', () => {
  const e = env();
  e.setRestartStrategy(RestartStrategies.fixedDelay(2, 10));
  assert.deepStrictEqual(e.getStreamGraph('j').restartStrategy, { kind: 'fixed-delay', attempts: 2, delayMs: 10 });
  e.enableCheckpointing(1000).setRestartStrategy(RestartStrategies.noRestart());
  assert.deepStrictEqual(e.getStreamGraph('j').restartStrategy, { kind: 'none' });
});

test('validation errors name the setting and the bad value', () => {
  const c = env().getCheckpointConfig();
  const cases: [() => unknown, RegExp][] = [
    [() => c.setCheckpointInterval(5), /setCheckpointInterval: the interval must be a number of ms ≥ 10, got 5/],
    [() => c.setCheckpointInterval(NaN), /setCheckpointInterval: .* got NaN/],
    [() => c.setCheckpointingMode('EXACTLY_ONCE' as never), /setCheckpointingMode: unknown mode 'EXACTLY_ONCE': use 'exactly-once' or 'at-least-once'/],
    [() => c.setCheckpointTimeout(0), /setCheckpointTimeout: the timeout must be a number of ms ≥ 10, got 0/],
    [() => c.setMinPauseBetweenCheckpoints(-1), /setMinPauseBetweenCheckpoints: the pause must be a number of ms ≥ 0, got -1/],
    [() => c.setMaxConcurrentCheckpoints(0), /setMaxConcurrentCheckpoints: .* must be an integer ≥ 1, got 0/],
    [() => c.setMaxConcurrentCheckpoints(1.5), /setMaxConcurrentCheckpoints: .* got 1.5/],
    [() => c.setTolerableCheckpointFailureNumber(-1), /setTolerableCheckpointFailureNumber: .* ≥ 0, got -1/],
    [() => c.setExternalizedCheckpointCleanup('RETAIN' as never), /setExternalizedCheckpointCleanup: unknown cleanup 'RETAIN'/],
    [() => c.setNumRetainedCheckpoints(0), /setNumRetainedCheckpoints: the number of retained checkpoints must be an integer ≥ 1, got 0/],
  ];
  for (const [fn, message] of cases) {
    assert.throws(fn, (e: Error) => e instanceof InvalidPipelineError && message.test(e.message) && e.message.startsWith('CheckpointConfig.'), String(message));
  }
  assert.throws(() => env().enableCheckpointing(0), /CheckpointConfig.setCheckpointInterval: the interval must be a number of ms ≥ 10, got 0/);
  const e = env();
  assert.throws(() => e.enableCheckpointing(1000, 'sometimes' as never), /unknown mode 'sometimes'/);
  assert.throws(() => e.enableCheckpointing(1, 'at-least-once'), /got 1/);
  assert.equal(e.getCheckpointConfig().isCheckpointingEnabled(), false);
  assert.equal(e.getCheckpointConfig().getCheckpointingMode(), 'exactly-once');
  assert.throws(() => env().setRestartStrategy({ kind: 'fixed-delay', attempts: -2, delayMs: 0 }), /setRestartStrategy: fixed-delay attempts must be an integer ≥ 0, got -2/);
  // A failed setter leaves the setting as it was.
  assert.equal(c.getCheckpointInterval(), 0);
  assert.equal(c.getNumRetainedCheckpoints(), 1);
});
