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
