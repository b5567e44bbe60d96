/**
 * A malformed CSV in the workbench (Chromium): without a `rejects` side output the cell fails,
 * naming the file, each bad line and why; with one, the job reads the good rows and the cell
 * shows a report: the file, rows read and rejected, and a table of the rejected rows (where,
 * column, reason, the line as written). Never a silent, short result.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Locator } from 'playwright-core';
import { artifact, skipWithoutBrowser as skip, useWorkbench } from './harness.ts';

/** 24 good rows; the 4 bad ones come after DuckDB's sniffer has seen good rows. */
const GOOD_ROWS = 24;
const BAD_LINES = [
  { line: 10, text: 't3,lots,2026-01-01 00:00:09', reason: /CAST in column "amount"/ },
  { line: 15, text: 't1,7', reason: /MISSING COLUMNS/ },
  { line: 21, text: 't2,about 5,2026-01-01 00:00:20', reason: /CAST in column "amount"/ },
  { line: 27, text: 't0,3', reason: /MISSING COLUMNS/ },
];

function tradesCsv(): string {
  const lines = ['trader,amount,ts'];
  while (lines.length < GOOD_ROWS + BAD_LINES.length + 1) {
    const bad = BAD_LINES.find((b) => b.line === lines.length + 1);
    const i = lines.length;
    lines.push(bad ? bad.text : `t${i % 4},${i * 3},2026-01-01 00:00:${String(i).padStart(2, '0')}`);
  }
  return lines.join('\n') + '\n';
}

/**
 * Typed as a user who knows the data would: in a file this small DuckDB's sniffer sees every
 * row and would take `amount` for text (issue 15's "silently wrong"), rather than reject a row.
 */
const QUERY = "SELECT * FROM read_csv('data/trades.csv', types = {'amount': 'DOUBLE'})";

const NOTEBOOK = `// %% Setup
import { StreamExecutionEnvironment, Sinks, OutputTag } from 'weir';
import type { RejectedRow } from 'weir';

// %% Strict
const strict = StreamExecutionEnvironment.create({ parallelism: 1 });
const strictRows = Sinks.collect<Record<string, unknown>>();
strict.fromDuckDB(\`${QUERY}\`).sinkTo(strictRows);
await strict.execute('strict read');
console.log(\`\${strictRows.values.length} rows\`);

// %% With rejects
const env = StreamExecutionEnvironment.create({ parallelism: 1 });
const bad = new OutputTag<RejectedRow>('bad-rows');
const good = Sinks.collect<Record<string, unknown>>();
const rejected = Sinks.collect<RejectedRow>();
const trades = env.fromDuckDB(\`${QUERY}\`, { rejects: bad });
trades.sinkTo(good);
trades.getSideOutput(bad).sinkTo(rejected);
await env.execute('read with rejects');
console.log(\`\${good.values.length} good rows, \${rejected.values.length} rejected\`);
`;

describe('a malformed CSV in the workbench (Chromium)', () => {
  const workbench = useWorkbench('malformed-csv', { 'bad-csv.ts': NOTEBOOK, 'data/trades.csv': tradesCsv() });

  it('fails the cell naming file, line and reason; with rejects, the cell says how many rows were rejected and shows the first few', { skip }, async () => {
    const page = await workbench.open('bad-csv.ts', { viewport: { width: 1440, height: 900 } });
    await page.getByRole('button', { name: 'Run all' }).click();
    const cells = page.locator('section.cell');
    const strict = cells.nth(1);
    const lenient = cells.nth(2);
    await page.waitForFunction(() => ['failed', 'done'].includes(document.querySelectorAll('section.cell')[1]?.getAttribute('data-status') ?? ''));

    // Without rejects: the cell fails, naming the file and every bad line with its reason.
    assert.equal(await strict.getAttribute('data-status'), 'failed');
    const error = (await strict.locator('.output-error .error-message').textContent()) ?? '';
    assert.match(error, /4 rows rejected in \/.*data\/trades\.csv/);
    for (const bad of BAD_LINES.slice(0, 3)) assert.match(error, new RegExp(`trades\\.csv:${bad.line}: ${bad.reason.source}.*${escape(JSON.stringify(bad.text))}`));
    assert.match(error, /… and 1 more/);
    assert.match(error, /rejects: new OutputTag<RejectedRow>/, 'it says how to keep going');
    assert.equal(await strict.locator('.output-text').count(), 0, 'no short result is printed');

    // With rejects (run on its own: Run all stops at the failed cell): the good rows, and a
    // summary of the rejected ones under the cell.
    await lenient.getByRole('button', { name: 'Run cell' }).click();
    await page.waitForFunction(() => ['failed', 'done'].includes(document.querySelectorAll('section.cell')[2]?.getAttribute('data-status') ?? ''));
    assert.equal(await lenient.getAttribute('data-status'), 'done');
    const text = (await lenient.locator('.output-text').allTextContents()).join('\n');
    assert.match(text, new RegExp(`^${GOOD_ROWS} good rows, ${BAD_LINES.length} rejected$`, 'm'));
    // The source's report, as a structured output (not stderr text): file, rows read and
    // rejected, the first rejected rows, and all of them one click away.
    assert.equal(await lenient.locator('.output-text.stream-stderr', { hasText: 'rows rejected' }).count(), 0, 'no stderr text instead');
    const report = lenient.locator('.output-rejects');
    await report.waitFor();
    assert.match((await report.locator('.rejects-head').textContent()) ?? '', new RegExp(`^fromDuckDB 'DuckDB': ${BAD_LINES.length} rows rejected, ${GOOD_ROWS} rows read, sent to the rejects side output$`));
    const files = await tableRows(report.locator('.rejects-files'));
    assert.equal(files.length, 1);
    assert.deepEqual(files[0]!.slice(0, 2), [String(GOOD_ROWS), String(BAD_LINES.length)]);
    assert.match(files[0]![2]!, /\/data\/trades\.csv$/);
    const first = await tableRows(report.locator('.rejects-first'));
    assert.equal(first.length, BAD_LINES.length, 'fewer than five: all shown');
    for (const [i, bad] of BAD_LINES.entries()) {
      const [where, column, reason, text] = first[i]!;
      assert.equal(where, `trades.csv:${bad.line}`);
      assert.match(`${reason} in column "${column}"`, new RegExp(bad.reason.source.replace(/ in column.*/, '')));
      assert.equal(text, bad.text);
    }
    // Four rows need no "All rows" list.
    assert.equal(await report.locator('details.rejects-all').count(), 0);
    // The notebook scrolls inside its column: each cell is shot on its own.
    await strict.screenshot({ path: artifact('malformed-csv-strict.png') });
    await lenient.screenshot({ path: artifact('malformed-csv-rejects.png') });
  });
});

/** The text of each body row of the table under `container`. */
async function tableRows(container: Locator): Promise<string[][]> {
  return container.locator('tbody tr:not(.spacer)').evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent ?? '')));
}

/** `text` as a regular expression that matches it literally. */
function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
