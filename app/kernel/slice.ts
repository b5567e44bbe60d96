/**
 * The part of a cell that a worker process runs to rebuild a job: the job's *slice*. Flink's
 * client builds the job graph once and ships it with the user functions and the values they
 * captured; Weir's taskmanagers rebuild the graph by running the cells' code again, so the
 * code they run has to be cut down to what builds the graph (docs/ARCHITECTURE.md §5):
 *
 *   - declarations stay: imports, functions, classes, enums, types, and variables whose
 *     initialiser builds the graph (it reads the environment, a stream, a sink: anything from
 *     'weir' or derived from it) or is itself a function or class;
 *   - statements that build the graph stay: a call on a graph value (`stream.sinkTo(...)`,
 *     `env.enableCheckpointing(...)`), a call handed a graph value (`addPipeline(env)`), any
 *     `execute()`, and blocks or loops that contain such a call;
 *   - every other top-level statement is skipped in the worker: `console.log`, file writes,
 *     assertions, timers, awaits of anything but a job;
 *   - every other variable is *captured*: the kernel sends its value as it is when the job is
 *     submitted (as Flink serialises a function's captured fields), and in the worker its
 *     initialiser is not run. So a value computed from an environment variable, a file or a
 *     later cell's `seen++` is the kernel's value on every worker.
 *
 * The kernel runs the same module with the same text; a cell-level flag (`rebuild`) decides at
 * run time. Everything is inserted on existing lines, so line numbers stay those of the file.
 */
import ts from 'typescript';
import type { CellAnalysis } from './analyze.ts';
import { freeIdentifiers } from './free-names.ts';
import { declaredFunctions, keptEffects, type KeptEffect, type NotebookFunction } from './kept-effects.ts';

/** The name of the per-cell context in a cell's module: `{ rebuild, value(name) }`. */
export const CELL_CONTEXT = '__weirCell';

/** A top-level variable whose value travels with the job instead of being computed again. */
export interface CapturedVariable {
  name: string;
  /** 1-based line of its declaration within the cell's source. */
  line: number;
}

/** Where a cell's text changes so that a worker runs only its slice. */
export interface CellSlice {
  /** Insertions into the cell's source (offset → text), in source order. */
  insertions: { at: number; text: string }[];
  /** Variables whose values the kernel sends with a job (see the file comment). */
  captured: CapturedVariable[];
  /** Top-level names of this cell (and earlier ones, as they stand after it) that hold graph values. */
  graphNames: string[];
  /** Names that the code kept in the worker reads: captured values a job may need. */
  references: string[];
  /** Effects of kept statements, which run again in every worker (kept-effects.ts). */
  effects: KeptEffect[];
  /** The top-level functions this cell declares, whose effects kept statements of later cells may cause. */
  functions: Map<string, NotebookFunction>;
}

/** The notebook around a cell: the functions earlier cells declared, and where the cell is. */
export interface SliceContext {
  /** Top-level functions of earlier cells still visible to this one, by name. */
  functionsBefore: ReadonlyMap<string, NotebookFunction>;
  /** 0-based index of the cell. */
  cell: number;
  /** File line of the cell's first source line. */
  startLine: number;
}

/** The specifier of the engine's module in cells. */
const ENGINE = 'weir';
/** Methods that run a job: a statement that calls one always stays. */
const EXECUTE = new Set(['execute', 'executeAsync']);

/**
 * Slices one cell. `graphBefore` holds the names visible from earlier cells that hold graph
 * values (their `graphNames`).
 *
 * @example
 * const s = sliceCell("import { Sinks } from 'weir';\nconst dir = process.env.OUT;\nfs.rmSync(dir);\nSinks.jsonl(dir);", analysis, new Set());
 * s.captured; // [{ name: 'dir', line: 2 }] — and `fs.rmSync(dir)` is skipped in workers
 */
export function sliceCell(
  source: string,
  analysis: CellAnalysis,
  graphBefore: ReadonlySet<string>,
  context: SliceContext = { functionsBefore: new Map(), cell: 0, startLine: 1 },
): CellSlice {
  const file = ts.createSourceFile('cell.ts', source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const graph = new Set(graphBefore);
  for (const binding of analysis.imports) {
    if (binding.typeOnly) continue;
    if (binding.specifier === ENGINE || binding.specifier.startsWith(`${ENGINE}/`)) graph.add(binding.local);
    else graph.delete(binding.local);
  }
  // A cell that does not parse is not sliced: esbuild reports its error at the position written.
  if ((file as unknown as { parseDiagnostics?: unknown[] }).parseDiagnostics?.length) return { insertions: [], captured: [], graphNames: [...graph], references: [], effects: [], functions: new Map() };
  const insertions: CellSlice['insertions'] = [];
  const captured: CapturedVariable[] = [];
  const kept: ts.Node[] = [];
  const lineOf = (node: ts.Node): number => file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1;

  let previousEnd = 0;
  for (const statement of file.statements) {
    if (ts.isVariableStatement(statement) && !isAmbient(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        const init = declaration.initializer;
        const names: string[] = [];
        collectNames(declaration.name, names);
        if (init && (readsAny(init, graph) || callsExecute(init))) {
          names.forEach((n) => graph.add(n));
          kept.push(init);
        } else if ((init && isCode(init)) || !ts.isIdentifier(declaration.name)) {
          // Code is built again, not sent: a function, an object of functions (an
          // AggregateFunction literal), an instance of a class (`new CountTrips()`). A
          // destructured value is computed again too (see README).
          names.forEach((n) => (init && buildsInside(init, graph) ? graph.add(n) : graph.delete(n)));
          if (init) kept.push(init);
        } else {
          const name = declaration.name.text;
          graph.delete(name);
          captured.push({ name, line: lineOf(declaration) });
          const value = `${CELL_CONTEXT}.rebuild ? ${CELL_CONTEXT}.value(${JSON.stringify(name)}) : `;
          if (init) {
            insertions.push({ at: init.getStart(file), text: `${value}(` }, { at: init.getEnd(), text: ')' });
          } else {
            insertions.push({ at: declaration.getEnd(), text: ` = ${value}undefined` });
          }
        }
      }
    } else if (isDeclaration(statement)) {
      if (ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) {
        // A function that builds or runs a job (`async function run(mode) { ... env.execute() }`)
        // is a graph value: calling it builds the graph.
        if (statement.name) {
          if (ts.isFunctionDeclaration(statement) && buildsInside(statement, graph)) graph.add(statement.name.text);
          else graph.delete(statement.name.text);
        }
        kept.push(statement);
      }
      if (ts.isEnumDeclaration(statement) || ts.isModuleDeclaration(statement)) kept.push(statement);
    } else if (buildsGraph(statement, graph)) {
      kept.push(statement);
    } else {
      // The guard opens at the end of the statement before, so this statement's own line keeps
      // its columns (stack traces), and a line comment before it cannot swallow the guard.
      insertions.push({ at: previousEnd, text: `;if (!${CELL_CONTEXT}.rebuild) {` }, { at: statement.getEnd(), text: '}' });
    }
    previousEnd = statement.getEnd();
  }

  const references = new Set<string>();
  for (const use of freeIdentifiers(file, new Set())) {
    if (kept.some((node) => use.start >= node.getStart(file) && use.end <= node.getEnd())) references.add(use.name);
  }
  // Declared functions and classes run later, when called; what a kept statement calls now is seen.
  // Calls to the notebook's own functions are followed: this cell's, and earlier cells' it does not declare again.
  const functions = declaredFunctions(file, context.cell, context.startLine);
  const callable = new Map(context.functionsBefore);
  for (const name of [...analysis.values, ...analysis.imports.map((b) => b.local)]) callable.delete(name);
  for (const [name, fn] of functions) callable.set(name, fn);
  const effects = kept
    .filter((node) => !ts.isFunctionDeclaration(node) && !ts.isClassDeclaration(node))
    .flatMap((node) => keptEffects(node, file, callable));
  return { insertions, captured, graphNames: [...graph], references: [...references], effects, functions };
}

/**
 * Whether a statement builds the job graph: a call on, or handed, a graph value, an
 * assignment of one, or any statement that runs a job or calls a graph method somewhere inside.
 */
function buildsGraph(statement: ts.Statement, graph: ReadonlySet<string>): boolean {
  if (callsExecute(statement) || importsEngine(statement)) return true;
  if (ts.isExpressionStatement(statement)) {
    const expression = unwrap(statement.expression);
    if (ts.isCallExpression(expression)) {
      const root = rootName(expression.expression);
      if (root !== undefined && graph.has(root)) return true;
      return expression.arguments.some((arg) => {
        const a = unwrap(arg);
        return ts.isIdentifier(a) && graph.has(a.text);
      });
    }
    if (ts.isBinaryExpression(expression) && isAssignment(expression.operatorToken.kind)) return readsAny(expression.right, graph);
    return false;
  }
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found || ts.isFunctionLike(node) || ts.isClassLike(node)) return;
    if (ts.isCallExpression(node)) {
      const root = rootName(node.expression);
      if (root !== undefined && graph.has(root)) found = true;
    }
    ts.forEachChild(node, visit);
  };
  visit(statement);
  return found;
}

/** Whether code, nested functions included, runs a job or reads a graph value. */
function buildsInside(node: ts.Node, graph: ReadonlySet<string>): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && EXECUTE.has(n.expression.name.text)) found = true;
    else if (ts.isIdentifier(n) && graph.has(n.text) && !isPropertyName(n)) found = true;
    ts.forEachChild(n, visit);
  };
  visit(node);
  return found;
}

/** Whether the code calls `.execute(...)` or `.executeAsync(...)` outside nested functions. */
function callsExecute(node: ts.Node): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found || ts.isFunctionLike(n) || ts.isClassLike(n)) return;
    if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && EXECUTE.has(n.expression.name.text)) found = true;
    ts.forEachChild(n, visit);
  };
  visit(node);
  return found;
}

/**
 * Whether code imports the engine dynamically outside nested functions: `(await
 * import('weir')).runFlinkSqlCell(...)`, as a `[flink-sql]` cell's code does, reads graph values
 * as surely as a static import's names do.
 */
function importsEngine(node: ts.Node): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found || ts.isFunctionLike(n) || ts.isClassLike(n)) return;
    if (isEngineImport(n)) found = true;
    ts.forEachChild(n, visit);
  };
  visit(node);
  return found;
}

/** `import('weir')` or `import('weir/...')`. */
function isEngineImport(n: ts.Node): boolean {
  if (!ts.isCallExpression(n) || n.expression.kind !== ts.SyntaxKind.ImportKeyword) return false;
  const specifier = n.arguments[0];
  return specifier !== undefined && ts.isStringLiteralLike(specifier) && (specifier.text === ENGINE || specifier.text.startsWith(`${ENGINE}/`));
}

/** Whether an expression reads any of `names` or imports the engine (outside nested functions, which run later). */
function readsAny(node: ts.Node, names: ReadonlySet<string>): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if ((ts.isIdentifier(n) && names.has(n.text) && !isPropertyName(n)) || isEngineImport(n)) found = true;
    ts.forEachChild(n, visit);
  };
  visit(node);
  return found;
}

function isPropertyName(node: ts.Identifier): boolean {
  const parent = node.parent;
  return (ts.isPropertyAccessExpression(parent) && parent.name === node) || (ts.isPropertyAssignment(parent) && parent.name === node);
}

/** The identifier a call chain starts from: `env` in `env.fromElements(1).map(f).print()`. */
function rootName(expression: ts.Expression): string | undefined {
  let e = unwrap(expression);
  for (;;) {
    if (ts.isIdentifier(e)) return e.text;
    if (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) e = unwrap(e.expression);
    else if (ts.isCallExpression(e)) e = unwrap(e.expression);
    else return undefined;
  }
}

/** The expression without `await`, `void`, parentheses, `!` and type assertions around it. */
function unwrap(expression: ts.Expression): ts.Expression {
  let e = expression;
  for (;;) {
    if (ts.isAwaitExpression(e) || ts.isVoidExpression(e) || ts.isParenthesizedExpression(e) || ts.isNonNullExpression(e)) e = e.expression;
    else if (ts.isAsExpression(e) || ts.isSatisfiesExpression(e) || ts.isTypeAssertionExpression(e)) e = e.expression;
    else return e;
  }
}

/** Classes whose instances are data and travel (structured clone keeps them). */
const DATA_CLASSES = new Set(['Map', 'Set', 'Date', 'RegExp', 'Array', 'Object', 'ArrayBuffer', 'Uint8Array', 'Float64Array', 'Int32Array']);

/**
 * Whether an initialiser makes code rather than data: a function or class, a `new` of a class
 * that is not a data class, or an object or array literal holding one of those.
 */
function isCode(init: ts.Expression): boolean {
  const e = unwrap(init);
  if (ts.isArrowFunction(e) || ts.isFunctionExpression(e) || ts.isClassExpression(e)) return true;
  if (ts.isNewExpression(e)) return !(ts.isIdentifier(e.expression) && DATA_CLASSES.has(e.expression.text));
  if (ts.isObjectLiteralExpression(e)) {
    return e.properties.some((p) => ts.isMethodDeclaration(p) || ts.isAccessor(p) || (ts.isPropertyAssignment(p) && isCode(p.initializer)));
  }
  if (ts.isArrayLiteralExpression(e)) return e.elements.some((el) => !ts.isSpreadElement(el) && !ts.isOmittedExpression(el) && isCode(el));
  return false;
}

function isAssignment(kind: ts.SyntaxKind): boolean {
  return kind >= ts.SyntaxKind.FirstAssignment && kind <= ts.SyntaxKind.LastAssignment;
}

function isAmbient(statement: ts.Statement): boolean {
  const modifiers = ts.canHaveModifiers(statement) ? (ts.getModifiers(statement) ?? []) : [];
  return modifiers.some((m) => m.kind === ts.SyntaxKind.DeclareKeyword);
}

/** Statements that only declare, and stay as they are. */
function isDeclaration(statement: ts.Statement): boolean {
  return (
    ts.isImportDeclaration(statement) ||
    ts.isImportEqualsDeclaration(statement) ||
    ts.isExportDeclaration(statement) ||
    ts.isExportAssignment(statement) ||
    ts.isFunctionDeclaration(statement) ||
    ts.isClassDeclaration(statement) ||
    ts.isEnumDeclaration(statement) ||
    ts.isModuleDeclaration(statement) ||
    ts.isInterfaceDeclaration(statement) ||
    ts.isTypeAliasDeclaration(statement) ||
    ts.isEmptyStatement(statement) ||
    (ts.isVariableStatement(statement) && isAmbient(statement))
  );
}

function collectNames(name: ts.BindingName, out: string[]): void {
  if (ts.isIdentifier(name)) out.push(name.text);
  else for (const element of name.elements) if (!ts.isOmittedExpression(element)) collectNames(element.name, out);
}
