/**
 * AsyncDataStream in the plan: the operator's kind and configuration are plain data in the
 * graph and in job.json (valid against schema/job.schema.json), it keeps the uid it is given,
 * and it records where the user defined it.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { AsyncDataStream, AsyncRetryStrategies, RetryPredicates, StreamExecutionEnvironment } from '../../../engine/index.ts';
import { generateGraph } from '../../../engine/api/graph-generator.ts';
import { jobFileOf } from '../../../app/kernel/job-file.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

describe('AsyncDataStream in the plan', () => {
  it('an async operator is a vertex with its mode, timeout, capacity and retry strategy as plain data', () => {
    const env = StreamExecutionEnvironment.create({ parallelism: 2 });
    const ids = env.fromSequence(1, 10);
    const retry = AsyncRetryStrategies.exponentialBackoff(4, 10, 500, 3).ifResult(RetryPredicates.EMPTY_RESULT_PREDICATE);
    AsyncDataStream.unorderedWaitWithRetry(ids, async (k: number) => [k], 2_000, 7, retry).uid('lookup').print();
    AsyncDataStream.orderedWait(ids, async (k: number) => k, 0).print();
    const { graph } = generateGraph(env, 'lookups');
    const [unordered, ordered] = graph.vertices.filter((v) => v.kind === 'asyncWait');
    assert.equal(unordered!.uid, 'lookup');
    assert.equal(unordered!.name, 'Async Wait (unordered)');
    assert.deepEqual(unordered!.config, {
      mode: 'unordered',
      timeoutMs: 2_000,
      capacity: 7,
      retry: { kind: 'exponential-backoff', maxAttempts: 4, delayMs: 10, maxDelayMs: 500, multiplier: 3 },
    });
    assert.deepEqual(ordered!.config, { mode: 'ordered', timeoutMs: 0, capacity: 100 });
    assert.match(unordered!.definedAt ?? '', /async-datastream\.test\.ts:\d+:\d+$/);

    const schema = JSON.parse(readFileSync(path.join(root, 'schema/job.schema.json'), 'utf8')) as object;
    const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema);
    const file = jobFileOf(graph, { file: 'bundle.mjs', cell: 0, occurrence: 0 }, undefined, root);
    assert.ok(validate(file), JSON.stringify(validate.errors));
  });
});
