/**
 * The replay registry scopes controls by job run and subtask: two jobs with a source of the
 * same name do not reach each other's readers, a source's subtasks are controlled together and
 * their progress is combined, and the notebook-facing `get(name)` picks the latest started job.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { combineReplayProgress, replayControls, type ReplayControl, type ReplayProgress, type ReplaySpeed } from '../../../engine/runtime/replay-control.ts';
import { applyReplayAction, combineByName, localReplayProgress } from '../../../engine/runtime/job-replays.ts';

/** A reader's control that records what was asked of it and reports set figures. */
class FakeReplay implements ReplayControl {
  paused = false;
  speed: ReplaySpeed = 1;
  seeks: number[] = [];
  figures: Partial<ReplayProgress> = {};

  constructor(readonly name: string) {}

  pause(): void {
    this.paused = true;
  }
  resume(): void {
    this.paused = false;
  }
  setSpeed(speed: ReplaySpeed): void {
    this.speed = speed;
  }
  seek(eventTime: number): void {
    this.seeks.push(eventTime);
  }
  progress(): ReplayProgress {
    return {
      name: this.name,
      state: this.paused ? 'paused' : 'playing',
      speed: this.speed,
      eventTime: null,
      startTime: null,
      endTime: null,
      percent: 0,
      rowsEmitted: 0,
      totalRows: 0,
      ...this.figures,
    };
  }
}

const registered: (() => void)[] = [];
function register(control: FakeReplay, job: string, subtask = 0): () => void {
  const unregister = replayControls.register(control, { job, subtask });
  registered.push(unregister);
  return unregister;
}
afterEach(() => {
  for (const u of registered.splice(0)) u();
});

describe('replay registry', () => {
  it('keeps two jobs with a replay of the same name apart', () => {
    const first = new FakeReplay('Replay');
    const second = new FakeReplay('Replay');
    register(first, 'job-a');
    const unregisterSecond = register(second, 'job-b');

    replayControls.ofJob('job-a', 'Replay')!.pause();
    assert.equal(first.paused, true);
    assert.equal(second.paused, false, "job-a's pause does not reach job-b");
    replayControls.ofJob('job-b', 'Replay')!.seek(5000);
    assert.deepEqual(first.seeks, []);
    assert.deepEqual(second.seeks, [5000]);

    assert.equal(replayControls.list().filter((c) => c.name === 'Replay').length, 2, 'one entry per job');
    // get(name): the most recently started job's replay.
    replayControls.get('Replay')!.setSpeed(600);
    assert.equal(second.speed, 600);
    assert.equal(first.speed, 1);
    unregisterSecond();
    replayControls.get('Replay')!.setSpeed(60);
    assert.equal(first.speed, 60, 'once job-b ends, get() finds job-a');
    assert.equal(replayControls.ofJob('job-b', 'Replay'), undefined);
  });

  it('fans controls out to every subtask of a source and combines their progress', () => {
    const s0 = new FakeReplay('trips');
    const s1 = new FakeReplay('trips');
    const other = new FakeReplay('trips');
    const unregister0 = register(s0, 'job-a', 0);
    const unregister1 = register(s1, 'job-a', 1);
    register(other, 'job-b', 0);
    s0.figures = { eventTime: 4000, startTime: 1000, endTime: 9000, rowsEmitted: 30, totalRows: 100 };
    s1.figures = { eventTime: 3000, startTime: 2000, endTime: 11000, rowsEmitted: 20, totalRows: 80 };

    const control = replayControls.ofJob('job-a', 'trips')!;
    control.pause();
    control.setSpeed('max');
    control.seek(7000);
    for (const s of [s0, s1]) {
      assert.equal(s.paused, true);
      assert.equal(s.speed, 'max');
      assert.deepEqual(s.seeks, [7000]);
    }
    assert.equal(other.paused, false);

    s1.resume();
    const p = control.progress();
    assert.equal(p.state, 'playing', 'playing when any subtask plays');
    assert.equal(p.rowsEmitted, 50);
    assert.equal(p.totalRows, 180);
    assert.equal(p.eventTime, 3000, 'the minimum over the subtasks');
    assert.equal(p.startTime, 1000);
    assert.equal(p.endTime, 11000);
    assert.equal(p.percent, 20);
    assert.deepEqual(localReplayProgress('job-a', ['trips']), [p]);

    // A finished subtask no longer holds the event time back.
    s1.figures = { ...s1.figures, state: 'finished', eventTime: 11000, rowsEmitted: 80 };
    assert.equal(control.progress().eventTime, 4000);

    // Both end: the control you hold still reports the final figures.
    s0.figures = { ...s0.figures, state: 'finished', eventTime: 9000, rowsEmitted: 100 };
    unregister0();
    assert.ok(replayControls.ofJob('job-a', 'trips'), 'listed while a subtask still runs');
    unregister1();
    assert.equal(replayControls.ofJob('job-a', 'trips'), undefined, 'gone when the last subtask ends');
    const done = control.progress();
    assert.equal(done.state, 'finished');
    assert.equal(done.percent, 100);
    assert.equal(done.rowsEmitted, 180);
    assert.equal(done.eventTime, 11000, 'all finished: the latest event time reached');
  });

  it('a new reader of the same subtask (a restart) takes over from the old one', () => {
    const old = new FakeReplay('r');
    const restarted = new FakeReplay('r');
    const unregisterOld = register(old, 'job-a', 0);
    register(restarted, 'job-a', 0);
    unregisterOld();
    const control = replayControls.ofJob('job-a', 'r');
    assert.ok(control, "the old reader's end does not drop the new one");
    control.pause();
    assert.equal(restarted.paused, true);
    assert.equal(old.paused, false);
  });

  it('answers the job-control API only for the job run and names asked about', () => {
    const mine = new FakeReplay('hour');
    const theirs = new FakeReplay('hour');
    register(mine, 'job-a');
    register(theirs, 'job-b');
    assert.equal(applyReplayAction('job-a', ['hour'], 'hour', { pause: true }), true);
    assert.equal(mine.paused, true);
    assert.equal(theirs.paused, false);
    assert.equal(applyReplayAction('job-a', ['other'], 'hour', { pause: true }), false, 'not one of the job\'s replays');
    assert.equal(applyReplayAction('job-c', ['hour'], 'hour', { pause: true }), false, 'the job runs no reader here');
    assert.throws(() => applyReplayAction('job-a', ['hour'], 'hour', { speed: -1 }), /replay 'hour': speed must be a number > 0 or 'max', got -1/);
    assert.deepEqual(
      localReplayProgress('job-b', ['hour']).map((p) => p.state),
      ['playing'],
    );
  });
});

describe('combineReplayProgress', () => {
  const part = (p: Partial<ReplayProgress>): ReplayProgress => ({
    name: 'r', state: 'playing', speed: 60, eventTime: null, startTime: null, endTime: null, percent: 0, rowsEmitted: 0, totalRows: 0, ...p,
  });

  it('is the part itself for one subtask', () => {
    const only = part({ state: 'paused', eventTime: 5, startTime: 0, endTime: 10, percent: 50, rowsEmitted: 3, totalRows: 6 });
    assert.deepEqual(combineReplayProgress([only]), only);
  });

  it('reports starting, paused and finished by the most active subtask', () => {
    assert.equal(combineReplayProgress([part({ state: 'paused' }), part({ state: 'starting' })]).state, 'starting');
    assert.equal(combineReplayProgress([part({ state: 'paused' }), part({ state: 'finished' })]).state, 'paused');
    const empty = combineReplayProgress([part({ state: 'finished' }), part({ state: 'finished' })]);
    assert.deepEqual([empty.state, empty.percent, empty.eventTime, empty.startTime], ['finished', 100, null, null], 'no rows anywhere');
  });

  it('combines per name what several taskmanagers report', () => {
    const merged = combineByName([part({ name: 'a', rowsEmitted: 1 }), part({ name: 'b', rowsEmitted: 5 }), part({ name: 'a', rowsEmitted: 2 })]);
    assert.deepEqual(merged.map((p) => [p.name, p.rowsEmitted]), [['a', 3], ['b', 5]]);
  });

  it('names the mistake when there is nothing to combine', () => {
    assert.throws(() => combineReplayProgress([]), /combineReplayProgress: no progress to combine/);
  });
});
