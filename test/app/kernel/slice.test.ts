import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeCell } from '../../../app/kernel/analyze.ts';
import { sliceCell } from '../../../app/kernel/slice.ts';
import { whyNotPlainData } from '../../../engine/process/captured-values.ts';

/** The statements of `source` a worker skips, as text. */
function skipped(source: string, graphBefore: string[] = []): string[] {
  const slice = sliceCell(source, analyzeCell(source), new Set(graphBefore));
  const out: string[] = [];
  for (let i = 0; i < slice.insertions.length; i++) {
    const open = slice.insertions[i]!;
    if (!open.text.startsWith(';if (')) continue;
    const close = slice.insertions[i + 1]!;
    out.push(source.slice(open.at, close.at).trim().replace(/^;\s*/, ''));
  }
  return out;
}

describe('sliceCell', () => {
  it('skips top-level effects and keeps what builds the graph', () => {
    const source = [
      "import { StreamExecutionEnvironment, Sinks } from 'weir';",
      "import { rmSync } from 'node:fs';",
      "rmSync('out', { recursive: true });",
      'const env = StreamExecutionEnvironment.create();',
      'const sink = Sinks.collect();',
      'env.fromElements(1).map((x) => x).sinkTo(sink);',
      "setTimeout(() => console.log('late'), 10);",
      "await env.execute('a');",
      'assert.deepEqual(sink.values, [1]);',
      'addPipeline(env);',
      'for (const n of [1, 2]) env.fromElements(n).print();',
      "console.log('done');",
    ].join('\n');
    assert.deepEqual(skipped(source), ["rmSync('out', { recursive: true });", "setTimeout(() => console.log('late'), 10);", 'assert.deepEqual(sink.values, [1]);', "console.log('done');"]);
  });

  it('names the effects of statements it keeps, by line, and not those of skipped statements or of functions', () => {
    const source = [
      "import { StreamExecutionEnvironment, Sinks } from 'weir';",
      "import { rmSync, writeFileSync } from 'node:fs';",
      'const env = StreamExecutionEnvironment.create();',
      "rmSync('out', { recursive: true });",
      'if (fresh) {',
      "  rmSync('out', { recursive: true, force: true });",
      "  env.fromElements(1).map((x) => { console.log(x); return x; }).sinkTo(Sinks.jsonl('out/'));",
      '}',
      "for (const n of [1, 2]) { console.info('part', n); env.fromElements(n).print(); }",
      "const stream = env.fromElements(3).map((x) => x + 1); setTimeout(() => {}, 1);",
      'function later() { writeFileSync("x", ""); env.fromElements(4).print(); }',
      "await env.execute('a');",
    ].join('\n');
    const slice = sliceCell(source, analyzeCell(source), new Set());
    assert.deepEqual(slice.effects, [
      { line: 6, what: 'writes files (rmSync)' },
      { line: 9, what: 'prints (console.info)' },
    ]);
  });

  it('captures variables that hold data, not those that hold graph values or functions', () => {
    const source = [
      "import { StreamExecutionEnvironment } from 'weir';",
      'const threshold = Number(process.env.T);',
      'let seen;',
      'const env = StreamExecutionEnvironment.create();',
      'const stream = env.fromElements(1);',
      'const above = (x: number) => x > threshold;',
      'const average = { createAccumulator: () => 0, add: (v: number, a: number) => a + v };',
      'const counter = new Counter();',
      'const seenKeys = new Set<string>();',
      'stream.filter(above).print();',
    ].join('\n');
    const slice = sliceCell(source, analyzeCell(source), new Set());
    assert.deepEqual(slice.captured, [
      { name: 'threshold', line: 2 },
      { name: 'seen', line: 3 },
      { name: 'seenKeys', line: 9 },
    ]);
    assert.ok(slice.graphNames.includes('stream'));
    assert.ok(slice.references.includes('threshold'));
  });

  it('keeps statements that import the engine dynamically, as a [flink-sql] cell does', () => {
    const source = [
      "await (await import('weir')).runFlinkSqlCell({ cell: { startLine: 1, statements: [] }, earlier: [] });",
      "const { Sinks } = await import('weir');",
      'const sink = Sinks.collect();',
      "await import('node:fs');",
      "console.log('done');",
    ].join('\n');
    assert.deepEqual(skipped(source), ["await import('node:fs');", "console.log('done');"]);
    assert.ok(sliceCell(source, analyzeCell(source), new Set()).graphNames.includes('sink'));
  });

  it('sees graph values of earlier cells', () => {
    assert.deepEqual(skipped("stream.print();\nconsole.log('x');", ['stream']), ["console.log('x');"]);
  });
});

describe('whyNotPlainData', () => {
  it('accepts plain data and names what is not', () => {
    assert.equal(whyNotPlainData({ a: [1, 'x', null], m: new Map([[1, new Set([2])]]), d: new Date(0) }, 'v'), undefined);
    assert.equal(whyNotPlainData({ a: [1, () => 1] }, 'v'), 'v.a[1] is a function');
    assert.equal(whyNotPlainData({ f: new Intl.NumberFormat('en') }, 'v'), 'v.f is an instance of NumberFormat');
  });
});
