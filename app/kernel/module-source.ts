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
import { CELL_CONTEXT, type CellSlice } from './slice.ts';
import { applyEdits, type TextEdit } from './text-edits.ts';

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
 * @param cellIndex the cell's 0-based index: the module then calls the cell-body hook
 * @param slice what a worker skips of the cell (slice.ts); with `cellIndex`, the module runs it
 * @param file the notebook's absolute path: edits then come with a source map back to it
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
  slice?: CellSlice,
  file?: string,
): string {
  // The marker says "cell N's own code starts now" (its imports have been evaluated): a
  // taskmanager re-running a job's code uses it to count that cell's execute() calls and answers
  // with the cell's context (rebuild or not, the captured values); the kernel uses it to learn
  // how to read the cell's captured variables. It takes the place of the first padding line, so
  // line numbers do not move.
  // The hook is the engine's (`cellBody` of 'weir'), imported under an alias the cell cannot
  // shadow: the engine module is the one thing a cell shares with the process that runs it.
  const marker = cellIndex === undefined ? '' : `const ${CELL_CONTEXT} = ${CELL_BODY}(${cellIndex}${slice ? `, ${CELL_INFO}` : ''});`;
  const markerImport = cellIndex === undefined ? '' : `import { cellBody as ${CELL_BODY} } from "weir";`;
  const lines = Math.max(0, cell.startLine - 1);
  const ownExports = new Set(analysis.exports);
  const exported = analysis.values.filter((name) => !ownExports.has(name));
  const exportClause = exported.length > 0 ? `export { ${exported.join(', ')} };` : '';
  const mutable = analysis.declarations.filter((d) => isReassignable(d.kind)).map((d) => d.name);
  const accessors = mutable.map((name) => `get ${name}() { return ${name}; }, set ${name}(value) { ${name} = value; }`);
  const bindingsExport = mutable.length > 0 ? `export const ${BINDINGS_EXPORT} = { ${accessors.join(', ')} };` : '';
  const rebound = rebind(cell.source, analysis, scope, moduleUrl);
  const sliced = cellIndex !== undefined && slice !== undefined;
  // The cell on its file lines: padding first, so that offsets in the cell move by `lines`.
  const original = '\n'.repeat(lines) + cell.source;
  const edits: TextEdit[] = [
    { start: 0, end: 0, text: marker },
    ...[...rebound.edits, ...(sliced ? slice.insertions.map((i) => ({ start: i.at, end: i.at, text: i.text })) : [])].map((e) => ({ ...e, start: e.start + lines, end: e.end + lines })),
  ];
  const edited = applyEdits(original, edits);
  const info = sliced ? cellInfo(cell, analysis, scope, slice) : '';
  // The leading `;` ends a statement the cell may have left open without a semicolon.
  const module = `${edited.text}\n;${markerImport}${preludeImports(scope.visible, moduleUrl)}${rebound.imports}${exportClause}${bindingsExport}${info}\n`;
  if (file === undefined || edits.length === 1) return module;
  const map = { version: 3, sources: [file], sourcesContent: [original], names: [], mappings: edited.mappings };
  return `${module}//# sourceMappingURL=data:application/json;base64,${Buffer.from(JSON.stringify(map)).toString('base64')}\n`;
}

/** The local name of the engine's cell-body hook in a cell's module. */
const CELL_BODY = '__weirCellBody';

/** The hoisted function a cell's marker hands to the process: how to read its captured variables. */
const CELL_INFO = '__weirCellInfo';

/**
 * `function __weirCellInfo()`: the cell's captured variables (name and file line) with a reader
 * of their current values, the earlier cells it reads from, the names its kept code reads, and
 * the effects of its kept statements (what, file line).
 * The kernel calls it when a job is submitted (engine/process/cell-body.ts).
 */
function cellInfo(cell: CellText, analysis: CellAnalysis, scope: CellScope, slice: CellSlice): string {
  const cases = slice.captured.map((c) => `case ${JSON.stringify(c.name)}: return ${c.name};`).join(' ');
  const captured = slice.captured.map((c) => [c.name, cell.startLine + c.line - 1]);
  const effects = slice.effects.map((e) => [e.what, cell.startLine + e.line - 1]);
  const referenced = new Set(analysis.references);
  const inputs = [...new Set(scope.visible.filter((v) => referenced.has(v.name)).map((v) => v.origin.cell))];
  return (
    `function ${CELL_INFO}() { return { read(name) { switch (name) { ${cases} } }, captured: ${JSON.stringify(captured)}, ` +
    `inputs: ${JSON.stringify(inputs)}, references: ${JSON.stringify(slice.references)}, effects: ${JSON.stringify(effects)} }; }`
  );
}

/** The alias under which a cell imports the bindings object of the cell at a 0-based index. */
function bindingsAlias(cell: number): string {
  return `__weirCell${cell + 1}Bindings`;
}

/**
 * Rewrites every use of an earlier cell's `let`/`var` that the cell assigns into a use of that
 * cell's bindings object, and the imports of those objects. Other names are left alone.
 */
function rebind(source: string, analysis: CellAnalysis, scope: CellScope, moduleUrl: (cell: number) => string): { edits: TextEdit[]; imports: string } {
  if (scope.rebound.length === 0) return { edits: [], imports: '' };
  const owner = new Map(scope.rebound.map((r) => [r.name, r.cell]));
  const own = new Set([...analysis.values, ...analysis.imports.map((b) => b.local)]);
  const file = ts.createSourceFile('cell.ts', source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const edits: TextEdit[] = [];
  for (const use of freeIdentifiers(file, own)) {
    const cell = owner.get(use.name);
    if (cell === undefined) continue;
    const access = `${bindingsAlias(cell)}.${use.name}`;
    edits.push({ start: use.start, end: use.end, text: use.shorthand ? `${use.name}: ${access}` : access });
  }
  const cells = [...new Set(scope.rebound.map((r) => r.cell))];
  const imports = cells.map((cell) => `import { ${BINDINGS_EXPORT} as ${bindingsAlias(cell)} } from ${JSON.stringify(moduleUrl(cell))};`).join('');
  return { edits, imports };
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
