/**
 * Just enough SQL lexing to work on users' queries as text without breaking them: find the
 * file paths a query reads, swap a glob for one file, add `store_rejects` to CSV scans, and
 * wrap a query as a subquery. Strings, quoted identifiers and comments are respected; nothing
 * here parses SQL grammar (DuckDB itself decides what a query does, see splits.ts).
 */

export interface SqlToken {
  kind: 'string' | 'ident' | 'word' | 'punct' | 'space' | 'comment';
  /** The token as written. */
  text: string;
  start: number;
  end: number;
  /** For strings and quoted identifiers: the unquoted value. */
  value?: string;
}

/** Splits SQL into tokens; the concatenation of their texts is the input. */
export function tokenizeSql(sql: string): SqlToken[] {
  const tokens: SqlToken[] = [];
  let i = 0;
  const push = (kind: SqlToken['kind'], end: number, value?: string) => {
    const t: SqlToken = { kind, text: sql.slice(i, end), start: i, end };
    if (value !== undefined) t.value = value;
    tokens.push(t);
    i = end;
  };
  while (i < sql.length) {
    const ch = sql[i]!;
    if (ch === "'" || ch === '"') {
      let j = i + 1;
      let value = '';
      while (j < sql.length) {
        if (sql[j] === ch) {
          if (sql[j + 1] === ch) {
            value += ch;
            j += 2;
            continue;
          }
          break;
        }
        value += sql[j];
        j++;
      }
      push(ch === "'" ? 'string' : 'ident', Math.min(j + 1, sql.length), value);
    } else if (ch === '-' && sql[i + 1] === '-') {
      const nl = sql.indexOf('\n', i);
      push('comment', nl === -1 ? sql.length : nl);
    } else if (ch === '/' && sql[i + 1] === '*') {
      const close = sql.indexOf('*/', i + 2);
      push('comment', close === -1 ? sql.length : close + 2);
    } else if (/\s/.test(ch)) {
      let j = i + 1;
      while (j < sql.length && /\s/.test(sql[j]!)) j++;
      push('space', j);
    } else if (/[A-Za-z0-9_$]/.test(ch)) {
      let j = i + 1;
      while (j < sql.length && /[A-Za-z0-9_$]/.test(sql[j]!)) j++;
      push('word', j);
    } else {
      push('punct', i + 1);
    }
  }
  return tokens;
}

/** `"name"` with embedded quotes doubled. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** `'text'` with embedded quotes doubled. */
export function quoteLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** The query without trailing semicolons and comments, so that it can be wrapped as a subquery. */
export function asSubquery(sql: string): string {
  const tokens = tokenizeSql(sql);
  let end = tokens.length;
  const trailing = (t: SqlToken) => t.kind === 'space' || t.kind === 'comment' || t.text === ';';
  while (end > 0 && trailing(tokens[end - 1]!)) end--;
  const body = tokens.slice(0, end);
  if (body.some((t) => t.kind === 'punct' && t.text === ';')) {
    throw new Error('expects one SQL query; run setup statements (ATTACH, SET, LOAD) with the `setup` option');
  }
  return body.map((t) => t.text).join('');
}

const significant = (t: SqlToken) => t.kind !== 'space' && t.kind !== 'comment';

/**
 * String literals that name files the query reads: the first argument of a `read_*(...)` /
 * `parquet_scan(...)` call, or a literal right after FROM or JOIN (a DuckDB replacement scan).
 */
export function fileLiterals(sql: string): SqlToken[] {
  const tokens = tokenizeSql(sql).filter(significant);
  const out: SqlToken[] = [];
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.kind !== 'string') continue;
    const prev = tokens[k - 1];
    const prev2 = tokens[k - 2];
    const afterFrom = prev?.kind === 'word' && /^(from|join)$/i.test(prev.text);
    const firstArg = prev?.text === '(' && prev2?.kind === 'word' && /^(read_\w+|parquet_scan)$/i.test(prev2.text);
    if (afterFrom || firstArg) out.push(t);
  }
  return out;
}

/** Whether a path is a glob pattern (DuckDB's glob syntax: *, ?, [..], **). */
export function isGlob(path: string): boolean {
  return /[*?[]/.test(path);
}

/** `sql` with the text of `token` replaced by `replacement`. */
export function replaceToken(sql: string, token: SqlToken, replacement: string): string {
  return sql.slice(0, token.start) + replacement + sql.slice(token.end);
}

const CSV_FILE = /\.(csv|tsv|txt)(\.gz|\.zst)?$/i;

/**
 * Makes every CSV scan of the query record bad rows instead of failing (DuckDB's
 * `store_rejects`): `read_csv(...)` / `read_csv_auto(...)` calls get `store_rejects = true`, and
 * `FROM 'x.csv'` becomes `FROM read_csv('x.csv', store_rejects = true)`. Returns how many scans
 * were changed; calls that already set `store_rejects` or `ignore_errors` are left alone.
 */
export function withStoreRejects(sql: string): { sql: string; scans: number } {
  const tokens = tokenizeSql(sql);
  const edits: { at: number; end: number; text: string }[] = [];
  const sig = tokens.map((t, i) => ({ t, i })).filter(({ t }) => significant(t));
  for (let k = 0; k < sig.length; k++) {
    const { t } = sig[k]!;
    const next = sig[k + 1]?.t;
    if (t.kind === 'word' && /^read_csv(_auto)?$/i.test(t.text) && next?.text === '(') {
      // Find the matching parenthesis, and whether the call already chose how to treat errors.
      let depth = 0;
      let handled = false;
      for (let m = k + 1; m < sig.length; m++) {
        const u = sig[m]!.t;
        if (u.text === '(') depth++;
        else if (u.text === ')' && --depth === 0) {
          if (!handled) edits.push({ at: u.start, end: u.start, text: ', store_rejects = true' });
          break;
        } else if (u.kind === 'word' && /^(store_rejects|ignore_errors)$/i.test(u.text)) handled = true;
      }
    } else if (t.kind === 'string' && CSV_FILE.test(t.value ?? '')) {
      const prev = sig[k - 1]?.t;
      if (prev?.kind === 'word' && /^(from|join)$/i.test(prev.text)) {
        edits.push({ at: t.start, end: t.end, text: `read_csv(${t.text}, store_rejects = true)` });
      }
    }
  }
  let out = sql;
  for (const e of edits.sort((a, b) => b.at - a.at)) out = out.slice(0, e.at) + e.text + out.slice(e.end);
  return { sql: out, scans: edits.length };
}
