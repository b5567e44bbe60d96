/**
 * nexmark-flink's query files (test/fixtures/nexmark-sql) as Weir runs them: the flattened DDL
 * with the event count filled in, then each file's statements, the INSERT's SELECT collected
 * instead of written to its blackhole table (the query text is the file's).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { StreamExecutionEnvironment, StreamTableEnvironment, type Row } from '../../../engine/index.node.ts';

export const QUERY_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/nexmark-sql');

const withoutComments = (sql: string) =>
  sql
    .split('\n')
    .filter((l) => !l.trim().startsWith('--'))
    .join('\n');

/** The statements of a query file, split at `;`. */
export function statements(file: string, vars: Record<string, string> = {}): string[] {
  let text = withoutComments(readFileSync(path.join(QUERY_DIR, file), 'utf8'));
  for (const [k, v] of Object.entries(vars)) text = text.replaceAll(`\${${k}}`, v);
  return text
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Runs query `q` over `events` Nexmark events and returns its final rows. */
export async function runNexmarkQuery(q: number, events: number, mode: 'streaming' | 'batch', parallelism: number): Promise<Row[]> {
  const env = StreamExecutionEnvironment.create({ mode, parallelism });
  const tEnv = await StreamTableEnvironment.create(env);
  for (const s of statements('ddl.sql', { TPS: '1000', EVENTS_NUM: String(events) })) tEnv.executeSql(s);
  let rows: Row[] = [];
  for (const s of statements(`q${q}.sql`)) {
    const insert = /^INSERT INTO \w+\s+([\s\S]*)$/i.exec(s);
    if (insert) rows = await tEnv.executeSql(insert[1]!).collect();
    else tEnv.executeSql(s);
  }
  return rows;
}
