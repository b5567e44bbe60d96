/**
 * The current state of a dynamic table, kept up to date from its changelog as changes arrive:
 * what the table under a `[flink-sql]` SELECT shows while its job runs. (Flink's counterpart:
 * the SQL client's `MaterializedCollectStreamResult`, behind its table result mode.)
 *
 * A row is identified by all its columns, as Flink's SQL client does it for tables without a
 * primary key: +I and +U add one copy of a row, -U and -D take one equal copy out, and a
 * retraction of a row that is not there is ignored. Rows keep the order in which they
 * entered last, so a row updated in place (-U old, +U new) moves to the end, as in Flink's view.
 */
import type { Row } from './catalog.ts';
import { isAccumulate, toChange } from './changelog.ts';

/**
 * A changelog materialized as a table.
 *
 * @example
 * const table = new MaterializedTable(['user', 'n']);
 * table.apply({ user: 'a', n: 1, $rowKind: '+I' });
 * table.apply({ user: 'a', n: 1, $rowKind: '-U' });
 * table.apply({ user: 'a', n: 2, $rowKind: '+U' });
 * table.rows(); // [{ user: 'a', n: 2 }]
 */
export class MaterializedTable {
  private readonly table = new Map<string, { row: Row; count: number }>();
  private size = 0;
  /** Changes applied so far (each +I, -U, +U, -D counts, ignored retractions too). */
  changes = 0;

  /** `columns` identify a row (all the table's columns). */
  constructor(private readonly columns: readonly string[]) {}

  /** Applies one changelog row (a row without a kind is an insert). */
  apply(changelogRow: Row): void {
    const { kind, row } = toChange(changelogRow);
    this.changes++;
    const key = JSON.stringify(this.columns.map((c) => row[c] ?? null));
    const entry = this.table.get(key);
    if (isAccumulate(kind)) {
      this.size++;
      if (entry) entry.count++;
      else this.table.set(key, { row, count: 1 });
    } else if (entry) {
      this.size--;
      if (--entry.count === 0) this.table.delete(key);
    }
  }

  /** How many rows the table has now (copies of equal rows counted). */
  get rowCount(): number {
    return this.size;
  }

  /** The table's rows, at most `limit` of them, in the order they entered. @example table.rows(1000) */
  rows(limit = Infinity): Row[] {
    const out: Row[] = [];
    for (const { row, count } of this.table.values()) {
      for (let i = 0; i < count && out.length < limit; i++) out.push(row);
      if (out.length >= limit) break;
    }
    return out;
  }
}
