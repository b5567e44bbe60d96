/**
 * A source's rejected-rows report reaches the cell as a structured output (summary and rows),
 * not as stderr text; outside any cell (`weir run`) the same call prints the summary text. A
 * report is bounded: at most MAX_REPORTED_ROWS rows, each line and message clipped.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_REPORTED_ROWS, reportRejectedRows } from '../../../engine/connectors/duckdb/rejects.ts';
import type { RejectedRow } from '../../../engine/api/duckdb.ts';
import { captureConsole, cellContext, type CellContext } from '../../../app/host/cell-context.ts';
import type { CellOutput } from '../../../app/shared/workbench/protocol.ts';

const row = (line: number, text = `t${line},oops`): RejectedRow => ({ file: '/data/trades.csv', line, column: 'amount', errorType: 'CAST', message: 'Could not convert string "oops" to DOUBLE', text });

/** A console whose warn records its text, and a cell context that records outputs. */
function captured(): { target: Console; printed: string[]; outputs: CellOutput[]; written: string[]; context: CellContext; restore: () => void } {
  const printed: string[] = [];
  const outputs: CellOutput[] = [];
  const written: string[] = [];
  const target = { ...console, warn: (...args: unknown[]) => printed.push(args.map((a) => (typeof a === 'string' ? a : String((a as Record<symbol, () => string>)[Symbol.for('nodejs.util.inspect.custom')]?.()))).join(' ')) } as Console;
  const context: CellContext = { path: 'n.ts', cellId: 'c1', write: (_s, text) => written.push(text), output: (o) => outputs.push(o), fail: () => {} };
  const restore = captureConsole(target);
  return { target, printed, outputs, written, context, restore };
}

describe('rejected-rows reports', () => {
  it('reach the cell as a rejects output with file, rows read, rows rejected and the rows', () => {
    const c = captured();
    const realWarn = console.warn;
    console.warn = c.target.warn;
    try {
      cellContext.run(c.context, () => reportRejectedRows("fromDuckDB 'DuckDB'", [row(10), row(15)], 24));
    } finally {
      console.warn = realWarn;
      c.restore();
    }
    assert.deepEqual(c.written, [], 'no stderr text');
    assert.equal(c.outputs.length, 1);
    const output = c.outputs[0]!;
    assert.ok(output.kind === 'rejects');
    assert.deepEqual({ ...output.report, rows: output.report.rows.length }, { source: "fromDuckDB 'DuckDB'", files: ['/data/trades.csv'], rowsRead: 24, rejected: 2, rows: 2 });
    assert.deepEqual(output.report.rows[0], row(10));
  });

  it('print the summary text outside any cell, and carry at most the first rows, clipped', () => {
    const c = captured();
    const realWarn = console.warn;
    console.warn = c.target.warn;
    const many = Array.from({ length: MAX_REPORTED_ROWS + 5 }, (_, i) => row(i + 2, 'x'.repeat(5000)));
    try {
      reportRejectedRows("replay 'Replay'", many, 7);
      cellContext.run(c.context, () => reportRejectedRows("replay 'Replay'", many, 7));
    } finally {
      console.warn = realWarn;
      c.restore();
    }
    assert.equal(c.printed.length, 1);
    assert.match(c.printed[0]!, new RegExp(`^replay 'Replay': ${MAX_REPORTED_ROWS + 5} rows rejected in /data/trades\\.csv, sent to the rejects side output:\\n  /data/trades\\.csv:2: CAST in column "amount"`));
    const output = c.outputs[0]!;
    assert.ok(output.kind === 'rejects');
    assert.equal(output.report.rejected, MAX_REPORTED_ROWS + 5);
    assert.equal(output.report.rows.length, MAX_REPORTED_ROWS);
    assert.ok(output.report.rows.every((r) => (r.text ?? '').length <= 1001));
    assert.ok(JSON.stringify(output).length < 1_500_000, 'bounded');
  });
});
