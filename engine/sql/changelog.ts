/**
 * The changelog of a dynamic table: each row carries its kind, +I (insert), -U (update before:
 * retracts the old value of an update), +U (update after) or -D (delete), as Flink's `RowKind`.
 * An insert-only table's rows carry no kind (they are all +I); an updating one's carry it in one
 * reserved field, so that filters pass it on for free and rows stay plain data on the wire.
 * (Flink's counterparts: `RowKind`, `ChangelogMode`, and the SQL client's materialized result
 * view, `MaterializedCollectStreamResult`, for `applyChangelog`.)
 */
import type { Row } from './catalog.ts';
import { MaterializedTable } from './materialized-table.ts';

/**
 * The kind of a change, in Flink's short form: '+I' insert, '-U' update before (the old row of
 * an update), '+U' update after (its new row), '-D' delete.
 *
 * @example
 * const kind: RowKind = '+U';
 */
export type RowKind = '+I' | '-U' | '+U' | '-D';

/**
 * One row of a changelog: its kind and its columns (as `toChangelogStream` and
 * `TableResult.collectChangelog()` give them).
 *
 * @example
 * for (const { kind, row } of await tEnv.executeSql('SELECT `user`, COUNT(*) AS n FROM clicks GROUP BY `user`').collectChangelog())
 *   console.log(kind, row.user, row.n);
 */
export interface Change {
  kind: RowKind;
  row: Row;
}

/** The field of an updating table's row that holds its kind (a name no SQL column is likely to have). */
export const ROW_KIND = '$rowKind';

const KINDS = new Set<unknown>(['+I', '-U', '+U', '-D']);

/** The kind of a row: its ROW_KIND field, '+I' when it has none. */
export function kindOf(row: Row): RowKind {
  return (row[ROW_KIND] as RowKind | undefined) ?? '+I';
}

/** `row` marked as a change of `kind` (the same object). */
export function withKind(row: Row, kind: RowKind): Row {
  row[ROW_KIND] = kind;
  return row;
}

/** Whether a change adds its row to the table (+I, +U) rather than taking it out (-U, -D). */
export function isAccumulate(kind: RowKind): boolean {
  return kind === '+I' || kind === '+U';
}

/** A row without its changelog kind (itself when it has none). */
export function withoutKind(row: Row): Row {
  if (!(ROW_KIND in row)) return row;
  const { [ROW_KIND]: _kind, ...columns } = row;
  return columns;
}

/** A changelog row as a `Change`, its columns without the kind field. */
export function toChange(row: Row): Change {
  const { [ROW_KIND]: kind, ...columns } = row;
  if (kind !== undefined && !KINDS.has(kind)) throw new Error(`a changelog row has the unknown kind ${JSON.stringify(kind)}`);
  return { kind: (kind as RowKind | undefined) ?? '+I', row: columns };
}

/**
 * The table a changelog describes at its end: +I and +U add a row, -U and -D take one equal row
 * out (a retraction of a row that is not there is ignored, as Flink's SQL client does), as
 * `MaterializedTable` keeps it.
 *
 * @example
 * applyChangelog([{ u: 'a', n: 1, $rowKind: '+I' }, { u: 'a', n: 1, $rowKind: '-U' }, { u: 'a', n: 2, $rowKind: '+U' }])
 * // [{ u: 'a', n: 2 }]
 */
export function applyChangelog(rows: Row[], columns: string[]): Row[] {
  const table = new MaterializedTable(columns);
  for (const row of rows) table.apply(row);
  return table.rows();
}
