import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { alive } from '../../harness/processes.ts';
import { until } from '../../harness/until.ts';

describe('exitWithParent', () => {
  it('ends a worker stuck in an endless loop when its parent is SIGKILLed', async () => {
    const parent = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'fixtures', 'spinning-parent.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    parent.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    let worker: number | undefined;
    try {
      worker = await until('the worker to spin', () => Number(/worker (\d+)/.exec(out)?.[1]) || undefined, 60_000);
      parent.kill('SIGKILL');
      // Its IPC channel closes, but its 'disconnect' handler never runs: the watchdog thread ends it.
      await until('the spinning worker to end', () => (alive(worker!) ? undefined : true), 30_000);
    } finally {
      parent.kill('SIGKILL');
      if (worker && alive(worker)) process.kill(worker, 'SIGKILL');
    }
  });
});
