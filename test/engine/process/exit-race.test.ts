/**
 * Racing calls against a worker's exit must not keep the calls' results: the cluster client
 * polls a job's status every 50 ms for as long as the job runs. Counted in objects still
 * reachable after a full garbage collection, not in bytes over time.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import { ExitRace } from '../../../engine/process/exit-race.ts';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** Races `n` calls, each answering a fresh object, with `race`; resolves with how many of the first n - 1 answers are still reachable after GC. */
async function reachableAnswers(n: number, race: (call: Promise<object>) => Promise<object>): Promise<number> {
  const answers: WeakRef<object>[] = [];
  for (let i = 0; i < n; i++) {
    const answer = { status: 'RUNNING', checkpoints: new Array(10).fill(i) };
    answers.push(new WeakRef(answer));
    await race(Promise.resolve(answer));
  }
  // WeakRefs are cleared by a full GC only after the task that read them has ended.
  await new Promise((r) => setImmediate(r));
  gc();
  gc();
  // The last answer may still be held by this function's own frame; the others may not.
  return answers.slice(0, -1).filter((a) => a.deref() !== undefined).length;
}

describe('racing calls against a process exit', () => {
  it('keeps none of the answers of calls that settled while the process lived', async () => {
    const never = new Promise<string>(() => {});
    const exit = new ExitRace(never);
    const died = (how: string) => new Error(`the jobmanager ${how}`);
    assert.equal(await reachableAnswers(1000, (call) => exit.race(call, died)), 0);
    assert.equal(exit.pending, 0, 'no waiter is left behind');
  });

  it('(the cause it replaces) Promise.race against a pending exit keeps every answer', async () => {
    const never = new Promise<string>(() => {});
    const exited = never.then((how) => {
      throw new Error(how);
    });
    exited.catch(() => {});
    const kept = await reachableAnswers(200, (call) => Promise.race([call, exited]));
    assert.equal(kept, 199);
  });

  it('rejects a call waiting when the process exits, and any later call at once', async () => {
    let exit!: (how: string) => void;
    const race = new ExitRace(new Promise<string>((r) => (exit = r)));
    const waiting = race.race(new Promise(() => {}), (how) => new Error(`the jobmanager ${how}`));
    assert.equal(race.pending, 1);
    exit('was killed by SIGKILL');
    await assert.rejects(waiting, /the jobmanager was killed by SIGKILL/);
    assert.equal(race.pending, 0);
    await assert.rejects(
      race.race(Promise.resolve(1), (how) => new Error(`gone: ${how}`)),
      /gone: was killed by SIGKILL/,
    );
  });

  it('passes a call’s own failure through', async () => {
    const race = new ExitRace(new Promise<string>(() => {}));
    await assert.rejects(
      race.race(Promise.reject(new Error('Unknown job job-9')), () => new Error('died')),
      /Unknown job job-9/,
    );
    assert.equal(race.pending, 0);
  });
});
