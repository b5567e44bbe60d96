/**
 * The working directory of a taskmanager while it rebuilds jobs. A job's code runs in its base
 * directory (the notebook's folder), as it did in the client, so that its top-level relative
 * paths mean the same. The working directory belongs to the process, so rebuilds from one
 * folder share it and run at the same time, while one from another folder waits until they have
 * finished: in order of arrival, and at most `OTHER_FOLDER_WAIT_MS`, past which it goes ahead (a
 * rebuild whose code never defines its job must not hold up other notebooks' jobs for ever).
 */

/** How long a rebuild from one folder waits for the rebuilds from another. */
export const OTHER_FOLDER_WAIT_MS = 30_000;

interface Waiting {
  dir: string;
  grant: () => void;
}

/**
 * Leases the process's working directory to rebuilds, by folder.
 *
 * @example
 * const release = await workingDirectories.enter('/home/ada/notebooks');
 * try { await rebuild(); } finally { release(); }
 */
export class WorkingDirectories {
  private holders = 0;
  private current: string | undefined;
  /** The directory the process had before the first lease, restored after the last. */
  private before: string | undefined;
  private readonly waiting: Waiting[] = [];

  constructor(
    private readonly process: { cwd(): string; chdir(dir: string): void } = globalThis.process,
    private readonly waitMs = OTHER_FOLDER_WAIT_MS,
  ) {}

  /** Resolves once the process works in `dir` (undefined: wherever it is), with the release. */
  async enter(dir: string | undefined): Promise<() => void> {
    if (dir === undefined) return () => {};
    if (this.waiting.length > 0 || (this.holders > 0 && this.current !== dir)) await this.wait(dir);
    else this.take(dir);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.holders === 0) {
        this.process.chdir(this.before!);
        this.current = this.before = undefined;
      }
      this.grantWaiting();
    };
  }

  private take(dir: string): void {
    if (this.holders++ === 0) this.before = this.process.cwd();
    if (this.current !== dir) this.process.chdir(dir);
    this.current = dir;
  }

  private wait(dir: string): Promise<void> {
    return new Promise<void>((resolve) => {
      const entry: Waiting = {
        dir,
        grant: () => {
          clearTimeout(timer);
          this.take(dir);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        const at = this.waiting.indexOf(entry);
        if (at >= 0) this.waiting.splice(at, 1);
        entry.grant();
      }, this.waitMs);
      timer.unref?.();
      this.waiting.push(entry);
    });
  }

  /** Lets in the rebuilds at the head of the queue that can work where the process works now. */
  private grantWaiting(): void {
    while (this.waiting.length > 0 && (this.holders === 0 || this.waiting[0]!.dir === this.current)) this.waiting.shift()!.grant();
  }
}

/** The working directories of this process's rebuilds. */
export const workingDirectories = new WorkingDirectories();
