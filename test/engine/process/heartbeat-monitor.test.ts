/**
 * The jobmanager's heartbeat judgement (engine/process/jobmanager/heartbeat-monitor.ts): a
 * starved or blocked taskmanager is slow, not lost; one whose main thread burns CPU without
 * answering is a runaway; the jobmanager's own late checks do not count against taskmanagers.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_HEARTBEAT_SETTINGS, HeartbeatClock, TaskManagerHeartbeat, type HeartbeatVerdict } from '../../../engine/process/jobmanager/heartbeat-monitor.ts';
import { mainThreadCpuMs } from '../../../engine/process/jobmanager/thread-cpu.ts';

const settings = { intervalMs: 500, timeoutMs: 10_000, runawayCpuMs: 3_000 };

/** Runs checks every `stepMs` of wall time for `forMs`, the main thread's CPU growing by `cpuShare` of it; the first verdict, or undefined. */
function simulate(hb: TaskManagerHeartbeat, clock: HeartbeatClock, from: number, stepMs: number, forMs: number, cpuShare: number): { verdict?: HeartbeatVerdict; at: number } {
  let cpu = 0;
  hb.requested(cpu);
  for (let t = from + stepMs; t <= from + forMs; t += stepMs) {
    cpu += stepMs * cpuShare;
    const verdict = hb.check(clock.tick(t), cpu, t);
    if (verdict) return { verdict, at: t - from };
  }
  return { at: forMs };
}

describe('heartbeat monitor', () => {
  it('a main thread starved on a loaded machine (5% of a core, no answer for 9 s) is not lost', () => {
    const hb = new TaskManagerHeartbeat(settings, 0);
    const { verdict } = simulate(hb, new HeartbeatClock(500, 0), 0, 500, 9_000, 0.05);
    assert.equal(verdict, undefined);
  });

  it('a main thread spinning without answering is a runaway once it used the CPU limit, confirmed on the next check', () => {
    const hb = new TaskManagerHeartbeat(settings, 0);
    const { verdict, at } = simulate(hb, new HeartbeatClock(500, 0), 0, 500, 9_000, 1);
    assert.equal(verdict?.kind, 'runaway');
    assert.ok(verdict.cpuMs > 3_000);
    assert.equal(at, 4_000, 'over 3 s at 3.5 s, confirmed at 4 s');
  });

  it('a spinning thread on a loaded machine is found later, by the same CPU, not by the wall clock', () => {
    const hb = new TaskManagerHeartbeat(settings, 0);
    const { verdict, at } = simulate(hb, new HeartbeatClock(500, 0), 0, 500, 60_000, 0.5);
    assert.equal(verdict?.kind, 'runaway');
    assert.equal(at, 7_000);
  });

  it('an answer resets the CPU and the silence counted', () => {
    const hb = new TaskManagerHeartbeat(settings, 0);
    const clock = new HeartbeatClock(500, 0);
    hb.requested(0);
    assert.equal(hb.check(clock.tick(500), 2_900, 500), undefined);
    hb.answered(600);
    assert.ok(hb.idle);
    hb.requested(2_900);
    assert.equal(hb.check(clock.tick(1_000), 3_300, 1_000), undefined);
    assert.equal(hb.check(clock.tick(1_500), 3_800, 1_500), undefined, 'the CPU before the answer does not count');
  });

  it('a silent taskmanager that uses no CPU (blocked, stopped) is lost after the timeout of on-time checks', () => {
    const hb = new TaskManagerHeartbeat(settings, 0);
    const { verdict, at } = simulate(hb, new HeartbeatClock(500, 0), 0, 500, 60_000, 0);
    assert.equal(verdict?.kind, 'silent');
    assert.equal(at, 10_500);
  });

  it("the jobmanager's own late checks count as at most two intervals: 60 s of wall time in 5 late checks is not a timeout", () => {
    const hb = new TaskManagerHeartbeat(settings, 0);
    const { verdict } = simulate(hb, new HeartbeatClock(500, 0), 0, 12_000, 60_000, 0);
    assert.equal(verdict, undefined);
  });

  it('without CPU figures (not Linux) only the timeout judges', () => {
    const hb = new TaskManagerHeartbeat(settings, 0);
    const clock = new HeartbeatClock(500, 0);
    hb.requested(undefined);
    let verdict: HeartbeatVerdict | undefined;
    let t = 0;
    while (!verdict) verdict = hb.check(clock.tick((t += 500)), undefined, t);
    assert.equal(verdict.kind, 'silent');
    assert.equal(t, 10_500);
  });

  it("Weir's defaults are Flink's heartbeat timeout and a runaway of a few seconds of CPU", () => {
    assert.equal(DEFAULT_HEARTBEAT_SETTINGS.timeoutMs, 50_000);
    assert.ok(DEFAULT_HEARTBEAT_SETTINGS.runawayCpuMs >= 3_000 && DEFAULT_HEARTBEAT_SETTINGS.runawayCpuMs <= 5_000);
  });

  it("reads this process's main-thread CPU on Linux, growing while it computes", { skip: process.platform !== 'linux' }, () => {
    const before = mainThreadCpuMs(process.pid)!;
    assert.ok(before >= 0);
    const start = mainThreadCpuMs(process.pid)!;
    let x = 0;
    while (mainThreadCpuMs(process.pid)! < start + 50) x++;
    assert.ok(x > 0 && mainThreadCpuMs(process.pid)! >= before + 50);
    assert.equal(mainThreadCpuMs(-1), undefined);
  });
});
