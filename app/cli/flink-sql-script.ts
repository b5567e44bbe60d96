/**
 * The `[flink-sql]` cells of a notebook as one script for Flink's SQL client (`sql-client.sh
 * -f job.sql`): each statement as written, except the WITH options of CREATE TABLE, which are
 * checked against the options Flink's own connectors and formats take. An option with a Flink
 * form is mapped to it (a path relative to the notebook becomes absolute: the SQL client does
 * not run in the notebook's folder), and says so in a note; an option or connector only Weir
 * has is refused, naming the table, the option and the cell. (Flink's counterpart: what the SQL
 * client reads, `SqlClient` with `-f`.)
 */
import path from 'node:path';
import type { ParsedStatement } from '../../engine/sql/ast.ts';
import type { Notebook } from '../shared/notebook/model.ts';

/** A script and what making it said. */
export interface FlinkSqlScript {
  /** The script, statements separated by `;`, each cell's statements under a comment naming the cell. */
  script: string;
  /** Options mapped to their Flink form, one sentence each. */
  notes: string[];
  /** What has no Flink form: the script must not be run while there are any. */
  refusals: string[];
}

/** The options of Flink's connectors that Weir runs (Flink 1.19+); `*` stands for a field or format name. */
const FLINK_OPTIONS: Record<string, RegExp> = {
  filesystem:
    /^(connector|path|format|source\.monitor-interval|source\.path\.regex-pattern|partition\.default-name|auto-compaction|compaction\.file-size|sink\.(rolling-policy|partition-commit)\..+|csv\.(field-delimiter|disable-quote-character|quote-character|allow-comments|ignore-parse-errors|array-element-delimiter|escape-character|null-literal)|json\.(fail-on-missing-field|ignore-parse-errors|timestamp-format\.standard|map-null-key\.(mode|literal)|encode\.decimal-as-plain-number)|parquet\..+)$/,
  datagen: /^(connector|number-of-rows|rows-per-second|scan\.parallelism|fields\.[^.]+\.(kind|min|max|max-past|length|start|end|null-rate|var-len))$/,
  print: /^(connector|print-identifier|standard-error|sink\.parallelism)$/,
  blackhole: /^connector$/,
};

/** What each Weir-only option is, for the refusal. */
const WEIR_ONLY: Record<string, string> = {
  'csv.ignore-first-line':
    "Weir's (after Flink's legacy csv format) way to skip a header line; Flink's csv format reads every line as a row: remove the header from the file (or the option, if the file has none)",
};

const quote = (s: string) => `'${s.replaceAll("'", "''")}'`;

/**
 * The script of a notebook's `[flink-sql]` cells; `parse` is the Flink grammar (engine/sql/parser.ts).
 *
 * @example
 * const { script, notes, refusals } = flinkSqlScript(notebook, '/home/me/notebooks', parseSql);
 */
export function flinkSqlScript(notebook: Notebook, notebookDir: string, parse: (sql: string) => ParsedStatement[]): FlinkSqlScript {
  const notes: string[] = [];
  const refusals: string[] = [];
  const parts: string[] = [
    '-- Written by `weir export --flink-sql`. Run with: sql-client.sh -f job.sql',
    '-- Scripts run with -f show query results in tableau mode only.',
    "SET 'sql-client.execution.result-mode' = 'tableau';",
  ];
  notebook.cells.forEach((cell, index) => {
    if (cell.kind !== 'flink-sql') return;
    const where = `cell ${index + 1} (line ${cell.startLine})`;
    let statements: ParsedStatement[];
    try {
      statements = parse(cell.source);
    } catch (error) {
      const e = error as { reason?: string; message: string; position?: { line: number; column: number } };
      const at = e.position ? ` (line ${cell.startLine + e.position.line - 1}, column ${e.position.column})` : '';
      refusals.push(`${where}: ${e.reason ?? e.message}${at}`);
      return;
    }
    parts.push('', `-- ${where}${cell.title ? `: ${cell.title}` : ''}`);
    for (const parsed of statements) {
      const s = parsed.statement;
      if (s.kind !== 'createTable') {
        parts.push(`${parsed.text};`);
        continue;
      }
      const options = tableOptions(s.name, s.options, notebookDir, where, notes, refusals);
      parts.push(`${withoutWithClause(parsed.text)}WITH (\n${Object.entries(options).map(([k, v]) => `  ${quote(k)} = ${quote(v)}`).join(',\n')}\n);`);
    }
  });
  return { script: `${parts.join('\n')}\n`, notes, refusals };
}

/** A table's options as Flink's connector takes them; what cannot be is refused. */
function tableOptions(table: string, options: Record<string, string>, notebookDir: string, where: string, notes: string[], refusals: string[]): Record<string, string> {
  const connector = options['connector'] ?? '';
  const known = FLINK_OPTIONS[connector];
  if (!known) {
    refusals.push(`${where}: table '${table}': the connector '${connector}' is not one of Flink's that Weir maps (${Object.keys(FLINK_OPTIONS).join(', ')})`);
    return options;
  }
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(options)) {
    if (!known.test(key)) {
      refusals.push(`${where}: table '${table}': the option '${key}' has no counterpart in Flink's ${connector} connector${WEIR_ONLY[key] ? `: it is ${WEIR_ONLY[key]}` : ''}`);
      continue;
    }
    if (connector === 'filesystem' && key === 'path' && !path.isAbsolute(value) && !/^[a-z][a-z0-9+.-]*:/i.test(value)) {
      const absolute = path.resolve(notebookDir, value) + (value.endsWith('/') ? '/' : '');
      notes.push(`${where}: table '${table}': 'path' = '${value}' is relative to the notebook; the SQL client resolves paths elsewhere, so job.sql names '${absolute}' (copy the data where the cluster can read it and change the path if it runs on other machines)`);
      out[key] = absolute;
      continue;
    }
    out[key] = value;
  }
  return out;
}

/** A CREATE TABLE's text up to its WITH clause (the last `WITH (` outside quotes: LIKE and PARTITIONED BY are refused before). */
function withoutWithClause(text: string): string {
  const masked = text.replace(/'(?:[^']|'')*'|`(?:[^`]|``)*`/g, (m) => ' '.repeat(m.length));
  const matches = [...masked.matchAll(/\bWITH\s*\(/gi)];
  const at = matches[matches.length - 1]?.index;
  if (at === undefined) throw new Error(`CREATE TABLE without WITH: ${text}`);
  return text.slice(0, at);
}
