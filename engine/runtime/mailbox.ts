/**
 * The mail queue operators use to get work back into their task (Flink's `MailboxExecutor`).
 * A promise callback, an RPC reply or anything else that finishes outside the task must not call
 * operator code directly: the task is single-threaded by contract, and a callback would run
 * between two records of a batch, or after the task was suspended for a final savepoint. It posts
 * a mail instead; the task runs its mails between two steps, with the operator's error attribution.
 */
import { yieldToEventLoop } from './platform.ts';

/**
 * Runs code inside the task that owns it, between two steps.
 *
 * @example
 * lookup(value).then((row) => mailbox.execute(() => emit(row), 'async result'));
 */
export interface MailboxExecutor {
  /** Queues `mail` to run in the task; `description` names it in errors and debugging. */
  execute(mail: () => void, description: string): void;
}

/** A queued mail and what it is for. */
interface Mail {
  run: () => void;
  description: string;
}

/**
 * One task's operator mails, in arrival order. Posting wakes the task's executor, which may be
 * sleeping for lack of input.
 *
 * @example
 * const mailbox = new TaskMailbox(runner.wake);
 * mailbox.execute(() => op.complete(entry), 'async result');
 * mailbox.runAll(); // in the task's step
 */
export class TaskMailbox implements MailboxExecutor {
  private queue: Mail[] = [];

  constructor(private readonly wake: () => void) {}

  execute(mail: () => void, description: string): void {
    this.queue.push({ run: mail, description });
    // Wake the task once per turn of the event loop, not per mail: answers that arrive together
    // (a hundred timers or sockets in one phase) then run in one step instead of a hundred.
    if (!this.wakePending) {
      this.wakePending = true;
      void yieldToEventLoop().then(this.wakeNow);
    }
  }

  private wakePending = false;
  private readonly wakeNow = (): void => {
    this.wakePending = false;
    this.wake();
  };

  /** Mails waiting to run. */
  get size(): number {
    return this.queue.length;
  }

  /**
   * Runs the mails queued before this call (mails they post run in the next step, so a mail that
   * re-posts itself cannot starve the task's input). Returns whether any ran. A mail that throws
   * stops the run; the mails after it stay queued.
   */
  runAll(): boolean {
    const batch = this.queue;
    if (batch.length === 0) return false;
    this.queue = [];
    for (let i = 0; i < batch.length; i++) {
      try {
        batch[i]!.run();
      } catch (e) {
        this.queue = batch.slice(i + 1).concat(this.queue);
        throw e;
      }
    }
    return true;
  }
}
