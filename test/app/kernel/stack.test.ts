import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { causeChain } from '../../../app/kernel/locate.ts';
import { parseStackFrames } from '../../../app/kernel/stack.ts';

describe('parseStackFrames', () => {
  it('reads named, anonymous, URL and internal frames and skips the rest', () => {
    const frames = parseStackFrames(
      [
        'TypeError: x is not a function',
        '    at fail (/home/me/nb.ts:7:9)',
        '    at file:///tmp/weir-kernel-1/cell-3.mjs:12:5',
        '    at new Point (C:\\nb\\nb.ts:2:3)',
        '    at async Promise.all (index 0)',
        '    at Array.map (<anonymous>)',
        '    at ModuleJob.run (node:internal/modules/esm/module_job:325:25)',
      ].join('\n'),
    );
    assert.deepEqual(frames, [
      { functionName: 'fail', file: '/home/me/nb.ts', line: 7, column: 9 },
      { file: '/tmp/weir-kernel-1/cell-3.mjs', line: 12, column: 5 },
      { functionName: 'new Point', file: 'C:\\nb\\nb.ts', line: 2, column: 3 },
      { functionName: 'ModuleJob.run', file: 'node:internal/modules/esm/module_job', line: 325, column: 25 },
    ]);
  });
});

describe('causeChain', () => {
  it('follows causes and stops at cycles', () => {
    const inner = new Error('inner');
    const middle = new Error('middle', { cause: inner });
    const outer = new Error('outer', { cause: middle });
    assert.deepEqual(causeChain(outer), [outer, middle, inner]);
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    assert.deepEqual(causeChain(a), [a, b]);
    assert.deepEqual(causeChain('text'), ['text']);
  });
});
