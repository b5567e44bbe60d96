/**
 * The statements and expressions Weir's planner reads: a small tree built from the Flink SQL
 * grammar's parse tree (ast-builder.ts), so that planning does not depend on the grammar's
 * rule shapes. Every node keeps its position for error messages. (Flink's counterpart is
 * Calcite's `SqlNode` tree.)
 */
import type { SqlPosition } from './errors.ts';
import type { SqlType } from './types.ts';

export type Expr =
  | { kind: 'literal'; value: unknown; type: SqlType; pos: SqlPosition }
  | { kind: 'column'; name: string; qualifier?: string; pos: SqlPosition }
  | { kind: 'call'; name: string; args: Expr[]; distinct: boolean; star: boolean; pos: SqlPosition }
  | { kind: 'binary'; op: BinaryOp; left: Expr; right: Expr; pos: SqlPosition }
  | { kind: 'unary'; op: '-' | '+' | 'NOT'; operand: Expr; pos: SqlPosition }
  | { kind: 'is'; operand: Expr; test: 'NULL' | 'TRUE' | 'FALSE' | 'UNKNOWN'; negated: boolean; pos: SqlPosition }
  | { kind: 'between'; operand: Expr; low: Expr; high: Expr; negated: boolean; pos: SqlPosition }
  | { kind: 'in'; operand: Expr; list: Expr[]; negated: boolean; pos: SqlPosition }
  | { kind: 'like'; operand: Expr; pattern: Expr; negated: boolean; escape?: string; pos: SqlPosition }
  | { kind: 'case'; operand?: Expr; whens: { when: Expr; then: Expr }[]; otherwise?: Expr; pos: SqlPosition }
  | { kind: 'cast'; operand: Expr; type: SqlType; pos: SqlPosition }
  | { kind: 'extract'; unit: string; operand: Expr; pos: SqlPosition }
  /** A time unit written as a function argument: `TIMESTAMPADD(HOUR, ...)`, `FLOOR(x TO DAY)`. */
  | { kind: 'unit'; unit: string; pos: SqlPosition };

export type BinaryOp = '+' | '-' | '*' | '/' | '%' | '||' | '=' | '<>' | '<' | '<=' | '>' | '>=' | 'AND' | 'OR';

/** One key of an ORDER BY. */
export interface OrderItem {
  expr: Expr;
  descending: boolean;
  pos: SqlPosition;
}

export type SelectItem =
  | { kind: 'expr'; expr: Expr; alias?: string; pos: SqlPosition }
  | { kind: 'star'; qualifier?: string; pos: SqlPosition }
  /**
   * `fn OVER (PARTITION BY ... ORDER BY ... [frame]) AS alias`: ROW_NUMBER() in Top-N and
   * deduplication, an aggregate in an OVER aggregation.
   */
  | { kind: 'over'; call: Expr; partitionBy: Expr[]; orderBy: OrderItem[]; frame?: OverFrame; alias: string; pos: SqlPosition };

/**
 * An OVER window's frame, which always ends at CURRENT ROW: `ROWS BETWEEN 5 PRECEDING AND CURRENT
 * ROW` (`preceding` rows before), `RANGE BETWEEN INTERVAL '1' MINUTE PRECEDING AND CURRENT ROW`
 * (`preceding` ms before), or UNBOUNDED PRECEDING.
 */
export interface OverFrame {
  unit: 'ROWS' | 'RANGE';
  preceding: number | 'UNBOUNDED';
  pos: SqlPosition;
}

/** A windowing table-valued function over a table: `TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '1' MINUTE))`. */
export interface WindowTvf {
  kind: 'window';
  fn: 'TUMBLE' | 'HOP' | 'CUMULATE' | 'SESSION';
  table: string;
  timeColumn: string;
  /** TUMBLE: size; HOP: slide then size; CUMULATE: step then size; then an optional offset; SESSION: the gap — in ms. */
  intervals: number[];
  /** SESSION's `PARTITION BY` columns: sessions are found per value of these. */
  partitionBy?: string[];
  alias?: string;
  pos: SqlPosition;
}

export type FromItem =
  /** A table; `asOf`: `FOR SYSTEM_TIME AS OF o.ts`, a temporal join's version of it at that time. */
  | { kind: 'table'; name: string; alias?: string; asOf?: Expr; pos: SqlPosition }
  | { kind: 'subquery'; query: Query; alias?: string; pos: SqlPosition }
  /** A regular join: `left [LEFT | RIGHT | FULL [OUTER]] JOIN right ON condition`. */
  | { kind: 'join'; type: 'INNER' | 'LEFT' | 'RIGHT' | 'FULL'; left: FromItem; right: FromItem; on: Expr; pos: SqlPosition }
  | WindowTvf;

export interface Query {
  kind: 'select';
  distinct: boolean;
  items: SelectItem[];
  from: FromItem;
  where?: Expr;
  groupBy?: Expr[];
  having?: Expr;
  /** `UNION ALL`: the rows of these queries follow this one's (each without a `unionAll` of its own). */
  unionAll?: Query[];
  pos: SqlPosition;
}

export interface ColumnDef {
  name: string;
  type?: SqlType;
  /** A computed column: `cost AS price * quantity`. */
  computed?: Expr;
  pos: SqlPosition;
}

export type Statement =
  | {
      kind: 'createTable';
      name: string;
      ifNotExists: boolean;
      columns: ColumnDef[];
      watermark?: { column: string; expr: Expr; pos: SqlPosition };
      primaryKey?: string[];
      options: Record<string, string>;
      pos: SqlPosition;
    }
  | { kind: 'createView'; name: string; ifNotExists: boolean; columns?: string[]; query: Query; pos: SqlPosition }
  | { kind: 'dropTable'; name: string; ifExists: boolean; pos: SqlPosition }
  | { kind: 'insert'; table: string; columns?: string[]; query: Query; pos: SqlPosition }
  | { kind: 'query'; query: Query; pos: SqlPosition }
  | { kind: 'set'; key?: string; value?: string; pos: SqlPosition }
  /** `EXPLAIN [PLAN FOR] SELECT ... | INSERT ...`: the plan, not a run. */
  | { kind: 'explain'; statement: Extract<Statement, { kind: 'query' | 'insert' }>; pos: SqlPosition };

/** A statement with its own text, as the user wrote it. */
export interface ParsedStatement {
  statement: Statement;
  text: string;
}
