/**
 * Temp folders that Weir's processes make, named after their owner: `weir-<what>-<pid>-XXXXXX`
 * in the OS temp directory. Each goes when its owner exits (normally, by an error, or through a
 * signal handler that calls `process.exit`); a process that cannot clean up (SIGKILL, a power
 * cut) leaves folders whose pid is gone, and the next `weir` start removes those.
 *
 * A `savepoints` folder inside one (the workbench keeps its savepoints next to its checkpoints)
 * is the user's and stays, with the folder around it; everything else goes.
 */
import { mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** `weir-<what>-<pid>-<random>`: the owner's pid is the third part. */
const OWNED = /^weir-[a-z-]+?-(\d+)-[A-Za-z0-9]{6}$/;

const owned = new Set<string>();
let exitHookInstalled = false;

/** Savepoints are the user's, even in a temp folder. */
const KEPT = 'savepoints';

/** Removes `dir` but for a non-empty `savepoints` folder in it. */
function remove(dir: string): void {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return; // gone already
  }
  let kept = false;
  for (const name of entries) {
    const full = path.join(dir, name);
    if (name === KEPT && readdirSync(full, { withFileTypes: true }).length > 0) kept = true;
    else rmSync(full, { recursive: true, force: true });
  }
  if (!kept) rmdirSync(dir);
}

function removeOwned(): void {
  for (const dir of owned) {
    try {
      remove(dir);
    } catch {
      // An exit hook must not throw; the next start sweeps what is left.
    }
  }
  owned.clear();
}

/**
 * Makes a private temp folder (mode 0700) owned by this process: removed by `releaseTempDir`
 * or, at the latest, when the process exits.
 *
 * @example
 * const dir = ownedTempDir('weir-kernel'); // /tmp/weir-kernel-4242-Ab12Cd
 */
export function ownedTempDir(prefix: string, root = tmpdir()): string {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', removeOwned);
  }
  const dir = mkdtempSync(path.join(root, `${prefix}-${process.pid}-`));
  owned.add(dir);
  return dir;
}

/**
 * Removes a folder made by `ownedTempDir` now (but for savepoints in it); safe to call twice.
 *
 * @example
 * releaseTempDir(dir);
 */
export function releaseTempDir(dir: string): void {
  owned.delete(dir);
  remove(dir);
}

/**
 * Whether a process with this pid still runs (EPERM: it does, as another user's). A zombie has
 * ended: a worker killed together with its parent may wait unreaped for a long time where the
 * process that inherits it (a container's pid 1) never reaps, and its folders are orphans.
 */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !isZombie(pid);
}

/** On Linux, whether `pid` has exited and waits to be reaped (state Z or X in /proc). */
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The state follows the command name, which is in parentheses and may hold anything.
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state === 'Z' || state === 'X';
  } catch {
    return false; // no /proc here: kill(pid, 0) has the last word
  }
}

/**
 * Removes the temp folders of Weir processes that are gone (killed before they could clean up);
 * resolves with how many. Folders of live processes, and any not named by `ownedTempDir`, stay.
 *
 * @example
 * removeOrphanedTempDirs(); // at the start of `weir run` and `weir serve`
 */
export function removeOrphanedTempDirs(root = tmpdir()): number {
  let removed = 0;
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return 0;
  }
  for (const name of names) {
    const pid = Number(OWNED.exec(name)?.[1] ?? NaN);
    if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid || alive(pid)) continue;
    try {
      remove(path.join(root, name));
      removed++;
    } catch {
      // Someone else's, or gone meanwhile: not ours to insist on.
    }
  }
  return removed;
}
