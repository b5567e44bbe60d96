/** `describeConfig`: an operator's configuration as `key=value` words for `weir plan` and the Plan view. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeConfig } from '../../../app/kernel/plan-text.ts';

test('configuration words: strings as they are, other values as JSON, unset options left out, SQL folded onto one line', () => {
  assert.deepEqual(
    describeConfig({ connector: 'replay', database: undefined, speed: 7200, setup: [], sql: 'SELECT *\n  FROM trips\n WHERE fare > 0' }),
    ['connector=replay', 'speed=7200', 'setup=[]', 'sql=SELECT * FROM trips WHERE fare > 0'],
  );
  assert.deepEqual(describeConfig(undefined), []);
});

test('weir plan shows the slot sharing group of operators not in the default group', async () => {
  const { formatPlan } = await import('../../../app/kernel/plan-text.ts');
  const { StreamExecutionEnvironment, Sinks } = await import('../../../engine/index.ts');
  const env = StreamExecutionEnvironment.create();
  env.fromElements(1, 2).map((x) => x).name('score').slotSharingGroup('scoring').sinkTo(Sinks.collect());
  const lines = formatPlan(env.getStreamGraph('groups')).split('\n');
  assert.match(lines.find((l) => l.includes('score'))!, /slots 'scoring'/);
  assert.doesNotMatch(lines.find((l) => l.includes('Source'))!, /slots '/);
});
