/**
 * Compiles a notebook's code cells into ES modules on disk, one per cell, without running
 * anything. Analysis (`analyzeNotebook`) is pure; `compileNotebook` adds esbuild and the files.
 */
import type { Message, Plugin } from 'esbuild';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Notebook, NotebookCell } from '../shared/notebook/model.ts';
import type { CellError } from '../shared/notebook/run.ts';
import { analyzeCell, type CellAnalysis } from './analyze.ts';
import { bundleModule } from './bundle.ts';
import { cellModuleSource } from './module-source.ts';
import type { NotebookFunction } from './kept-effects.ts';
import { kernelResolvePlugin } from './resolve-plugin.ts';
import { resolveScopes, type CellScope, type InvalidAssignment } from './scope.ts';
import { sliceCell, type CellSlice } from './slice.ts';
import { UserModuleGraph } from './user-modules.ts';

/** A code cell's analysis and scope. */
export interface AnalyzedCell {
  /** 0-based index of the cell in `notebook.cells`. */
  index: number;
  analysis: CellAnalysis;
  scope: CellScope;
  /** 1-based first and last line of the cell's code in the notebook file. */
  startLine: number;
  endLine: number;
  /** `scope.invalidAssignments` with both lines as lines of the notebook file. */
  invalidAssignments: InvalidAssignment[];
  /** What of the cell a worker runs when it rebuilds a job (slice.ts). */
  slice: CellSlice;
}

/** A code cell compiled to a module. */
export interface CompiledCell extends AnalyzedCell {
  /** Absolute path of the cell's module. */
  modulePath: string;
}

/** The modules of a notebook, in cell order. */
export interface CompiledNotebook {
  /** Absolute path of the notebook file. */
  notebookPath: string;
  /** The compiled code cells (only those compiled so far, after a failure). */
  cells: CompiledCell[];
  /** Absolute paths of the user's own files compiled for it: frames in them are user code. */
  userFiles: string[];
}

/** Where and against what to compile. */
export interface CompileOptions {
  /** Absolute path of the notebook file. */
  notebookPath: string;
  /** Absolute path of the module that `import ... from 'weir'` loads. */
  weirModule: string;
  /** Existing directory the modules are written to. */
  outDir: string;
}

/** A compiled notebook, or the first compile error. */
export type CompileOutcome = { ok: true; compiled: CompiledNotebook } | { ok: false; compiled: CompiledNotebook; error: CellError };

/**
 * Analyses every code cell and resolves what each sees from the cells before it.
 *
 * @example
 * const cells = analyzeNotebook(parseNotebook('// %%\nconst a = 1;\n// %%\nconsole.log(a);\n'));
 * cells[1].scope.inputs; // [{ name: 'a', cell: 0 }]
 */
export function analyzeNotebook(notebook: Notebook): AnalyzedCell[] {
  const analyses = notebook.cells.map((cell) => (cell.kind === 'code' ? analyzeCell(cell.source) : undefined));
  const scopes = resolveScopes(analyses);
  const analyzed: AnalyzedCell[] = [];
  /** Whether each top-level name, as the cells so far leave it, holds a graph value. */
  const graphValued = new Map<string, boolean>();
  /** The top-level functions of the cells so far, whose effects a kept statement may cause. */
  const functions = new Map<string, NotebookFunction>();
  notebook.cells.forEach((cell, index) => {
    const analysis = analyses[index];
    const scope = scopes[index];
    if (!analysis || !scope) return;
    const graphBefore = new Set([...graphValued].filter(([, graph]) => graph).map(([name]) => name));
    const slice = sliceCell(cell.source, analysis, graphBefore, { functionsBefore: functions, cell: index, startLine: cell.startLine });
    for (const name of [...analysis.values, ...analysis.imports.map((b) => b.local)]) functions.delete(name);
    for (const [name, fn] of slice.functions) functions.set(name, fn);
    const graphNames = new Set(slice.graphNames);
    for (const name of [...analysis.values, ...analysis.imports.map((b) => b.local)]) graphValued.set(name, graphNames.has(name));
    const lineCount = cell.source.split('\n').length;
    const invalidAssignments = scope.invalidAssignments.map((a) => ({
      ...a,
      line: cell.startLine + a.line - 1,
      declarationLine: (notebook.cells[a.cell]?.startLine ?? 1) + a.declarationLine - 1,
    }));
    analyzed.push({ index, analysis, scope, startLine: cell.startLine, endLine: cell.startLine + lineCount - 1, invalidAssignments, slice });
  });
  return analyzed;
}

/** The module path of the cell at a 0-based index. */
export function cellModulePath(outDir: string, index: number): string {
  return path.join(outDir, `cell-${index + 1}.mjs`);
}

/**
 * What compiling cells of one notebook shares: where modules go, how imports resolve, and the
 * user files compiled so far (each is compiled once, however many cells import it).
 */
export class CompileSession {
  readonly userModules: UserModuleGraph;
  private readonly resolver: Plugin;

  constructor(readonly options: CompileOptions) {
    this.userModules = new UserModuleGraph(options.outDir);
    this.resolver = kernelResolvePlugin({ weirUrl: pathToFileURL(options.weirModule).href, userModules: this.userModules });
  }

  /** The URL of the module of the cell at a 0-based index. */
  moduleUrl(index: number): string {
    return pathToFileURL(cellModulePath(this.options.outDir, index)).href;
  }

  /**
   * Compiles one analysed cell, and the user files it imports that are not compiled yet, and
   * writes their modules. Before the cell's module is imported, the modules of the cells named
   * in `analyzed.scope` must have been written too.
   *
   * @example
   * const cell = analyzeNotebook(notebook)[1];
   * const out = await session.compileCell(notebook.cells[cell.index], cell);
   */
  async compileCell(cell: NotebookCell, analyzed: AnalyzedCell): Promise<{ ok: true; compiled: CompiledCell } | { ok: false; error: CellError }> {
    const { notebookPath, outDir } = this.options;
    const modulePath = cellModulePath(outDir, analyzed.index);
    const invalid = analyzed.invalidAssignments[0];
    if (invalid) return { ok: false, error: assignmentError(invalid, analyzed, notebookPath) };
    const source = cellModuleSource(cell, analyzed.analysis, analyzed.scope, (index) => this.moduleUrl(index), analyzed.index, analyzed.slice, notebookPath);
    const bundled = await bundleModule({ file: notebookPath, contents: source, outfile: modulePath, resolver: this.resolver });
    if (!bundled.ok) return { ok: false, error: compileError(bundled.errors, analyzed, notebookPath) };
    await writeModule(modulePath, bundled.code);

    for (let pending = this.userModules.takePending(); pending.length > 0; pending = this.userModules.takePending()) {
      for (const file of pending) {
        const helper = await bundleModule({ file: file.source, outfile: file.output, resolver: this.resolver });
        if (!helper.ok) return { ok: false, error: compileError(helper.errors, analyzed, notebookPath) };
        await writeModule(file.output, helper.code);
      }
    }
    return { ok: true, compiled: { ...analyzed, modulePath } };
  }
}

/**
 * Compiles every code cell, and every user file they import, into `options.outDir`. Stops at
 * the first cell that does not compile, so a broken later cell is reported before anything runs.
 *
 * @example
 * const out = await compileNotebook(parseNotebook(text), { notebookPath, weirModule, outDir });
 * if (!out.ok) console.error(`cell ${out.error.cell}: ${out.error.message}`);
 */
export async function compileNotebook(notebook: Notebook, options: CompileOptions): Promise<CompileOutcome> {
  const session = new CompileSession(options);
  const compiled: CompiledNotebook = { notebookPath: options.notebookPath, cells: [], userFiles: [] };
  for (const cell of analyzeNotebook(notebook)) {
    const outcome = await session.compileCell(notebook.cells[cell.index]!, cell);
    compiled.userFiles = session.userModules.sources();
    if (!outcome.ok) return { ok: false, compiled, error: outcome.error };
    compiled.cells.push(outcome.compiled);
  }
  return { ok: true, compiled };
}

async function writeModule(file: string, code: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, code);
}

const DECLARED_AS: Record<InvalidAssignment['declaration'], string> = {
  const: 'a const',
  let: 'a let',
  var: 'a var',
  function: 'a function',
  class: 'a class',
  enum: 'an enum',
  namespace: 'a namespace',
  import: 'an import',
};

/** An assignment to an earlier cell's const, function or import, as a compile error at the assignment. */
export function assignmentError(invalid: InvalidAssignment, cell: AnalyzedCell, notebookPath: string): CellError {
  const advice = invalid.declaration === 'const' ? '; declare it with let to change it in later cells' : '';
  const message = `Cannot assign to '${invalid.name}': it is ${DECLARED_AS[invalid.declaration]} of cell ${invalid.cell + 1} (line ${invalid.declarationLine})${advice}`;
  return {
    cell: cell.index + 1,
    phase: 'compile',
    file: notebookPath,
    line: invalid.line,
    column: invalid.column,
    name: 'CompileError',
    message,
    frames: [],
    stack: `CompileError: ${message}\n    at ${notebookPath}:${invalid.line}:${invalid.column}`,
  };
}

/** esbuild's first error as a `CellError`. Its positions are already notebook positions. */
function compileError(errors: Message[], cell: AnalyzedCell, notebookPath: string): CellError {
  const first = errors[0];
  const location = first?.location;
  const file = location?.file ?? notebookPath;
  let line = location?.line ?? cell.startLine;
  let column = (location?.column ?? 0) + 1;
  // An error on the kernel's own line after the code (an unclosed block running into it)
  // belongs at the end of the cell.
  if (file === notebookPath && line > cell.endLine) {
    line = cell.endLine;
    column = 1;
  }
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more error${errors.length > 2 ? 's' : ''})` : '';
  const message = `${first?.text ?? 'compile failed'}${more}`;
  return {
    cell: cell.index + 1,
    phase: 'compile',
    file,
    line,
    column,
    name: 'CompileError',
    message,
    frames: [],
    stack: `CompileError: ${message}\n    at ${file}:${line}:${column}`,
  };
}
