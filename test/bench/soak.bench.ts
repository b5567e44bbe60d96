/**
 * `npm run bench -- soak [--minutes N]`: memory of every long-lived process while a job
 * checkpoints every 100 ms for N minutes (default 10; env WEIR_SOAK_MINUTES too), once under
 * `weir run` on two taskmanagers, once with `--taskmanagers 0`, and once in the workbench host
 * with three such jobs from three notebooks. Every process of a run (weir run or the host, the
 * jobmanager, the taskmanagers, the kernels) has heap-probe.mjs preloaded, which collects garbage
 * and reports its heap and RSS once a minute; this prints them per minute and the growth after
 * minute 2. Aim: under 5 MB of heap per process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const probe = path.join(root, 'test/bench/heap-probe.mjs');
const notebook = path.join(root, 'test/bench/notebooks/checkpoint-soak.ts');

/** One process's report, as heap-probe.mjs writes it. */
interface Sample {
  role: string;
  pid: number;
  at: number;
  /** JS heap and array buffers in use after a full GC, bytes. */
  heapAfterGc: number;
  rss: number;
}

/** What one soak run measured. */
interface Run {
  samples: Sample[];
  stderr: string;
  /** Per job, the checkpoints it took (when they went to disk). */
  checkpoints: number[];
}

/** The run's length: `--minutes N` after `soak`, or WEIR_SOAK_MINUTES. */
function minutes(): number {
  const i = process.argv.indexOf('--minutes');
  const given = i >= 0 ? process.argv[i + 1] : process.env.WEIR_SOAK_MINUTES;
  const n = Number(given ?? 10);
  if (!(n >= 1)) throw new Error(`soak: --minutes expects a number ≥ 1, got ${given}`);
  return n;
}

const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);

/** Runs `command` with the probe in every process for `runMinutes`, then stops it; resolves with the samples. */
async function soak(args: string[], runMinutes: number, env: Record<string, string>): Promise<Run> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'weir-soak-'));
  args = args.map((a) => a.replace('<dir>', dir));
  const file = path.join(dir, 'heap.jsonl');
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: root,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {
      ...process.env,
      ...env,
      WEIR_SOAK_OUT: path.join(dir, 'out'),
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${pathToFileURL(probe).href}`.trim(),
      WEIR_HEAP_PROBE_FILE: file,
      WEIR_HEAP_PROBE_MS: '60000',
    },
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // The last minute's samples are taken runMinutes × 60 s after each process started (workers start some seconds after the run).
  const ended = await Promise.race([exited.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), runMinutes * 60_000 + 30_000))]);
  // How many checkpoints each job took, read before the run ends (the workbench removes its checkpoints when it closes).
  const checkpoints = highestCheckpointIds(path.join(dir, 'checkpoints'));
  if (!ended) {
    child.kill('SIGTERM');
    const killTimer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(killTimer);
  }
  let samples: Sample[] = [];
  try {
    samples = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Sample);
  } catch {
    samples = [];
  }
  rmSync(dir, { recursive: true, force: true });
  return { samples, stderr, checkpoints };
}

/** Per job directory under `dir` (each holds `chk-<id>`), the highest checkpoint id: how many it took. */
function highestCheckpointIds(dir: string): number[] {
  const highest: number[] = [];
  try {
    for (const job of readdirSync(dir)) {
      const ids = readdirSync(path.join(dir, job)).map((e) => /^chk-(\d+)$/.exec(e)?.[1]).filter((id) => id !== undefined).map(Number);
      if (ids.length) highest.push(Math.max(...ids));
    }
  } catch {
    // No checkpoint directory: the mode keeps checkpoints in memory.
  }
  return highest;
}

/** Per process: heap after GC (and RSS) per minute, and the growth from minute 2 to the last. */
function table(what: string, run: Run, runMinutes: number): string[] {
  const lines = [`${what}${run.checkpoints.length ? ` (checkpoints taken: ${run.checkpoints.join(', ')})` : ''}:`];
  const byPid = new Map<number, Sample[]>();
  for (const s of run.samples) byPid.set(s.pid, [...(byPid.get(s.pid) ?? []), s]);
  if (byPid.size === 0) return [...lines, `  no samples; the run said: ${run.stderr.trim() || '(nothing)'}`];
  for (const samples of byPid.values()) {
    // A process names itself (weir-jobmanager, ...) once its entry module has run.
    const last = samples.at(-1)!;
    // Minute 0 is the sample a second after the process started, minute k the one k minutes later.
    const first = samples[0]!.at - 1000;
    const atMinute = new Map(samples.map((s) => [Math.round((s.at - first) / 60_000), s] as const));
    const cells = Array.from({ length: runMinutes + 1 }, (_, m) => atMinute.get(m)).map((s, m) => (s ? `m${m} ${mb(s.heapAfterGc)}/${mb(s.rss)}` : `m${m} -`));
    const two = atMinute.get(2);
    const growth = two && last !== two ? `growth after minute 2: heap ${mb(last.heapAfterGc - two.heapAfterGc)} MB, RSS ${mb(last.rss - two.rss)} MB` : 'growth after minute 2: (too short)';
    lines.push(`  ${last.role} (pid ${samples[0]!.pid}), heap after GC/RSS MB: ${cells.join(', ')}; ${growth}`);
  }
  return lines;
}

export async function benchSoak(): Promise<string[]> {
  const runMinutes = minutes();
  const weir = path.join(root, 'bin/weir.mjs');
  const load = () => `load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`;
  const out: string[] = [`a job checkpointing every 100 ms at 20k records/s for ${runMinutes} min per mode; ${load()}`];
  const modes: [string, string[]][] = [
    ['weir run --taskmanagers 2', [weir, 'run', notebook, '--taskmanagers', '2', '--checkpoint-dir', '<dir>/checkpoints']],
    // Checkpoints go into the run's own directory (removed after it), not <temp>/weir-checkpoints.
    ['weir run --taskmanagers 0', [weir, 'run', notebook, '--taskmanagers', '0', '--checkpoint-dir', '<dir>/checkpoints']],
    ['workbench host, 3 jobs on 2 taskmanagers', ['--import', 'tsx', path.join(root, 'test/bench/soak-host.ts'), notebook, '<dir>/checkpoints']],
  ];
  const only = process.env.WEIR_SOAK_MODES?.split(',');
  for (const [what, args] of modes) {
    if (only && !only.some((o) => what.includes(o))) continue;
    const run = await soak(args, runMinutes, {});
    out.push(...table(what, run, runMinutes), `  (then ${load()})`);
  }
  return out;
}
