/**
 * The SQL of the DuckDB sink, as pure functions: how a table's columns are inferred from
 * records, how a record is staged, and the statements of one commit.
 *
 * Staging: every record is stored as one JSON object (all the table's columns, nulls included)
 * in `_weir_staging(sink, epoch, seq, row)`, where `sink` identifies the writer (job, operator,
 * subtask and run) and `epoch` the checkpoint the record belongs to. A commit turns staged JSON
 * into the table's column types with `json_transform_strict` (a value that does not convert
 * fails the commit, naming it), so the staging table needs no schema of its own.
 */
import { quoteIdent, quoteLiteral } from './sql-text.ts';

/** A target column: its name and DuckDB type. */
export interface SinkColumn {
  name: string;
  type: string;
}

/** A table name, parsed: 'name' or 'schema.name'. */
export interface TableName {
  schema: string | undefined;
  name: string;
  /** Quoted for SQL. */
  sql: string;
}

export function parseTableName(table: string): TableName {
  const parts = table.split('.');
  const name = parts.pop()!;
  const schema = parts[0];
  return { schema, name, sql: schema ? `${quoteIdent(schema)}.${quoteIdent(name)}` : quoteIdent(name) };
}

export const STAGING_TABLE = '_weir_staging';
export const COMMITS_TABLE = '_weir_commits';

/** Creates the sink's bookkeeping tables (idempotent). */
export const BOOKKEEPING_DDL = [
  `CREATE TABLE IF NOT EXISTS ${STAGING_TABLE} (sink VARCHAR NOT NULL, epoch BIGINT NOT NULL, seq BIGINT NOT NULL, row JSON NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS ${COMMITS_TABLE} (job VARCHAR NOT NULL, operator VARCHAR NOT NULL, subtask INTEGER NOT NULL, run VARCHAR NOT NULL, checkpoint BIGINT NOT NULL, target VARCHAR NOT NULL, rows BIGINT NOT NULL, committed_at TIMESTAMP NOT NULL)`,
];

type Kind = 'number' | 'integer' | 'bigint' | 'hugeint' | 'boolean' | 'string' | 'date' | 'json';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function kindOf(v: unknown): Kind | undefined {
  switch (typeof v) {
    case 'number':
      return Number.isInteger(v) ? 'integer' : 'number';
    case 'bigint':
      return v < INT64_MIN || v > INT64_MAX ? 'hugeint' : 'bigint';
    case 'boolean':
      return 'boolean';
    case 'string':
      return 'string';
    case 'object':
      if (v === null) return undefined;
      return v instanceof Date ? 'date' : 'json';
    default:
      return undefined;
  }
}

const NUMERIC: Kind[] = ['number', 'integer', 'bigint', 'hugeint'];

/**
 * Column types for records, from a sample (the first records):
 * number → DOUBLE (integers too: a later 1.5 must fit), bigint → BIGINT (HUGEINT beyond
 * int64), boolean → BOOLEAN, string → VARCHAR, Date → TIMESTAMP, object/array → JSON; a
 * field that is always null → VARCHAR; bigints mixed with numbers → DOUBLE; other mixes →
 * VARCHAR. Columns are ordered by first appearance.
 *
 * @example
 * inferColumns([{ zone: 'A', n: 3, at: new Date(0) }]);
 * // [{ name: 'zone', type: 'VARCHAR' }, { name: 'n', type: 'DOUBLE' }, { name: 'at', type: 'TIMESTAMP' }]
 */
export function inferColumns(sample: readonly Record<string, unknown>[]): SinkColumn[] {
  const kinds = new Map<string, Set<Kind>>();
  for (const record of sample) {
    for (const [name, value] of Object.entries(record)) {
      const set = kinds.get(name) ?? new Set<Kind>();
      kinds.set(name, set);
      const k = kindOf(value);
      if (k) set.add(k);
    }
  }
  return [...kinds].map(([name, set]) => ({ name, type: typeFor(set) }));
}

function typeFor(set: Set<Kind>): string {
  if (set.size === 0) return 'VARCHAR';
  const only = [...set];
  if (only.every((k) => NUMERIC.includes(k))) {
    if (set.has('number') || set.has('integer')) return 'DOUBLE';
    return set.has('hugeint') ? 'HUGEINT' : 'BIGINT';
  }
  if (set.size > 1) return 'VARCHAR';
  return { boolean: 'BOOLEAN', string: 'VARCHAR', date: 'TIMESTAMP', json: 'JSON' }[only[0] as 'boolean' | 'string' | 'date' | 'json'];
}

const BIG = '\u0000big:';

/**
 * A record as the JSON object staged for it: exactly the table's columns (null when absent).
 * Bigints keep all their digits; Dates become ISO strings; Maps objects; Sets arrays.
 */
export function stagedJson(record: Record<string, unknown>, columns: readonly SinkColumn[]): string {
  const o: Record<string, unknown> = {};
  for (const c of columns) o[c.name] = record[c.name] ?? null;
  let big = false;
  const text = JSON.stringify(o, (_k, v: unknown) => {
    if (typeof v === 'bigint') {
      big = true;
      return `${BIG}${v}`;
    }
    if (v instanceof Map) return Object.fromEntries(v);
    if (v instanceof Set) return [...v];
    return v;
  });
  return big ? text.replace(/"\\u0000big:(-?\d+)"/g, '$1') : text;
}

/** Who writes: one sink subtask in one run of a job. */
export interface SinkIdentity {
  job: string;
  operator: string;
  subtask: number;
  /** Unique per run (a restored run keeps its id). */
  run: string;
}

/** The `sink` value of staged rows of this writer. */
export function sinkId(id: SinkIdentity): string {
  return `${sinkPrefix(id)}${id.run}`;
}

/** What all runs of one writer have in common (to clean up what a crashed run left). */
export function sinkPrefix(id: Pick<SinkIdentity, 'job' | 'operator' | 'subtask'>): string {
  return `${id.job}\u241f${id.operator}\u241f${id.subtask}\u241f`;
}

/** Returns a row when `epoch` of this writer was already committed (the idempotence guard). */
export function commitGuard(id: SinkIdentity, epoch: number): string {
  return `SELECT 1 FROM ${COMMITS_TABLE} WHERE job = ${quoteLiteral(id.job)} AND operator = ${quoteLiteral(id.operator)} AND subtask = ${id.subtask} AND run = ${quoteLiteral(id.run)} AND checkpoint = ${epoch}`;
}

/**
 * The statements of one commit, run in one transaction after `commitGuard` found nothing:
 * create the table if needed, apply the staged rows of epochs ≤ `epoch` (upsert: delete rows
 * with the staged keys, insert the latest staged row per key), drop them from staging, and
 * record the commit.
 */
export function commitStatements(options: {
  id: SinkIdentity;
  epoch: number;
  table: TableName;
  columns: readonly SinkColumn[];
  createTable: boolean;
  mode: 'append' | 'upsert';
  key: readonly string[];
  rows: number;
}): string[] {
  const { id, epoch, table, columns, mode, key } = options;
  const staged = `${STAGING_TABLE} WHERE sink = ${quoteLiteral(sinkId(id))} AND epoch <= ${epoch}`;
  const structure = quoteLiteral(JSON.stringify(Object.fromEntries(columns.map((c) => [c.name, c.type]))));
  const source = `(SELECT seq AS weir_seq, unnest(json_transform_strict(row, ${structure})) FROM ${staged})`;
  const names = columns.map((c) => quoteIdent(c.name)).join(', ');
  const statements: string[] = [];
  if (options.createTable) {
    const cols = columns.map((c) => `${quoteIdent(c.name)} ${c.type}`).join(', ');
    if (table.schema) statements.push(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(table.schema)}`);
    statements.push(`CREATE TABLE IF NOT EXISTS ${table.sql} (${cols})`);
  }
  if (mode === 'upsert') {
    const match = key.map((k) => `s.${quoteIdent(k)} IS NOT DISTINCT FROM t.${quoteIdent(k)}`).join(' AND ');
    statements.push(`DELETE FROM ${table.sql} AS t WHERE EXISTS (SELECT 1 FROM ${source} AS s WHERE ${match})`);
    const partition = key.map((k) => quoteIdent(k)).join(', ');
    statements.push(
      `INSERT INTO ${table.sql} (${names}) SELECT ${names} FROM ${source} AS s QUALIFY row_number() OVER (PARTITION BY ${partition} ORDER BY weir_seq DESC) = 1`,
    );
  } else {
    statements.push(`INSERT INTO ${table.sql} (${names}) SELECT ${names} FROM ${source} AS s ORDER BY weir_seq`);
  }
  statements.push(`DELETE FROM ${staged}`);
  statements.push(
    `INSERT INTO ${COMMITS_TABLE} VALUES (${quoteLiteral(id.job)}, ${quoteLiteral(id.operator)}, ${id.subtask}, ${quoteLiteral(id.run)}, ${epoch}, ${quoteLiteral(table.sql)}, ${options.rows}, now()::TIMESTAMP)`,
  );
  return statements;
}

/** Reads a table's columns: `information_schema` rows → SinkColumns (empty when it does not exist). */
export function describeTableSql(table: TableName): string {
  const schema = table.schema ? quoteLiteral(table.schema) : 'current_schema()';
  return `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = ${schema} AND table_name = ${quoteLiteral(table.name)} ORDER BY ordinal_position`;
}
