/**
 * Session-window snapshots written before window namespaces, the merging-window set and the
 * state and timer layout changed (pinned bytes in test/fixtures/state/) still restore: the first
 * half of the input, then the restored operator on the second half, give what one uninterrupted
 * run gives. Snapshots written today restore the same way, also into two subtasks (a rescale:
 * each takes its keys' sets, windows and timers, and the namespace counter of the snapshot).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeSnapshot, encodeSnapshotAsync } from '../../../../engine/checkpoint/snapshot-format.ts';
import { keyGroupOf, keyIdOf, subtaskForKeyGroup } from '../../../../engine/state/key-groups.ts';
import { createWindowOperator } from '../../../../engine/runtime/windowing/index.ts';
import type { OperatorSnapshot } from '../../../../engine/runtime/operator.ts';
import { OneInputOperatorHarness } from '../../../harness/operator-harness.ts';
import { sessionScenarios, type Bid, type SessionScenario, type Step } from '../../../fixtures/state/session-window-scenarios.ts';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../fixtures/state');
const START = 999_000;

function apply(h: OneInputOperatorHarness, step: Step): void {
  if ('bid' in step) h.processElement(step.bid, step.bid.ts);
  else if ('watermark' in step) h.processWatermark(step.watermark);
  else h.setProcessingTime(step.processingTime);
}

/** Results as sorted JSON lines with their timestamps: timers at one time may fire in any key order. */
async function run(s: SessionScenario, steps: Step[], restoreFrom: OperatorSnapshot[] = [], startTime = START, snapshotAt?: number): Promise<string[] & { snapshot?: Uint8Array }> {
  const h = new OneInputOperatorHarness(createWindowOperator(s.spec()), { keySelector: (b: Bid) => b.bidder, startTime });
  await h.open(restoreFrom);
  let snapshot: Uint8Array | undefined;
  for (let i = 0; i < steps.length; i++) {
    if (i === snapshotAt) snapshot = await encodeSnapshotAsync(h.snapshot(3));
    apply(h, steps[i]!);
  }
  return Object.assign(h.output().map((r) => JSON.stringify([r.timestamp, r.value])), { snapshot });
}

/** The second half on `parallelism` subtasks restored from `bytes`, each fed its own keys. */
async function runRescaled(s: SessionScenario, steps: Step[], bytes: Uint8Array, parallelism: number, startTime: number): Promise<string[]> {
  const out: string[] = [];
  for (let subtask = 0; subtask < parallelism; subtask++) {
    const mine = (b: Bid) => subtaskForKeyGroup(keyGroupOf(keyIdOf(b.bidder), 128), 128, parallelism) === subtask;
    const h = new OneInputOperatorHarness(createWindowOperator(s.spec()), { keySelector: (b: Bid) => b.bidder, startTime, subtask, parallelism });
    await h.open([decodeSnapshot(bytes, { lazyKeyed: true })]);
    for (const step of steps) if (!('bid' in step) || mine(step.bid)) apply(h, step);
    out.push(...h.output().map((r) => JSON.stringify([r.timestamp, r.value])));
  }
  return out;
}

/** Processing time at the snapshot: the last move of it before. */
function timeAt(steps: Step[]): number {
  let t = START;
  for (const step of steps) if ('processingTime' in step) t = step.processingTime;
  return t;
}

for (const s of sessionScenarios) {
  test(`a ${s.name} snapshot written before the state layout changed restores`, async () => {
    const bytes = readFileSync(path.join(fixtures, `${s.name}.state`));
    const first = s.steps.slice(0, s.snapshotAfter);
    const rest = s.steps.slice(s.snapshotAfter);
    const whole = [...(await run(s, s.steps))].sort();
    const before = await run(s, first);
    const after = await run(s, rest, [decodeSnapshot(bytes, { lazyKeyed: true, label: `${s.name}.state` })], timeAt(first));
    assert.ok(before.length > 0 && after.length > 0, 'results on both sides of the snapshot');
    assert.deepEqual([...before, ...after].sort(), whole);
    // Without the snapshot the second half gives something else: the test sees a restore that loses state.
    const fresh = await run(s, rest, [], timeAt(first));
    assert.notDeepEqual([...before, ...fresh].sort(), whole);
  });
}

for (const s of sessionScenarios) {
  test(`a ${s.name} snapshot written today restores, also into two subtasks`, async () => {
    const first = s.steps.slice(0, s.snapshotAfter);
    const rest = s.steps.slice(s.snapshotAfter);
    const whole = await run(s, s.steps, [], START, s.snapshotAfter);
    const before = await run(s, first);
    for (const parallelism of [1, 2]) {
      const after = await runRescaled(s, rest, whole.snapshot!, parallelism, timeAt(first));
      assert.deepEqual([...before, ...after].sort(), [...whole].sort(), `restored at parallelism ${parallelism}`);
    }
  });
}
