import os from 'node:os';

/** One line that says where a benchmark ran, printed before its numbers. */
export function machineLine(): string {
  const cpus = os.cpus();
  return `machine: ${cpus[0]?.model ?? 'unknown cpu'} × ${cpus.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, ${os.platform()} ${os.arch()}`;
}

/** Runs `fn` `runs` times after one warm-up run and returns the best records/s. */
export async function bestRate(records: number, runs: number, fn: () => Promise<void> | void): Promise<{ rate: number; ms: number }> {
  await fn();
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    best = Math.min(best, performance.now() - t0);
  }
  return { rate: records / (best / 1000), ms: best };
}

export function fmtRate(rate: number): string {
  return rate >= 1e6 ? `${(rate / 1e6).toFixed(2)}M records/s` : `${(rate / 1e3).toFixed(1)}k records/s`;
}
