/**
 * LiveTableFeed: changelog rows from the sink instances of a SELECT become table snapshots sent
 * at most once per interval (not once per row), with at most 1,000 rows and the rest counted;
 * the status is RUNNING while rows come, FINISHED once every instance's input ended, ENDED when
 * the tasks stopped otherwise.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ChartSpec } from '../../../app/shared/workbench/protocol.ts';
import type { ChartPointsEvent } from '../../../app/shared/workbench/service.ts';
import type { CellContext } from '../../../app/host/cell-context.ts';
import { LIVE_TABLE_ROWS, LiveTableFeed } from '../../../app/host/live-table.ts';
import { until } from '../../harness/until.ts';

const spec: ChartSpec = { id: 'chart-1', type: 'table', x: '', y: [], mode: 'append', jobName: 'collect' };
const context = { path: 'n.ts', cellId: 'c2', write() {}, output() {}, fail() {} } satisfies CellContext;

function feed(): { feed: LiveTableFeed; sent: ChartPointsEvent[] } {
  const sent: ChartPointsEvent[] = [];
  const f = new LiveTableFeed(spec, ['user', 'n'], context, { points: (e) => sent.push(e), intervalMs: 10 });
  return { feed: f, sent };
}

test('updates while running are batched; the final table is the changelog applied, sent as FINISHED', async () => {
  const { feed: f, sent } = feed();
  f.subtasks.add(0).add(1);
  for (let i = 1; i <= 500; i++) {
    if (i > 1) f.add({ user: 'a', n: i - 1, $rowKind: '-U' });
    f.add({ user: 'a', n: i, $rowKind: i > 1 ? '+U' : '+I' });
  }
  f.add({ user: 'b', n: 1, $rowKind: '+I' });
  await until('a first send', () => (sent.length > 0 ? true : undefined));
  assert.ok(sent.length < 10, `one send per interval, not per row: ${sent.length}`);
  assert.deepEqual(sent.at(-1)!.table, { columns: ['user', 'n'], rows: [['a', 500], ['b', 1]], rowCount: 2, changes: 1000, status: 'RUNNING' });
  f.add({ user: 'b', n: 1, $rowKind: '-D' });
  f.finish(0);
  assert.equal(sent.at(-1)!.table!.status, 'RUNNING', 'one instance still runs');
  f.finish(1);
  assert.deepEqual(sent.at(-1)!.table, { columns: ['user', 'n'], rows: [['a', 500]], rowCount: 1, changes: 1001, status: 'FINISHED' });
  assert.deepEqual(sent.at(-1)!.series, []);
});

test('a table larger than what is sent counts the rest; closed without finishing it is ENDED', () => {
  const { feed: f, sent } = feed();
  f.subtasks.add(0);
  for (let i = 0; i < LIVE_TABLE_ROWS + 234; i++) f.add({ user: `u${i}`, n: i });
  f.close(0);
  const table = sent.at(-1)!.table!;
  assert.equal(table.rows.length, LIVE_TABLE_ROWS);
  assert.equal(table.rowCount, LIVE_TABLE_ROWS + 234);
  assert.equal(table.status, 'ENDED');
  assert.deepEqual(table.rows[0], ['u0', 0]);
});
