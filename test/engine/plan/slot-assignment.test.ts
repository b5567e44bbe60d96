/**
 * Slot sharing groups, startNewChain and disableOperatorChaining: what the plan records, how
 * chains form, and where the scheduler puts each subtask (engine/plan/slot-assignment.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StreamExecutionEnvironment, Sinks, InvalidPipelineError } from '../../../engine/index.ts';
import { buildJobGraph } from '../../../engine/plan/chaining.ts';
import { assignSubtasks, requiredSlots, slotsUsedOn } from '../../../engine/plan/slot-assignment.ts';

const chainsOf = (env: StreamExecutionEnvironment) =>
  buildJobGraph(env.getStreamGraph('job')).chains.map((c) => c.vertices.map((v) => v.name.replace(/^(Source: |Sink: )/, '')).join(' -> '));

function pipeline(configure: (env: StreamExecutionEnvironment) => void = () => {}) {
  const env = StreamExecutionEnvironment.create({ parallelism: 2 });
  configure(env);
  return env;
}

test('startNewChain begins a chain: the operator leaves its predecessor, its successors join it', () => {
  const env = pipeline();
  env.fromSequence(1, 10).map((x) => x).name('parse').filter(() => true).name('valid').startNewChain().map((x) => x).name('enrich').sinkTo(Sinks.collect());
  assert.deepEqual(chainsOf(env), ['Sequence -> parse', 'valid -> enrich -> Sink']);
  assert.equal(env.getStreamGraph().vertices.find((v) => v.name === 'valid')!.chainStart, true);
});

test('env.disableOperatorChaining() puts every operator in a task of its own and is recorded in the plan', () => {
  const env = pipeline((e) => e.disableOperatorChaining());
  env.fromSequence(1, 10).map((x) => x).name('parse').sinkTo(Sinks.collect());
  assert.equal(chainsOf(env).length, 3);
  assert.equal(env.getStreamGraph().operatorChaining, false);
  assert.equal(env.isChainingEnabled(), false);
  assert.equal(pipeline().getStreamGraph().operatorChaining, undefined);
});

test('slot sharing groups: recorded in the plan, inherited from inputs that share one, never chained across', () => {
  const env = pipeline();
  const src = env.fromSequence(1, 10);
  const heavy = src.map((x) => x).name('score').slotSharingGroup('scoring');
  heavy.map((x) => x).name('after').sinkTo(Sinks.collect());
  const g = env.getStreamGraph();
  const group = (name: string) => g.vertices.find((v) => v.name === name)!.slotSharingGroup;
  assert.equal(group('Source: Sequence'), undefined, "'default' is not written");
  assert.equal(group('score'), 'scoring');
  assert.equal(group('after'), 'scoring', 'inherited from its only input');
  assert.deepEqual(chainsOf(env), ['Sequence', 'score -> after -> Sink']);
  assert.throws(() => src.map((x) => x).slotSharingGroup(''), InvalidPipelineError);
});

test('an operator whose inputs are in different groups is in the default group', () => {
  const env = pipeline();
  const a = env.fromSequence(1, 10).map((x) => x).slotSharingGroup('a');
  const b = env.fromSequence(1, 10).map((x) => x).slotSharingGroup('b');
  a.connect(b).map({ map1: (x: number) => x, map2: (x: number) => x }).name('both').sinkTo(Sinks.collect());
  assert.equal(env.getStreamGraph().vertices.find((v) => v.name === 'both')!.slotSharingGroup, undefined);
});

test('one group: subtask s runs on taskmanager s mod n, as before groups existed', () => {
  const env = pipeline();
  env.fromSequence(1, 10).rebalance().map((x) => x).setParallelism(3).sinkTo(Sinks.collect());
  const jg = buildJobGraph(env.getStreamGraph());
  assert.deepEqual(assignSubtasks(jg, 2), [[0, 1], [0, 1, 0], [0, 1]]);
  assert.deepEqual(requiredSlots(jg), [{ group: 'default', slots: 3 }]);
});

test('groups get slots of their own, dealt round-robin after the groups before them', () => {
  const env = StreamExecutionEnvironment.create({ parallelism: 1 });
  env.fromSequence(1, 10).map((x) => x).slotSharingGroup('heavy').setParallelism(2).sinkTo(Sinks.collect()).slotSharingGroup('sink');
  const jg = buildJobGraph(env.getStreamGraph());
  assert.deepEqual(requiredSlots(jg), [
    { group: 'default', slots: 1 },
    { group: 'heavy', slots: 2 },
    { group: 'sink', slots: 1 },
  ]);
  // slots: default 0; heavy 1, 2; sink 3 — over 2 taskmanagers
  assert.deepEqual(assignSubtasks(jg, 2), [[0], [1, 0], [1]]);
  // without groups the three chains would all start on taskmanager 0
  assert.deepEqual(assignSubtasks(jg, 4), [[0], [1, 2], [3]]);
});

test('too few slots for the groups is an error naming the groups', () => {
  const env = StreamExecutionEnvironment.create({ parallelism: 2 });
  env.fromSequence(1, 10).map((x) => x).slotSharingGroup('heavy').sinkTo(Sinks.collect());
  const jg = buildJobGraph(env.getStreamGraph('groups'));
  assert.deepEqual(assignSubtasks(jg, 2, 2), [[0, 1], [0, 1]]);
  assert.throws(() => assignSubtasks(jg, 1, 3), /Job 'groups' needs 4 slots \(slot sharing groups: 'default' 2, 'heavy' 2\), but 1 taskmanagers with 3 slots each offer 3/);
  assert.throws(() => assignSubtasks(jg, 0), /no taskmanagers/);
});

test('slotsUsedOn counts a slot per slice of a sharing group on a taskmanager, as the Task Managers view shows', () => {
  const env = pipeline();
  const src = env.fromSequence(1, 10);
  src.map((x) => x).name('score').slotSharingGroup('scoring').setParallelism(3).sinkTo(Sinks.collect());
  const jobGraph = buildJobGraph(env.getStreamGraph('job'));
  const assignment = assignSubtasks(jobGraph, 2);
  // default group: 2 slots (parallelism 2), scoring: 3; the five slots are dealt 0,1,0,1,0.
  assert.deepEqual([0, 1].map((tm) => slotsUsedOn(jobGraph, assignment, tm)), [3, 2]);
  assert.equal(slotsUsedOn(jobGraph, assignment, 5), 0);
});
