/**
 * `replayControls.get(name)` sees the replays running in its own process; for a replay of a job
 * this process started on taskmanagers it fails saying to use the job's client, until the job ends.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StreamExecutionEnvironment } from '../../../engine/api/environment.ts';
import { installExecutionHost } from '../../../engine/runtime/host.ts';
import type { JobClient } from '../../../engine/runtime/job.ts';
import { replayControls } from '../../../engine/runtime/replay-control.ts';

describe('replayControls.get for a job on taskmanagers', () => {
  it('fails naming the job and the client call while the job runs elsewhere, and finds nothing after', async () => {
    let end!: () => void;
    const ended = new Promise<void>((resolve) => (end = resolve));
    const restore = installExecutionHost({
      submitJob: (job): JobClient => ({
        jobName: job.graph.name,
        result: ended.then(() => ({ report: { name: job.graph.name, status: 'FINISHED', durationMs: 0, operators: [], checkpoints: [], restarts: 0 } })),
        cancel() {},
        metrics: () => [],
      }),
    });
    try {
      const env = StreamExecutionEnvironment.create();
      env.replay({ sql: 'SELECT 1 AS ts', timestampColumn: 'ts', speed: 'max', name: 'elsewhere-trips' }).print();
      const client = env.executeAsync('remote replay');
      assert.throws(
        () => replayControls.get('elsewhere-trips'),
        /replay 'elsewhere-trips' runs on the taskmanagers with job 'remote replay'.*client\.controlReplay\('elsewhere-trips'/,
      );
      assert.equal(replayControls.get('another-name'), undefined);
      end();
      await client.result;
      assert.equal(replayControls.get('elsewhere-trips'), undefined);
    } finally {
      restore();
    }
  });
});
