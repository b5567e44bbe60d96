/**
 * `params`: typed accessors over the host's job parameters, with defaults and clear errors.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { params } from '../../../engine/api/params.ts';
import { installExecutionHost } from '../../../engine/runtime/host.ts';

describe('params', () => {
  let restore: (() => void) | undefined;
  afterEach(() => restore?.());
  const given = (values: Record<string, string>): void => {
    restore = installExecutionHost({ defaults: { params: values } });
  };

  it('reads given values and falls back to defaults', () => {
    given({ input: 'data/x.csv', rate: '500', on: 'yes', off: '0', empty: '' });
    assert.equal(params.get('input', 'data/default.csv'), 'data/x.csv');
    assert.equal(params.get('missing', 'fallback'), 'fallback');
    assert.equal(params.get('missing'), undefined);
    assert.equal(params.get('empty', 'x'), '');
    assert.equal(params.getNumber('rate', 1000), 500);
    assert.equal(params.getNumber('missing', 1000), 1000);
    assert.equal(params.getBoolean('on', false), true);
    assert.equal(params.getBoolean('off', true), false);
    assert.equal(params.getBoolean('missing', true), true);
    assert.equal(params.required('input'), 'data/x.csv');
    assert.equal(params.has('rate'), true);
    assert.equal(params.has('toString'), false, 'only given names count');
    assert.deepEqual(params.toMap(), { input: 'data/x.csv', rate: '500', on: 'yes', off: '0', empty: '' });
  });

  it('names the parameter and how to pass it when a value is missing or of the wrong type', () => {
    given({ rate: 'fast', flag: 'maybe' });
    assert.throws(() => params.getNumber('rate', 1), /Parameter 'rate' must be a number, got 'fast' \(--param rate=…\)/);
    assert.throws(() => params.getBoolean('flag', false), /Parameter 'flag' must be true or false, got 'maybe'/);
    assert.throws(() => params.required('bucket'), /Missing parameter 'bucket': pass it with --param bucket=<value>/);
  });
});
