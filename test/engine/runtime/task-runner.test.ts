/**
 * The runner's time accounting: time a task spends waiting for credit counts as back-pressure,
 * also while the runner sleeps (the credit that ends the sleep makes the task writable again,
 * so the runner must remember that it was blocked, not look afterwards).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StreamExecutionEnvironment } from '../../../engine/index.ts';
import { deploy, type ChannelId } from '../../../engine/runtime/deployment.ts';
import { TaskRunner } from '../../../engine/runtime/task-runner.ts';
import { SYSTEM_CLOCK } from '../../../engine/runtime/processing-time.ts';
import { LocalChannel, type ChannelReader, type ChannelWriter } from '../../../engine/runtime/network/local-channel.ts';
import type { StreamElement } from '../../../engine/runtime/elements.ts';

/** A channel whose consumer grants one batch of credit every `creditMs`, as a slow remote consumer would. */
class SlowCreditChannel implements ChannelWriter, ChannelReader {
  private readonly queue = new LocalChannel(1_000_000);
  private credit = 1;
  constructor(
    private readonly creditMs: number,
    private readonly wake: () => void,
  ) {}
  get writable(): boolean {
    return this.credit > 0;
  }
  push(element: StreamElement): void {
    if (element.kind === 'records' && --this.credit === 0) {
      setTimeout(() => {
        this.credit = 1;
        this.wake();
      }, this.creditMs);
    }
    this.queue.push(element);
  }
  poll(): StreamElement | undefined {
    return this.queue.poll();
  }
  get available(): boolean {
    return this.queue.available;
  }
}

test('a source waiting for credit is reported back-pressured, not idle', async () => {
  const env = StreamExecutionEnvironment.create({ parallelism: 1 });
  let received = 0;
  env
    .fromSequence(1, 20 * 512)
    .disableChaining()
    .map((x) => x)
    .sinkTo({ invoke: () => void received++ });
  const job = env.buildJob('credit');
  let wake = () => {};
  const channels = new Map<string, SlowCreditChannel>();
  const channel = (id: ChannelId) => {
    const key = `${id.edge}:${id.producer}:${id.consumer}`;
    let c = channels.get(key);
    if (!c) channels.set(key, (c = new SlowCreditChannel(5, () => wake())));
    return c;
  };
  const deployment = deploy(job, { clock: SYSTEM_CLOCK, print: () => {}, channels: { writer: channel, reader: channel }, wake: () => wake() });
  const runner = new TaskRunner(deployment.tasks, SYSTEM_CLOCK);
  wake = runner.wake;
  await runner.run();
  for (const t of deployment.tasks) assert.deepEqual(t.close(), []);
  assert.equal(received, 20 * 512);
  const source = deployment.tasks.findIndex((t) => t.name.startsWith('Source'));
  assert.ok(source >= 0);
  const { busyMs, backPressuredMs, idleMs } = runner;
  // About 20 waits of 5 ms for credit; the source does next to nothing else.
  assert.ok(backPressuredMs[source]! >= 50, `back-pressured ${backPressuredMs[source]!.toFixed(1)} ms`);
  assert.ok(backPressuredMs[source]! > 4 * idleMs[source]!, `back-pressured ${backPressuredMs[source]!.toFixed(1)} ms, idle ${idleMs[source]!.toFixed(1)} ms, busy ${busyMs[source]!.toFixed(1)} ms`);
});
