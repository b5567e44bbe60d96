/**
 * Helpers of the multi-process tests: the worker processes below a process, and a seeded random
 * source so that a failure-injection run can be replayed.
 */
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

/** A process as `ps` lists it. */
export interface ProcessEntry {
  pid: number;
  ppid: number;
  /** The command line, or the title a Weir worker sets (`weir-taskmanager ...`). */
  title: string;
}

/** Every process on the machine, from `ps`. */
export function processes(): ProcessEntry[] {
  return spawnSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' })
    .stdout.split('\n')
    .map((l) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => !!m)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), title: m[3]! }));
}

/** Whether the process runs (an exited child whose parent is gone may linger as a zombie). */
export function alive(pid: number): boolean {
  return processes().some((p) => p.pid === pid && !p.title.includes('<defunct>'));
}

/**
 * The processes below `ancestor` (children, grandchildren, ...) whose title matches `title`.
 *
 * @example
 * const taskManagers = descendants(child.pid!, /^weir-taskmanager/);
 */
export function descendants(ancestor: number, title: RegExp = /./): ProcessEntry[] {
  const all = processes();
  const below = new Set([ancestor]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of all) {
      if (below.has(p.ppid) && !below.has(p.pid)) {
        below.add(p.pid);
        grew = true;
      }
    }
  }
  return all.filter((p) => p.pid !== ancestor && below.has(p.pid) && title.test(p.title));
}

/**
 * mulberry32: a small seeded generator of numbers in [0, 1).
 *
 * @example
 * const random = prng(20261122);
 * const delayMs = 300 + Math.floor(random() * 2200);
 */
export function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * CPU time `pid` has used so far, in clock ticks (Linux /proc), or undefined where it cannot be
 * read: a test sees a process spin by this growing, not by waiting a fixed time.
 *
 * @example
 * const before = cpuTicks(pid)!; await until('spinning', () => (cpuTicks(pid)! - before > 50 ? true : undefined));
 */
export function cpuTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of stat; the slice starts at field 3.
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}
