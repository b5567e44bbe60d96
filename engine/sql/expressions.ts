/**
 * Compiles SQL expressions to JavaScript closures over a row, checking names and types once,
 * before the job runs. Three-valued logic as SQL's: NULL compares to nothing, `NULL AND FALSE`
 * is FALSE, a WHERE keeps only TRUE. Integer arithmetic stays integral (`7 / 2` is 3), as in
 * Flink. (Flink's counterpart: the code generator `ExprCodeGenerator`.)
 */
import type { Expr } from './ast.ts';
import { castFunction } from './casts.ts';
import { SqlError, SqlUnsupportedError, SqlValidationError, type SqlPosition } from './errors.ts';
import { SCALAR_FUNCTIONS, extractField, isExtractUnit, unify } from './functions.ts';
import { T, comparable, formatType, isInteger, isNumeric, isString, isTimestamp, widerNumeric, type SqlType } from './types.ts';

/** An expression ready to run: its type, and its value for a row. */
export interface CompiledExpr {
  type: SqlType;
  eval(row: any): unknown;
}

/** What names mean where an expression is compiled: the columns of its input, and aggregates when grouped. */
export interface Scope {
  /** The column `name` (of `qualifier`, when written `t.name`); throws a `SqlValidationError` when unknown. */
  column(name: string, qualifier: string | undefined, pos: SqlPosition): CompiledExpr;
  /** An aggregate call (`COUNT(*)`, `SUM(x)`), where one may stand; undefined where it may not. */
  aggregate?(call: Extract<Expr, { kind: 'call' }>): CompiledExpr;
}

/** Names of the aggregate functions, which only a grouped query may call. */
export const AGGREGATE_NAMES = new Set(['COUNT', 'SUM', 'MIN', 'MAX', 'AVG', 'SUM0', 'COLLECT', 'LISTAGG', 'STDDEV_POP', 'STDDEV_SAMP', 'VAR_POP', 'VAR_SAMP', 'FIRST_VALUE', 'LAST_VALUE', 'ARRAY_AGG']);

/** Whether `expr` calls an aggregate anywhere. */
export function containsAggregate(expr: Expr): boolean {
  switch (expr.kind) {
    case 'call':
      return AGGREGATE_NAMES.has(expr.name) || expr.args.some(containsAggregate);
    case 'binary':
      return containsAggregate(expr.left) || containsAggregate(expr.right);
    case 'unary':
    case 'is':
    case 'cast':
    case 'extract':
      return containsAggregate(expr.operand);
    case 'between':
      return [expr.operand, expr.low, expr.high].some(containsAggregate);
    case 'in':
      return [expr.operand, ...expr.list].some(containsAggregate);
    case 'like':
      return containsAggregate(expr.operand) || containsAggregate(expr.pattern);
    case 'case':
      return [...(expr.operand ? [expr.operand] : []), ...expr.whens.flatMap((w) => [w.when, w.then]), ...(expr.otherwise ? [expr.otherwise] : [])].some(containsAggregate);
    default:
      return false;
  }
}

/** Orders two non-null values of comparable types. */
export function compareValues(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Compiles `expr` in `scope`. */
export function compileExpr(expr: Expr, scope: Scope): CompiledExpr {
  switch (expr.kind) {
    case 'literal': {
      const value = expr.value;
      return { type: expr.type, eval: () => value };
    }
    case 'column':
      return scope.column(expr.name, expr.qualifier, expr.pos);
    case 'unit':
      throw new SqlValidationError(`the time unit ${expr.unit} is not a value`, expr.pos);
    case 'unary':
      return compileUnary(expr, scope);
    case 'binary':
      return expr.op === 'AND' || expr.op === 'OR' ? compileLogical(expr.op, compileBoolean(expr.left, scope), compileBoolean(expr.right, scope)) : compileBinary(expr, scope);
    case 'is':
      return compileIs(expr, scope);
    case 'between': {
      const v = compileExpr(expr.operand, scope);
      const lo = compileExpr(expr.low, scope);
      const hi = compileExpr(expr.high, scope);
      const ge = comparison('>=', v, lo, expr.pos);
      const le = comparison('<=', v, hi, expr.pos);
      const both = compileLogical('AND', ge, le);
      return expr.negated ? not(both) : both;
    }
    case 'in': {
      const v = compileExpr(expr.operand, scope);
      const items = expr.list.map((e) => comparison('=', v, compileExpr(e, scope), e.pos));
      const any = items.reduce((acc, item) => compileLogical('OR', acc, item));
      return expr.negated ? not(any) : any;
    }
    case 'like':
      return compileLike(expr, scope);
    case 'case':
      return compileCase(expr, scope);
    case 'cast': {
      const operand = compileExpr(expr.operand, scope);
      const cast = castFunction(operand.type, expr.type, expr.pos);
      return { type: expr.type, eval: (row) => cast(operand.eval(row)) };
    }
    case 'extract': {
      const operand = compileExpr(expr.operand, scope);
      if (!isExtractUnit(expr.unit)) throw new SqlUnsupportedError(`EXTRACT(${expr.unit} FROM ...)`, expr.pos);
      if (!isTimestamp(operand.type) && operand.type.root !== 'DATE') {
        throw new SqlValidationError(`EXTRACT(${expr.unit} FROM ${formatType(operand.type)}): expects a TIMESTAMP or DATE`, expr.pos);
      }
      const unit = expr.unit;
      return { type: T.BIGINT, eval: (row) => nullOr(operand.eval(row), (v) => extractField(unit, v)) };
    }
    case 'call':
      return compileCall(expr, scope);
  }
}

/** Compiles a condition: its type must be BOOLEAN. */
export function compileBoolean(expr: Expr, scope: Scope): CompiledExpr {
  const c = compileExpr(expr, scope);
  if (c.type.root !== 'BOOLEAN' && c.type.root !== 'NULL') throw new SqlValidationError(`expected a BOOLEAN condition, got ${formatType(c.type)}`, expr.pos);
  return c;
}

function nullOr(v: unknown, fn: (v: unknown) => unknown): unknown {
  return v === null || v === undefined ? null : fn(v);
}

function not(c: CompiledExpr): CompiledExpr {
  return { type: T.BOOLEAN, eval: (row) => nullOr(c.eval(row), (v) => !v) };
}

function compileUnary(expr: Extract<Expr, { kind: 'unary' }>, scope: Scope): CompiledExpr {
  if (expr.op === 'NOT') return not(compileBoolean(expr.operand, scope));
  const operand = compileExpr(expr.operand, scope);
  if (!isNumeric(operand.type) && operand.type.root !== 'INTERVAL') throw new SqlValidationError(`${expr.op}${formatType(operand.type)}: expects a number`, expr.pos);
  return expr.op === '-' ? { type: operand.type, eval: (row) => nullOr(operand.eval(row), (v) => -(v as number)) } : operand;
}

function compileLogical(op: 'AND' | 'OR', left: CompiledExpr, right: CompiledExpr): CompiledExpr {
  // Kleene logic: FALSE decides AND, TRUE decides OR, whatever the other side is.
  const decisive = op === 'OR';
  return {
    type: T.BOOLEAN,
    eval(row) {
      const a = left.eval(row);
      if (a === decisive) return decisive;
      const b = right.eval(row);
      if (b === decisive) return decisive;
      return a === null || a === undefined || b === null || b === undefined ? null : !decisive;
    },
  };
}

function compileIs(expr: Extract<Expr, { kind: 'is' }>, scope: Scope): CompiledExpr {
  const operand = expr.test === 'NULL' ? compileExpr(expr.operand, scope) : compileBoolean(expr.operand, scope);
  const test = expr.test;
  const negated = expr.negated;
  return {
    type: T.BOOLEAN,
    eval(row) {
      const v = operand.eval(row);
      const isNull = v === null || v === undefined;
      const result = test === 'NULL' || test === 'UNKNOWN' ? isNull : test === 'TRUE' ? v === true : v === false;
      return negated ? !result : result;
    },
  };
}

/** `a op b` for comparisons; a string literal against a TIMESTAMP is read as one (Calcite's coercion). */
function comparison(op: string, left: CompiledExpr, right: CompiledExpr, pos: SqlPosition): CompiledExpr {
  [left, right] = coerceTimestampLiterals(left, right, pos);
  if (!comparable(left.type, right.type)) throw new SqlValidationError(`cannot compare ${formatType(left.type)} with ${formatType(right.type)}`, pos);
  const test: (c: number) => boolean =
    op === '=' ? (c) => c === 0 : op === '<>' ? (c) => c !== 0 : op === '<' ? (c) => c < 0 : op === '<=' ? (c) => c <= 0 : op === '>' ? (c) => c > 0 : (c) => c >= 0;
  return {
    type: T.BOOLEAN,
    eval(row) {
      const a = left.eval(row);
      if (a === null || a === undefined) return null;
      const b = right.eval(row);
      if (b === null || b === undefined) return null;
      return test(compareValues(a, b));
    },
  };
}

function coerceTimestampLiterals(left: CompiledExpr, right: CompiledExpr, pos: SqlPosition): [CompiledExpr, CompiledExpr] {
  const toTs = (c: CompiledExpr, target: SqlType) => {
    const cast = castFunction(c.type, target, pos);
    return { type: target, eval: (row: any) => cast(c.eval(row)) };
  };
  if (isTimestamp(left.type) && isString(right.type)) return [left, toTs(right, left.type)];
  if (isString(left.type) && isTimestamp(right.type)) return [toTs(left, right.type), right];
  return [left, right];
}

function compileBinary(expr: Extract<Expr, { kind: 'binary' }>, scope: Scope): CompiledExpr {
  const left = compileExpr(expr.left, scope);
  const right = compileExpr(expr.right, scope);
  const op = expr.op;
  if (['=', '<>', '<', '<=', '>', '>='].includes(op)) return comparison(op, left, right, expr.pos);
  if (op === '||') {
    if (!isString(left.type) || !isString(right.type)) throw new SqlValidationError(`${formatType(left.type)} || ${formatType(right.type)}: expects strings`, expr.pos);
    return strict2(T.STRING, left, right, (a, b) => String(a) + String(b));
  }
  // Time arithmetic: TIMESTAMP ± INTERVAL.
  if (isTimestamp(left.type) && right.type.root === 'INTERVAL' && (op === '+' || op === '-')) {
    return strict2(left.type, left, right, op === '+' ? (a, b) => (a as number) + (b as number) : (a, b) => (a as number) - (b as number));
  }
  if (left.type.root === 'INTERVAL' && isTimestamp(right.type) && op === '+') return strict2(right.type, left, right, (a, b) => (a as number) + (b as number));
  const bothNumeric = (isNumeric(left.type) || left.type.root === 'NULL') && (isNumeric(right.type) || right.type.root === 'NULL');
  if (!bothNumeric) throw new SqlValidationError(`${formatType(left.type)} ${op} ${formatType(right.type)}: expects numbers`, expr.pos);
  const type = left.type.root === 'NULL' ? right.type : right.type.root === 'NULL' ? left.type : widerNumeric(left.type, right.type);
  const integral = isInteger(type);
  switch (op) {
    case '+':
      return strict2(type, left, right, (a, b) => (a as number) + (b as number));
    case '-':
      return strict2(type, left, right, (a, b) => (a as number) - (b as number));
    case '*':
      return strict2(type, left, right, (a, b) => (a as number) * (b as number));
    case '/': {
      // Integer division truncates toward zero and fails on zero, as Java's does in Flink.
      const divType = type.root === 'DECIMAL' ? { root: 'DECIMAL' as const, precision: 38, scale: Math.max(type.scale ?? 0, 6) } : type;
      return strict2(divType, left, right, (a, b) => {
        if (integral) {
          if (b === 0) throw new SqlError(`division by zero in ${String(a)} / 0`, expr.pos);
          // + 0: Java's integers have no negative zero.
          return Math.trunc((a as number) / (b as number)) + 0;
        }
        return (a as number) / (b as number);
      });
    }
    case '%':
      return strict2(type, left, right, (a, b) => {
        if (integral && b === 0) throw new SqlError(`division by zero in ${String(a)} % 0`, expr.pos);
        return integral ? ((a as number) % (b as number)) + 0 : (a as number) % (b as number);
      });
    default:
      throw new SqlUnsupportedError(`the operator ${op}`, expr.pos);
  }
}

function strict2(type: SqlType, left: CompiledExpr, right: CompiledExpr, fn: (a: unknown, b: unknown) => unknown): CompiledExpr {
  return {
    type,
    eval(row) {
      const a = left.eval(row);
      if (a === null || a === undefined) return null;
      const b = right.eval(row);
      if (b === null || b === undefined) return null;
      return fn(a, b);
    },
  };
}

/** SQL LIKE: `%` any run, `_` one character, an optional escape character. */
function likeRegex(pattern: string, escape?: string): RegExp {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (escape && c === escape && i + 1 < pattern.length) {
      out += pattern[++i]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    } else if (c === '%') out += '[\\s\\S]*';
    else if (c === '_') out += '[\\s\\S]';
    else out += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`, 'u');
}

function compileLike(expr: Extract<Expr, { kind: 'like' }>, scope: Scope): CompiledExpr {
  const operand = compileExpr(expr.operand, scope);
  const pattern = compileExpr(expr.pattern, scope);
  if (!isString(operand.type) || !isString(pattern.type)) throw new SqlValidationError(`LIKE expects strings, got ${formatType(operand.type)} and ${formatType(pattern.type)}`, expr.pos);
  const cache = new Map<string, RegExp>();
  const escape = expr.escape;
  const negated = expr.negated;
  return strict2(T.BOOLEAN, operand, pattern, (s, p) => {
    let re = cache.get(p as string);
    if (!re) cache.set(p as string, (re = likeRegex(p as string, escape)));
    return re.test(s as string) !== negated;
  });
}

function compileCase(expr: Extract<Expr, { kind: 'case' }>, scope: Scope): CompiledExpr {
  const operand = expr.operand ? compileExpr(expr.operand, scope) : undefined;
  const whens = expr.whens.map((w) => ({
    when: operand ? comparison('=', operand, compileExpr(w.when, scope), w.when.pos) : compileBoolean(w.when, scope),
    then: compileExpr(w.then, scope),
  }));
  const otherwise = expr.otherwise ? compileExpr(expr.otherwise, scope) : undefined;
  const type = unify([...whens.map((w) => w.then.type), ...(otherwise ? [otherwise.type] : [])], expr.pos, 'CASE');
  return {
    type,
    eval(row) {
      for (const w of whens) if (w.when.eval(row) === true) return w.then.eval(row);
      return otherwise ? otherwise.eval(row) : null;
    },
  };
}

function compileCall(expr: Extract<Expr, { kind: 'call' }>, scope: Scope): CompiledExpr {
  if (AGGREGATE_NAMES.has(expr.name)) {
    if (!scope.aggregate) throw new SqlValidationError(`the aggregate ${expr.name} is not allowed here (only in the SELECT list or HAVING of a grouped query)`, expr.pos);
    return scope.aggregate(expr);
  }
  if (expr.name === 'TRY_CAST') throw new SqlUnsupportedError('TRY_CAST', expr.pos);
  const fn = SCALAR_FUNCTIONS[expr.name === 'SUBSTR' ? 'SUBSTRING' : expr.name];
  if (!fn) throw new SqlUnsupportedError(`the function ${expr.name}`, expr.pos);
  if (expr.distinct || expr.star) throw new SqlValidationError(`${expr.name} takes no ${expr.star ? '*' : 'DISTINCT'}`, expr.pos);
  const [min, max] = fn.arity;
  if (expr.args.length < min || expr.args.length > max) {
    const wanted = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
    throw new SqlValidationError(`${expr.name} takes ${wanted} arguments, got ${expr.args.length}`, expr.pos);
  }
  const args = expr.args.map((a) => compileExpr(a, scope));
  const types = args.map((a) => a.type);
  const type = fn.returns(types, expr.pos, expr.name);
  const strict = fn.strict ?? true;
  const call = fn.call;
  return {
    type,
    eval(row) {
      const values = args.map((a) => a.eval(row) ?? null);
      if (strict && values.some((v) => v === null)) return null;
      return call(values, types) ?? null;
    },
  };
}
