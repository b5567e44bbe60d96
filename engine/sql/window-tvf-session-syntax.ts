/**
 * The SESSION window TVF, which dt-sql-parser's Flink grammar (4.5) lacks although Flink
 * 1.19+ runs it: `TABLE(SESSION(TABLE t [PARTITION BY k1, k2 | PARTITION BY (k1, k2)],
 * DESCRIPTOR(ts), INTERVAL gap))`. Before parsing, each such call is rewritten, in place and
 * at the same length, into the TUMBLE call the grammar knows (`SESSION` → `TUMBLE `, the
 * PARTITION BY clause blanked), so every other position in the text stays where it was; the
 * builder turns the TUMBLE back into a SESSION with its partition keys by the offset of its
 * name. (Flink's counterpart: Calcite's `SqlSessionTableFunction`, parsed natively.)
 */

/** A token as dt-sql-parser's lexer gives it: its text and its first and last character offsets. */
export interface SqlToken {
  text?: string | null | undefined;
  start: number;
  stop: number;
}

/** The SESSION calls found in a text: by the offset of their `SESSION` name, their PARTITION BY keys. */
export type SessionTvfs = Map<number, string[]>;

/**
 * `sql` with its SESSION window TVFs rewritten for the grammar, and what was rewritten.
 *
 * @example
 * rewriteSessionTvfs("SELECT * FROM TABLE(SESSION(TABLE t PARTITION BY k, DESCRIPTOR(ts), INTERVAL '1' MINUTE))", tokens)
 * // { sql: "SELECT * FROM TABLE(TUMBLE (TABLE t                , DESCRIPTOR(ts), ...", sessions: Map { 20 => ['k'] } }
 */
export function rewriteSessionTvfs(sql: string, tokens: readonly SqlToken[]): { sql: string; sessions: SessionTvfs } {
  const sessions: SessionTvfs = new Map();
  // Only the tokens that are not blanks or comments, with their offsets.
  const words = tokens.filter((t) => typeof t.text === 'string' && !/^\s*$/.test(t.text) && !t.text.startsWith('--') && !t.text.startsWith('/*'));
  let out = sql;
  const blank = (from: number, to: number) => {
    out = out.slice(0, from) + out.slice(from, to + 1).replace(/[^\n]/g, ' ') + out.slice(to + 1);
  };
  const upper = (i: number) => (words[i]?.text ?? '').toUpperCase();
  for (let i = 2; i < words.length; i++) {
    if (upper(i) !== 'SESSION' || upper(i + 1) !== '(' || upper(i - 1) !== '(' || upper(i - 2) !== 'TABLE') continue;
    const name = words[i]!;
    out = out.slice(0, name.start) + 'TUMBLE ' + out.slice(name.stop + 1);
    const keys: string[] = [];
    // TABLE t [PARTITION BY ...]: the table name is one token or a dotted path.
    let k = i + 2;
    if (upper(k) !== 'TABLE') continue;
    k += 2;
    while (upper(k) === '.') k += 2;
    if (upper(k) === 'PARTITION' && upper(k + 1) === 'BY') {
      const from = words[k]!.start;
      k += 2;
      const parenthesized = upper(k) === '(';
      if (parenthesized) k++;
      while (k < words.length) {
        keys.push(unquote(words[k]!.text ?? ''));
        k++;
        if (upper(k) !== ',') break;
        // In `PARTITION BY a, DESCRIPTOR(ts)` the comma ends the keys; in `(a, b)` only `)` does.
        if (!parenthesized && (upper(k + 1) === 'DESCRIPTOR' || upper(k + 1) === 'TIMECOL')) break;
        k++;
      }
      if (parenthesized && upper(k) === ')') k++;
      blank(from, words[k - 1]!.stop);
    }
    sessions.set(name.start, keys);
  }
  return { sql: out, sessions };
}

function unquote(name: string): string {
  return name.startsWith('`') && name.endsWith('`') && name.length >= 2 ? name.slice(1, -1).replaceAll('``', '`') : name;
}
