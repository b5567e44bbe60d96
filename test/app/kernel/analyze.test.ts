import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeCell } from '../../../app/kernel/analyze.ts';
import { resolveScopes } from '../../../app/kernel/scope.ts';

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

describe('analyzeCell: declarations and assignments', () => {
  it('records how each top-level value is declared, and on which line', () => {
    const a = analyzeCell(`const a = 1;
let b = 2, [c] = [3];
if (x) { var d = 4; }
function e() {}
class F {}`);
    assert.deepEqual(
      a.declarations.map(({ name, kind, line }) => [name, kind, line]),
      [['a', 'const', 1], ['b', 'let', 2], ['c', 'let', 2], ['d', 'var', 3], ['e', 'function', 4], ['F', 'class', 5]],
    );
  });

  it('finds assignments to names the cell does not bind, and not those an inner scope binds', () => {
    const a = analyzeCell(`seen++;
total += 1;
[x, { y, z: w = 2 }] = pair;
for (item of items) {}
function f(p: number) { p = 1; q = 2; let r = 0; r++; }
const g = (s: number) => { s--; };
try {} catch (t) { t = 1; }
own = 3;
let own = 0;
read(u);
obj.v = 1;`);
    assert.deepEqual(
      a.assignments.map(({ name, line }) => [name, line]),
      [['seen', 1], ['total', 2], ['x', 3], ['y', 3], ['w', 3], ['item', 4], ['q', 5]],
    );
  });
});

describe('resolveScopes: reassignment across cells', () => {
  it('marks assigned lets as rebound, makes readers depend on the writers, and rejects assigning a const', () => {
    const scopes = resolveScopes([analyzeCell('let n = 0;\nconst k = 1;'), analyzeCell('n++;'), analyzeCell('log(n);'), analyzeCell('k = 2;')]);
    assert.deepEqual(scopes[1]!.rebound, [{ name: 'n', cell: 0 }]);
    assert.deepEqual(scopes[2]!.inputs, [{ name: 'n', cell: 0 }, { name: 'n', cell: 1 }]);
    assert.deepEqual(scopes[3]!.invalidAssignments, [{ name: 'k', line: 1, column: 1, cell: 0, declaration: 'const', declarationLine: 2 }]);
  });

  it('forgets the writers of a name once a later cell declares it again', () => {
    const scopes = resolveScopes([analyzeCell('let n = 0;'), analyzeCell('n = 5;'), analyzeCell('let n = 1;'), analyzeCell('log(n);')]);
    assert.deepEqual(scopes[3]!.inputs, [{ name: 'n', cell: 2 }]);
  });
});
