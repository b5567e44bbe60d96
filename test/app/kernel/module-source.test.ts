import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeCell } from '../../../app/kernel/analyze.ts';
import { cellModuleSource } from '../../../app/kernel/module-source.ts';
import { resolveScopes } from '../../../app/kernel/scope.ts';

const url = (cell: number): string => `file:///tmp/k/cell-${cell + 1}.mjs`;

describe('resolveScopes', () => {
  it('sees the latest binding of each name from earlier cells, minus the cell\'s own', () => {
    const scopes = resolveScopes([
      analyzeCell("import { a } from 'weir';\nconst b = 1;\ninterface T {}"),
      undefined, // a markdown cell
      analyzeCell('const a = 2;\nconst c = b;'),
      analyzeCell('use(a, b, c);'),
    ]);
    assert.equal(scopes[1], undefined);
    assert.deepEqual(
      scopes[2]!.visible.map((v) => [v.name, v.origin.kind, v.origin.cell]),
      [['b', 'cell', 0]],
    );
    assert.deepEqual(
      scopes[3]!.visible.map((v) => [v.name, v.origin.kind, v.origin.cell]),
      [
        ['a', 'cell', 2],
        ['b', 'cell', 0],
        ['c', 'cell', 2],
      ],
    );
    assert.deepEqual(scopes[3]!.inputs, [
      { name: 'a', cell: 2 },
      { name: 'b', cell: 0 },
      { name: 'c', cell: 2 },
    ]);
  });

  it('does not carry type-only imports, which have no value', () => {
    const [, second] = resolveScopes([analyzeCell("import type { X } from 'weir';"), analyzeCell('let y: X;')]);
    assert.deepEqual(second!.visible, []);
  });
});

describe('cellModuleSource', () => {
  it('keeps the cell on its file lines and adds imports and exports on one line after it', () => {
    const cells = ["import { readFileSync } from 'node:fs';\nconst a = 1;", 'export const b = a;\nfunction f() {}'];
    const analyses = cells.map(analyzeCell);
    const scopes = resolveScopes(analyses);
    const source = cellModuleSource({ source: cells[1]!, startLine: 4 }, analyses[1]!, scopes[1]!, url);
    const lines = source.split('\n');
    assert.deepEqual(lines.slice(0, 5), ['', '', '', 'export const b = a;', 'function f() {}']);
    assert.equal(
      lines[5],
      ';import { readFileSync as readFileSync } from "node:fs";import { a } from "file:///tmp/k/cell-1.mjs";export { f };',
    );
  });

  it('re-imports namespace, default and attributed imports as written', () => {
    const analyses = [analyzeCell("import * as ns from 'x';\nimport d from './d.json' with { type: 'json' };"), analyzeCell('ns; d;')];
    const scopes = resolveScopes(analyses);
    const source = cellModuleSource({ source: 'ns; d;', startLine: 1 }, analyses[1]!, scopes[1]!, url);
    assert.equal(source, 'ns; d;\n;import * as ns from "x";import { default as d } from "./d.json" with { type: \'json\' };\n');
  });
});
