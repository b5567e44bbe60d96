/**
 * The check `weir run <dir>` makes before it starts an exported job: the graph the bundle
 * builds against job.json (planMismatch), and the reading of job.json itself (checkJobFile).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StreamGraphSpec } from '../../../engine/plan/job-graph.ts';
import { checkJobFile, jobFileOf, JobFileError, planMismatch, type JobFile } from '../../../app/kernel/job-file.ts';

/** source (p1) → rebalance → window (p2, keyed via hash) → forward → sink (p2). */
function graph(): StreamGraphSpec {
  return {
    name: 'job',
    mode: 'streaming',
    autoWatermarkInterval: 200,
    vertices: [
      { id: 0, uid: 'src', name: 'Source: Collection', kind: 'source', parallelism: 1, maxParallelism: 128, chainable: true, config: { source: 'Collection' }, bounded: true },
      { id: 1, uid: 'win', name: 'Window', kind: 'window', parallelism: 2, maxParallelism: 128, chainable: true, config: { assigner: 'Tumbling(60000)' }, keyed: true, definedAt: '/home/me/nb.ts:4:2' },
      { id: 2, uid: 'out', name: 'Sink: jsonl', kind: 'sink', parallelism: 2, maxParallelism: 128, chainable: true, config: { sink: 'jsonl', path: '/home/me/out/x/' } },
    ],
    edges: [
      { source: 0, target: 1, partitioner: 'hash', inputIndex: 0 },
      { source: 1, target: 2, partitioner: 'forward', inputIndex: 0 },
    ],
    restartStrategy: { kind: 'none' },
  };
}

function exported(g = graph()): JobFile {
  return jobFileOf(g, { file: 'bundle.mjs', cell: 1, occurrence: 0 }, { notebook: 'nb.ts', weirVersion: '0.1.0' }, '/home/me');
}

describe('job.json', () => {
  it('is the graph as plain data, with definedAt relative to the notebook', () => {
    const file = exported();
    assert.equal(file.version, 1);
    assert.equal(file.vertices[1]!.definedAt, 'nb.ts:4:2');
    assert.deepEqual(file.edges, graph().edges);
    assert.deepEqual(file.entry, { file: 'bundle.mjs', cell: 1, occurrence: 0 });
  });

  it('matches the same graph built elsewhere: ids, definedAt and absolute paths may differ', () => {
    const g = graph();
    // Rebuilt in another process and directory: other ids, other locations, another cwd.
    const other: StreamGraphSpec = {
      ...g,
      vertices: g.vertices.map((v) => ({ ...v, id: v.id + 10, definedAt: 'elsewhere', config: v.config?.path ? { ...v.config, path: '/srv/job/out/x/' } : v.config })),
      edges: g.edges.map((e) => ({ ...e, source: e.source + 10, target: e.target + 10 })),
    };
    assert.equal(planMismatch(exported(), other), undefined);
  });

  it('names the vertex or edge that differs', () => {
    const cases: Array<[(g: StreamGraphSpec) => void, RegExp]> = [
      [(g) => (g.vertices[1]!.parallelism = 3), /^vertex 'Window' \(uid win\): parallelism is 2 in job\.json, 3 in the bundle$/],
      [(g) => (g.vertices[1]!.uid = 'win2'), /^vertex 'Window' \(uid win\) is in job\.json but the bundle does not build it$/],
      [(g) => (g.vertices[1]!.config = { assigner: 'Tumbling(30000)' }), /^vertex 'Window' \(uid win\): config\.assigner is "Tumbling\(60000\)" in job\.json, "Tumbling\(30000\)" in the bundle$/],
      [(g) => (g.vertices[2]!.config = { sink: 'jsonl', path: 'relative/out' }), /^vertex 'Sink: jsonl' \(uid out\): config\.path/],
      [(g) => (g.edges[0]!.partitioner = 'rebalance'), /^edge src -> win \(input 0\): partitioner is hash in job\.json, rebalance in the bundle$/],
      [(g) => g.edges.push({ source: 0, target: 2, partitioner: 'rebalance', inputIndex: 0 }), /^edge src -> out \(input 0\) is built by the bundle but not in job\.json$/],
      [(g) => g.vertices.push({ id: 3, uid: 'extra', name: 'Map', kind: 'map', parallelism: 1, maxParallelism: 128, chainable: true }), /^vertex 'Map' \(uid extra\) is built by the bundle but not in job\.json$/],
      [(g) => (g.restartStrategy = { kind: 'fixed-delay', attempts: 3, delayMs: 10 }), /^restartStrategy is/],
      [(g) => (g.mode = 'batch'), /^the job runs in streaming mode in job\.json, batch in the bundle$/],
      [(g) => (g.vertices[1]!.slotSharingGroup = 'heavy'), /^vertex 'Window' \(uid win\): slotSharingGroup is absent in job\.json, "heavy" in the bundle$/],
      [(g) => (g.vertices[1]!.chainStart = true), /^vertex 'Window' \(uid win\): chainStart is absent in job\.json, true in the bundle$/],
      [(g) => (g.operatorChaining = false), /^operator chaining is enabled in job\.json, disabled in the bundle$/],
    ];
    for (const [change, message] of cases) {
      const g = graph();
      change(g);
      assert.match(planMismatch(exported(), g) ?? 'no mismatch', message);
    }
  });

  it('lets --parallelism and --mode change what they change, and nothing else', () => {
    const g = graph();
    g.vertices[1]!.parallelism = 4;
    g.vertices[2]!.parallelism = 4;
    g.edges[1]!.partitioner = 'forward';
    g.mode = 'batch';
    assert.match(planMismatch(exported(), g, { mode: true }) ?? '', /parallelism is 2 in job\.json, 4 in the bundle/);
    assert.match(planMismatch(exported(), g, { parallelism: true }) ?? '', /streaming mode in job\.json, batch/);
    assert.equal(planMismatch(exported(), g, { parallelism: true, mode: true }), undefined);
    g.edges[0]!.partitioner = 'broadcast';
    assert.match(planMismatch(exported(), g, { parallelism: true, mode: true }) ?? '', /partitioner is hash in job\.json, broadcast/);
  });

  it('reading refuses bad content with the field named', () => {
    const good = JSON.parse(JSON.stringify(exported())) as Record<string, unknown>;
    assert.equal(checkJobFile(good, 'job.json').name, 'job');
    const bad: Array<[unknown, RegExp]> = [
      [[], /^job\.json: the content must be a JSON object$/],
      [{ ...good, version: 2 }, /^job\.json: version is 2, but this weir reads version 1/],
      [{ ...good, vertices: [{ id: 0, name: 'x', parallelism: 1 }] }, /^job\.json: vertices\[0\]\.uid must be a non-empty string$/],
      [{ ...good, vertices: [{ id: 0, uid: 'u', name: 'x', parallelism: 0 }] }, /^job\.json: vertices\[0\]\.parallelism must be an integer of at least 1$/],
      [{ ...good, entry: { file: '../evil.mjs', cell: 0, occurrence: 0 } }, /^job\.json: entry\.file must be a file name next to job\.json$/],
    ];
    for (const [data, message] of bad) assert.throws(() => checkJobFile(data, 'job.json'), (e: unknown) => e instanceof JobFileError && message.test(e.message));
  });
});
