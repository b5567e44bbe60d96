/**
 * Turns a code cell into the source of an ES module that esbuild can bundle on its own.
 *
 * The cell's code keeps its line numbers from the notebook file: it is preceded by blank lines,
 * so that a position in the module is the same position in the notebook and esbuild's messages
 * and source maps point into the file without translation. Everything the kernel adds goes on
 * one line after the code (import declarations hoist, so their place does not matter):
 *
 *   - the earlier cells' imports, re-imported from their modules, and `import { names } from
 *     '<earlier cell module>'` for the values those cells declared;
 *   - `export { <the cell's top-level values> }`, so later cells can import them;
 *   - for its top-level `let`/`var` names, an object of accessors (`__weirBindings`), through
 *     which later cells assign them: an imported binding is read-only, so a later cell's
 *     `seen++` is rewritten to `__weirCell1Bindings.seen++` (on the same line, so lines stay).
 *
 * esbuild drops imports the cell does not use as values (types included), which is what makes
 * importing every visible name safe.
 */
import ts from 'typescript';
import type { CellAnalysis, ImportBinding } from './analyze.ts';
import { freeIdentifiers } from './free-names.ts';
import { isReassignable, type CellScope, type VisibleBinding } from './scope.ts';

/** The export of a cell module holding accessors for its top-level `let`/`var` names. */
export const BINDINGS_EXPORT = '__weirBindings';

/** The part of a notebook cell the module is built from. */
export interface CellText {
  /** The cell's code. */
  source: string;
  /** 1-based line of the code's first line in the notebook file. */
  startLine: number;
}

/**
 * Builds a cell's module source.
 *
 * @param moduleUrl the URL of the module compiled from the cell at a 0-based index
 * @example
 * cellModuleSource({ source: 'const b = a + 1;', startLine: 3 }, analysis, scope, (i) => `file:///tmp/cell-${i + 1}.mjs`);
 * // '\n\nconst b = a + 1;\n;import { a } from "file:///tmp/cell-1.mjs";export { b };\n'
 */
export function cellModuleSource(
  cell: CellText,
  analysis: CellAnalysis,
  scope: CellScope,
  moduleUrl: (cell: number) => string,
  cellIndex?: number,
): string {
  // The marker says "cell N's own code starts now" (its imports have been evaluated): a
  // taskmanager re-running a job's code uses it to count that cell's execute() calls. It takes
  // the place of the first padding line, so line numbers do not move.
  const marker = cellIndex === undefined ? '' : `globalThis[Symbol.for("weir.cellBody")]?.(${cellIndex});`;
  const lines = Math.max(0, cell.startLine - 1);
  const padding = marker + '\n'.repeat(lines);
  const ownExports = new Set(analysis.exports);
  const exported = analysis.values.filter((name) => !ownExports.has(name));
  const exportClause = exported.length > 0 ? `export { ${exported.join(', ')} };` : '';
  const mutable = analysis.declarations.filter((d) => isReassignable(d.kind)).map((d) => d.name);
  const accessors = mutable.map((name) => `get ${name}() { return ${name}; }, set ${name}(value) { ${name} = value; }`);
  const bindingsExport = mutable.length > 0 ? `export const ${BINDINGS_EXPORT} = { ${accessors.join(', ')} };` : '';
  const { source, imports } = rebind(cell.source, analysis, scope, moduleUrl);
  // The leading `;` ends a statement the cell may have left open without a semicolon.
  return `${padding}${source}\n;${preludeImports(scope.visible, moduleUrl)}${imports}${exportClause}${bindingsExport}\n`;
}

/** The alias under which a cell imports the bindings object of the cell at a 0-based index. */
function bindingsAlias(cell: number): string {
  return `__weirCell${cell + 1}Bindings`;
}

/**
 * Rewrites every use of an earlier cell's `let`/`var` that the cell assigns into a use of that
 * cell's bindings object, and the imports of those objects. Other names are left alone.
 */
function rebind(source: string, analysis: CellAnalysis, scope: CellScope, moduleUrl: (cell: number) => string): { source: string; imports: string } {
  if (scope.rebound.length === 0) return { source, imports: '' };
  const owner = new Map(scope.rebound.map((r) => [r.name, r.cell]));
  const own = new Set([...analysis.values, ...analysis.imports.map((b) => b.local)]);
  const file = ts.createSourceFile('cell.ts', source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  let out = '';
  let last = 0;
  for (const use of freeIdentifiers(file, own)) {
    const cell = owner.get(use.name);
    if (cell === undefined) continue;
    const access = `${bindingsAlias(cell)}.${use.name}`;
    out += source.slice(last, use.start) + (use.shorthand ? `${use.name}: ${access}` : access);
    last = use.end;
  }
  out += source.slice(last);
  const cells = [...new Set(scope.rebound.map((r) => r.cell))];
  const imports = cells.map((cell) => `import { ${BINDINGS_EXPORT} as ${bindingsAlias(cell)} } from ${JSON.stringify(moduleUrl(cell))};`).join('');
  return { source: out, imports };
}

/** The import declarations that bring a cell's visible names into its module, on one line. */
export function preludeImports(visible: readonly VisibleBinding[], moduleUrl: (cell: number) => string): string {
  const fromCells = new Map<number, string[]>();
  const statements: string[] = [];
  for (const { name, origin } of visible) {
    if (origin.kind === 'import') {
      statements.push(importStatement(origin.binding));
    } else {
      const names = fromCells.get(origin.cell) ?? [];
      names.push(name);
      fromCells.set(origin.cell, names);
    }
  }
  for (const [cell, names] of fromCells) statements.push(`import { ${names.join(', ')} } from ${JSON.stringify(moduleUrl(cell))};`);
  return statements.join('');
}

function importStatement(binding: ImportBinding): string {
  const from = ` from ${JSON.stringify(binding.specifier)}${binding.attributes ? ` ${binding.attributes}` : ''};`;
  if (binding.imported === '*') return `import * as ${binding.local}${from}`;
  return `import { ${exportName(binding.imported)} as ${binding.local} }${from}`;
}

/** Export names that are not identifiers (`import { 'a-b' as x }`) must stay quoted. */
function exportName(name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name);
}
