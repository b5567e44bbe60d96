/**
 * The live table of a `[flink-sql]` SELECT (Chromium): a streaming GROUP BY over a file shows
 * its counts updating while the job runs (-U/+U applied in place, the footer counting rows and
 * changes with the job's status), and ends as DuckDB's GROUP BY over the same file.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { artifact, skipWithoutBrowser as skip, useWorkbench, E2E_WAIT } from './harness.ts';

/** Enough clicks that the job runs for a while and sends the table many times before it ends. */
const CLICKS = 20_000;
const USERS = 20;
const csv = Array.from({ length: CLICKS }, (_, i) => `user-${String((i * 7) % USERS).padStart(2, '0')},/p${i % 5},${(i * 13) % 10}`).join('\n') + '\n';

const NOTEBOOK = `// %% [flink-sql] Clicks per user, live
// CREATE TABLE clicks (\`user\` STRING, page STRING, n INT)
// WITH ('connector' = 'filesystem', 'path' = 'clicks.csv', 'format' = 'csv');
//
// SELECT \`user\`, COUNT(*) AS clicks, SUM(n) AS total FROM clicks GROUP BY \`user\`
`;

describe('live SQL table (Chromium)', () => {
  const workbench = useWorkbench('live-sql', { 'live.ts': NOTEBOOK, 'clicks.csv': csv });

  it('shows a streaming GROUP BY updating while it runs and ends as DuckDB', { skip }, async () => {
    const page = await workbench.open('live.ts', { viewport: { width: 1280, height: 900 } });
    await page.getByRole('button', { name: 'Run all' }).click();
    // Updated counts while the job runs: more changes applied than rows in the table.
    await page.waitForFunction(
      () => {
        const status = document.querySelector<HTMLElement>('.output-live-table .live-table-status');
        return status?.dataset.status === 'RUNNING' && Number(status.dataset.changes) > Number(status.dataset.rows) && Number(status.dataset.rows) > 0;
      },
      undefined,
      { timeout: E2E_WAIT },
    );
    await page.waitForSelector('section.cell[data-status="done"]', { timeout: E2E_WAIT });
    // On taskmanagers the table is final once their output has drained ('ENDED'); in the kernel's own process once every sink instance finished.
    await page.waitForSelector('.output-live-table .live-table-status:not([data-status="RUNNING"])', { timeout: E2E_WAIT });
    await page.screenshot({ path: artifact('live-sql-table.png'), fullPage: true });

    const shown = await page.locator('.output-live-table').evaluate((wrap) => ({
      columns: [...wrap.querySelectorAll('th')].map((th) => th.textContent),
      rows: [...wrap.querySelectorAll('tbody tr:not(.spacer)')].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)),
      footer: wrap.querySelector('.live-table-status')?.textContent,
    }));
    assert.deepEqual(shown.columns, ['user', 'clicks', 'total']);
    assert.match(String(shown.footer), new RegExp(`^${USERS} rows · [\\d,]+ changes · (finished|ended)$`));

    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      const file = path.join(workbench.dir, 'clicks.csv').replace(/'/g, "''");
      const reference = (
        await connection.runAndReadAll(
          `SELECT "user", count(*)::VARCHAR AS clicks, sum(n)::VARCHAR AS total FROM read_csv('${file}', header = false, columns = {'user': 'VARCHAR', 'page': 'VARCHAR', 'n': 'INTEGER'}) GROUP BY "user" ORDER BY "user"`,
        )
      ).getRows() as string[][];
      assert.deepEqual([...shown.rows].sort((a, b) => String(a[0]).localeCompare(String(b[0]))), reference);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });
});
