/**
 * Effects of the statements a worker keeps (slice.ts). A statement that builds the job graph
 * runs again on every taskmanager that rebuilds the job, and with it whatever else the
 * statement does: `if (fresh) { rmSync(out, { recursive: true }); env.fromCollection(rows)... }`
 * deletes `out` once in the kernel and once more per taskmanager. The user is told which
 * statement and what it does, by line, since the slice cannot drop half a statement.
 *
 * Only what the statement itself calls is seen, outside functions it defines (they run later,
 * as the job's functions): an effect inside a function the statement calls is not.
 */
import ts from 'typescript';

/** One effect of a kept statement. */
export interface KeptEffect {
  /** 1-based line of the call within the cell's source. */
  line: number;
  /** What it does, as a phrase: `writes files (rmSync)`. */
  what: string;
}

const FILE_CHANGES = new Set([
  'writeFile', 'writeFileSync', 'appendFile', 'appendFileSync', 'rm', 'rmSync', 'rmdir', 'rmdirSync', 'unlink', 'unlinkSync',
  'mkdir', 'mkdirSync', 'rename', 'renameSync', 'copyFile', 'copyFileSync', 'cp', 'cpSync', 'truncate', 'truncateSync',
]);
const TIMERS = new Set(['setTimeout', 'setInterval', 'setImmediate']);
const PROCESSES = new Set(['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork']);

/**
 * The effects of a kept top-level node (a statement, or a variable's initialiser).
 *
 * @example
 * keptEffects(ifStatement, file); // [{ line: 4, what: 'writes files (rmSync)' }]
 */
export function keptEffects(node: ts.Node, file: ts.SourceFile): KeptEffect[] {
  const effects: KeptEffect[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isFunctionLike(n) || ts.isClassLike(n)) return;
    if (ts.isCallExpression(n)) {
      const what = effectOf(n.expression);
      if (what) effects.push({ line: file.getLineAndCharacterOfPosition(n.getStart(file)).line + 1, what });
    }
    ts.forEachChild(n, visit);
  };
  visit(node);
  return effects;
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
