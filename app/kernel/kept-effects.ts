/**
 * Effects of the statements a worker keeps (slice.ts). A statement that builds the job graph
 * runs again on every taskmanager that rebuilds the job, and with it whatever else the
 * statement does: `if (fresh) { rmSync(out, { recursive: true }); env.fromCollection(rows)... }`
 * deletes `out` once in the kernel and once more per taskmanager. The user is told which
 * statement and what it does, by line, since the slice cannot drop half a statement.
 *
 * What the statement calls now is seen, and what the notebook's own functions it calls do
 * (`const src = makeSource()` where `makeSource` writes a file), followed through calls between
 * them up to a few levels. Functions a statement only defines or hands to the engine (a `map`
 * callback) run later, as the job's functions, and are not followed.
 */
import ts from 'typescript';

/** One effect of a kept statement. */
export interface KeptEffect {
  /** 1-based line of the call within the cell's source. */
  line: number;
  /** What it does, as a phrase: `writes files (rmSync)`, or through a function `writes files (rmSync in makeSource, cell 1, line 4)`. */
  what: string;
}

/** A function the notebook declares at the top level of a cell, which kept statements may call. */
export interface NotebookFunction {
  /** Its body (or an arrow's expression), searched for effects. */
  body: ts.Node;
  /** The cell's source file, for positions. */
  file: ts.SourceFile;
  /** 0-based index of the declaring cell. */
  cell: number;
  /** File line of the cell's first source line, to turn cell lines into file lines. */
  startLine: number;
}

/** How many calls deep effects are followed into the notebook's functions. */
const MAX_CALL_DEPTH = 4;

const FILE_CHANGES = new Set([
  'writeFile', 'writeFileSync', 'appendFile', 'appendFileSync', 'rm', 'rmSync', 'rmdir', 'rmdirSync', 'unlink', 'unlinkSync',
  'mkdir', 'mkdirSync', 'rename', 'renameSync', 'copyFile', 'copyFileSync', 'cp', 'cpSync', 'truncate', 'truncateSync',
]);
const TIMERS = new Set(['setTimeout', 'setInterval', 'setImmediate']);
const PROCESSES = new Set(['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork']);

/**
 * The effects of a kept top-level node (a statement, or a variable's initialiser), including
 * those inside `functions` of the notebook that it calls.
 *
 * @example
 * keptEffects(ifStatement, file); // [{ line: 4, what: 'writes files (rmSync)' }]
 * keptEffects(init, file, functions); // [{ line: 9, what: 'writes files (writeFileSync in makeSource, cell 1, line 3)' }]
 */
export function keptEffects(node: ts.Node, file: ts.SourceFile, functions: ReadonlyMap<string, NotebookFunction> = new Map()): KeptEffect[] {
  const effects: KeptEffect[] = [];
  const lineIn = (n: ts.Node, f: ts.SourceFile): number => f.getLineAndCharacterOfPosition(n.getStart(f)).line + 1;
  for (const call of callsIn(node)) {
    const line = lineIn(call, file);
    const what = effectOf(call.expression);
    if (what) effects.push({ line, what });
    const callee = ts.isIdentifier(call.expression) ? functions.get(call.expression.text) : undefined;
    if (callee) {
      for (const inner of effectsThrough(call.expression.getText(file), callee, functions, new Set(), 1)) {
        effects.push({ line, what: `${inner.what} (${inner.call} in ${inner.path}, cell ${inner.cell + 1}, line ${inner.line})` });
      }
    }
  }
  return effects;
}

interface InnerEffect {
  what: string;
  /** The effect's own call, `writeFileSync`. */
  call: string;
  /** The functions from the one the statement calls to the one with the effect: `makeSource → write`. */
  path: string;
  cell: number;
  /** File line of the effect. */
  line: number;
}

/** The effects inside `fn` and the notebook functions it calls, each function once per statement. */
function effectsThrough(name: string, fn: NotebookFunction, functions: ReadonlyMap<string, NotebookFunction>, seen: Set<string>, depth: number): InnerEffect[] {
  if (seen.has(name) || depth > MAX_CALL_DEPTH) return [];
  seen.add(name);
  const out: InnerEffect[] = [];
  for (const call of callsIn(fn.body)) {
    const effect = effectOf(call.expression);
    const line = fn.startLine + fn.file.getLineAndCharacterOfPosition(call.getStart(fn.file)).line;
    if (effect) out.push({ ...splitWhat(effect), path: name, cell: fn.cell, line });
    const callee = call.expression;
    const next = ts.isIdentifier(callee) ? functions.get(callee.text) : undefined;
    if (next && ts.isIdentifier(callee)) {
      for (const inner of effectsThrough(callee.text, next, functions, seen, depth + 1)) out.push({ ...inner, path: `${name} → ${inner.path}` });
    }
  }
  return out;
}

/** `writes files (rmSync)` as its phrase and its call. */
function splitWhat(what: string): { what: string; call: string } {
  const open = what.lastIndexOf(' (');
  return { what: what.slice(0, open), call: what.slice(open + 2, -1) };
}

/** The calls `node` makes when it runs, in source order: not those inside functions or classes it defines. */
function callsIn(node: ts.Node): ts.CallExpression[] {
  const calls: ts.CallExpression[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isCallExpression(n)) calls.push(n);
    ts.forEachChild(n, (child) => {
      if (!ts.isFunctionLike(child) && !ts.isClassLike(child)) visit(child);
    });
  };
  if (ts.isFunctionLike(node) || ts.isClassLike(node)) return calls;
  visit(node);
  return calls;
}

/**
 * The top-level functions a cell declares (`function f() {}`, `const f = () => ...`), by name.
 *
 * @example
 * declaredFunctions(file, 0, 1).get('makeSource')?.cell; // 0
 */
export function declaredFunctions(file: ts.SourceFile, cell: number, startLine: number): Map<string, NotebookFunction> {
  const functions = new Map<string, NotebookFunction>();
  for (const statement of file.statements) {
    if (ts.isFunctionDeclaration(statement) && statement.name && statement.body) {
      functions.set(statement.name.text, { body: statement.body, file, cell, startLine });
    } else if (ts.isVariableStatement(statement)) {
      for (const d of statement.declarationList.declarations) {
        const init = d.initializer;
        if (ts.isIdentifier(d.name) && init && (ts.isArrowFunction(init) || ts.isFunctionExpression(init))) {
          functions.set(d.name.text, { body: init.body, file, cell, startLine });
        }
      }
    }
  }
  return functions;
}

/** What calling `callee` does, when it is an effect this file knows. */
function effectOf(callee: ts.Expression): string | undefined {
  const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
  const owner = ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) ? callee.expression.text : undefined;
  if (name === undefined) return undefined;
  if (owner === 'console') return `prints (console.${name})`;
  if (owner === 'process' && name === 'exit') return 'ends the process (process.exit)';
  if (name === 'assert' || owner === 'assert') return `asserts (${owner ? `${owner}.` : ''}${name})`;
  if (FILE_CHANGES.has(name)) return `writes files (${name})`;
  if (TIMERS.has(name) && owner === undefined) return `sets a timer (${name})`;
  if (PROCESSES.has(name)) return `starts a process (${name})`;
  if (name === 'fetch' && owner === undefined) return 'makes a network request (fetch)';
  return undefined;
}
