/**
 * Racing calls to a worker process against its death, without the death keeping every call
 * alive. `Promise.race([call, exited])` adds a reaction to `exited` that holds the race's own
 * promise, and with it the call's result, until the process exits: a client polling a job's
 * status every 50 ms kept every status it ever got (with the checkpoint history in each), which
 * is how `weir run` and the workbench host grew by hundreds of MB an hour. Here each race
 * registers a waiter that it removes again when the call settles.
 */

/**
 * The exit of one process, to race calls against.
 *
 * @example
 * const exit = new ExitRace(jobManagerExited); // a Promise<string> saying how it ended
 * const status = await exit.race(api.status(id), (how) => new Error(`the jobmanager ${how}`));
 */
export class ExitRace {
  private readonly waiting = new Set<(how: string) => void>();
  private how: string | undefined;

  constructor(exited: Promise<string>) {
    void exited.then((how) => {
      this.how = how;
      for (const w of this.waiting) w(how);
      this.waiting.clear();
    });
  }

  /** Calls still waiting for their answer (a test counts them: none may be left behind). */
  get pending(): number {
    return this.waiting.size;
  }

  /** Settles as `call` does, or rejects with `died(how)` once the process has exited. */
  race<T>(call: Promise<T>, died: (how: string) => Error): Promise<T> {
    if (this.how !== undefined) return Promise.reject(died(this.how));
    return new Promise<T>((resolve, reject) => {
      const onExit = (how: string) => reject(died(how));
      this.waiting.add(onExit);
      call.then(
        (value) => {
          this.waiting.delete(onExit);
          resolve(value);
        },
        (error: unknown) => {
          this.waiting.delete(onExit);
          reject(error);
        },
      );
    });
  }
}
