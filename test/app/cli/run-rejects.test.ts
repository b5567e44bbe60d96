/**
 * `weir run` shows rows a file source rejected: how many and the first few, whether they went
 * to a `rejects` side output or failed the job — on worker processes as in-process.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { runWeir as weir } from '../../harness/weir-run.ts';

describe('weir run and rejected rows', () => {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'weir-run-rejects-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));
  const csv = path.join(scratch, 'orders.csv');
  writeFileSync(csv, 'id,name,amount,ts,flag\n1,a,10,2024-01-01,true\n2,b,20,2024-01-02,false\n3,c\n4,d,40,2024-01-04,true\n5,e,50,2024-01-05,false\n6,f,60,2024-01-06,true\n');

  const notebook = (withRejects: boolean): string => `// %%
import { StreamExecutionEnvironment, OutputTag, type RejectedRow } from 'weir';
const env = StreamExecutionEnvironment.create({ parallelism: 1 });
${withRejects ? "const rejects = new OutputTag<RejectedRow>('rejects');\n" : ''}const rows = env.fromDuckDB<{ id: number; amount: number }>(${JSON.stringify(`SELECT id, amount FROM '${csv}'`)}${withRejects ? ', { rejects }' : ''});
rows.map((r) => \`order \${r.id}: \${r.amount}\`).print();
await env.execute('orders');
`;

  for (const taskmanagers of ['0', '1']) {
    it(`fails naming the file, line and reason without rejects (--taskmanagers ${taskmanagers})`, () => {
      const file = path.join(scratch, `strict-${taskmanagers}.ts`);
      writeFileSync(file, notebook(false));
      const out = weir(['run', file, '--taskmanagers', taskmanagers]);
      assert.equal(out.code, 1, out.stderr);
      assert.match(out.stderr, /1 row rejected in .*orders\.csv:\n\s+.*orders\.csv:4: MISSING COLUMNS.* — "3,c"/);
    });

    it(`prints how many rows went to the rejects and the first few (--taskmanagers ${taskmanagers})`, () => {
      const file = path.join(scratch, `rejects-${taskmanagers}.ts`);
      writeFileSync(file, notebook(true));
      const out = weir(['run', file, '--taskmanagers', taskmanagers]);
      assert.equal(out.code, 0, out.stderr);
      assert.deepEqual(out.stdout.trim().split('\n').sort(), ['order 1: 10', 'order 2: 20', 'order 4: 40', 'order 5: 50', 'order 6: 60']);
      assert.match(out.stderr, /1 row rejected in .*orders\.csv, sent to the rejects side output:\n\s+.*orders\.csv:4: MISSING COLUMNS.* — "3,c"/);
    });
  }
});
