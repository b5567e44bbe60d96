import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeCell } from '../../../app/kernel/analyze.ts';

describe('analyzeCell', () => {
  it('collects import bindings with their kind, specifier and position', () => {
    const a = analyzeCell(`import { readFileSync as read, type Stats } from 'node:fs';
import type { JobReport } from 'weir';
import helper, * as all from './helper.ts';
import data from './data.json' with { type: 'json' };
import './setup.ts';`);
    assert.deepEqual(
      a.imports.map(({ local, imported, specifier, typeOnly }) => [local, imported, specifier, typeOnly]),
      [
        ['read', 'readFileSync', 'node:fs', false],
        ['Stats', 'Stats', 'node:fs', true],
        ['JobReport', 'JobReport', 'weir', true],
        ['helper', 'default', './helper.ts', false],
        ['all', '*', './helper.ts', false],
        ['data', 'default', './data.json', false],
      ],
    );
    assert.equal(a.imports[5]!.attributes, "with { type: 'json' }");
    assert.deepEqual([a.imports[3]!.line, a.imports[3]!.column], [3, 8]);
    assert.deepEqual(a.sideEffectImports, ['./setup.ts']);
  });

  it('collects top-level value names, destructuring and hoisted vars included', () => {
    const a = analyzeCell(`const { a, b: { c }, d: [e, , ...f], ...g } = src;
let h = 1, i;
function j() { var notTopLevel = 1; }
class K {}
enum L { M }
namespace N { export const o = 1; }
if (flag) { var p = 1; } else { let q = 2; }
for (var r = 0; r < 1; r++) {}
export const s = 1;
export default function t() {}`);
    assert.deepEqual(a.values, ['a', 'c', 'e', 'f', 'g', 'h', 'i', 'j', 'K', 'L', 'N', 'p', 'r', 's', 't']);
    assert.deepEqual(a.exports, ['s', 'default']);
  });

  it('keeps types and ambient declarations apart from values', () => {
    const a = analyzeCell(`interface Shape { area(): number }
type Id = string;
declare const injected: number;
declare function ambient(): void;
export type { Shape as S2 };`);
    assert.deepEqual(a.values, []);
    assert.deepEqual(a.types, ['Shape', 'Id', 'injected', 'ambient']);
    assert.deepEqual(a.exports, ['S2']);
  });

  it('lists the names a cell reads but does not bind', () => {
    const a = analyzeCell(`import { map } from 'weir';
const local = 1;
const result = map(local, input.field, { short, key: value });
obj.prop.deeper;
label: for (;;) { break label; }
type T = Ns.Member;
console.log(new URL('.', import.meta.url));`);
    assert.deepEqual(a.references.sort(), ['Ns', 'URL', 'console', 'input', 'obj', 'short', 'value'].sort());
  });
});
