/**
 * MaterializedTable (behind the live table and `collect()`'s `applyChangelog`): a changelog
 * applied change by change gives, at every prefix, the multiset a plain list of rows gives
 * (append on +I/+U, remove one equal row on -U/-D); its row count counts the
 * rows not listed; retractions of rows that are not there are ignored, as Flink's SQL client does.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { Row } from '../../engine/sql/catalog.ts';
import { applyChangelog, isAccumulate, type RowKind } from '../../engine/sql/changelog.ts';
import { MaterializedTable } from '../../engine/sql/materialized-table.ts';

const change = (kind: RowKind, user: string, n: number): Row => ({ user, n, $rowKind: kind });

test('an updating count per user ends as its last values', () => {
  const table = new MaterializedTable(['user', 'n']);
  for (const row of [change('+I', 'a', 1), change('+I', 'b', 1), change('-U', 'a', 1), change('+U', 'a', 2), change('-D', 'b', 1)]) table.apply(row);
  assert.deepEqual(table.rows(), [{ user: 'a', n: 2 }]);
  assert.equal(table.rowCount, 1);
  assert.equal(table.changes, 5);
});

test('rows(limit) lists the first rows; rowCount counts them all, equal rows included', () => {
  const table = new MaterializedTable(['v']);
  for (const v of [1, 2, 2, 3]) table.apply({ v });
  assert.deepEqual(table.rows(2), [{ v: 1 }, { v: 2 }]);
  assert.equal(table.rowCount, 4);
  table.apply({ v: 2, $rowKind: '-D' });
  table.apply({ v: 9, $rowKind: '-D' });
  assert.deepEqual(table.rows(), [{ v: 1 }, { v: 2 }, { v: 3 }]);
  assert.equal(table.rowCount, 3);
});

test('an unknown kind fails naming it', () => {
  assert.throws(() => new MaterializedTable(['v']).apply({ v: 1, $rowKind: '+X' }), /unknown kind "\+X"/);
});

/** The reference: the table as a list of rows, sorted (a multiset). */
function listTable(changes: { kind: RowKind; user: string; n: number }[]): string[] {
  const rows: string[] = [];
  for (const { kind, user, n } of changes) {
    const row = JSON.stringify([user, n]);
    if (isAccumulate(kind)) rows.push(row);
    else if (rows.includes(row)) rows.splice(rows.indexOf(row), 1);
  }
  return rows.sort();
}

test('property: at every prefix of a changelog the live table equals the list of rows, and applyChangelog at the end', () => {
  const kinds: RowKind[] = ['+I', '-U', '+U', '-D'];
  const arbitraryChange = fc.record({ kind: fc.constantFrom(...kinds), user: fc.constantFrom('a', 'b', 'c'), n: fc.integer({ min: 0, max: 3 }) });
  fc.assert(
    fc.property(fc.array(arbitraryChange, { maxLength: 40 }), (changes) => {
      const rows = changes.map((c) => change(c.kind, c.user, c.n));
      const table = new MaterializedTable(['user', 'n']);
      rows.forEach((row, i) => {
        table.apply(row);
        const expected = listTable(changes.slice(0, i + 1));
        assert.deepEqual(table.rows().map((r) => JSON.stringify([r.user, r.n])).sort(), expected);
        assert.equal(table.rowCount, expected.length);
      });
      assert.deepEqual(applyChangelog(rows, ['user', 'n']), table.rows());
    }),
  );
});
