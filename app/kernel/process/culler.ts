/**
 * Shuts down the kernels of notebooks that no client has open once they have been idle for a
 * while, as Jupyter's `cull_idle_timeout` does: a visit to six notebooks no longer leaves six
 * kernel processes of 100+ MB each running for ever. A kernel busy when its time comes gets
 * another full period; opening the notebook again keeps its kernel.
 */

/** What the culler needs of the workbench. */
export interface KernelCullerOptions {
  /** Idle time after which a closed notebook's kernel is shut down, ms; `Infinity` never. */
  idleMs: number;
  /** Whether the notebook's kernel has a cell queued or running. */
  busy(notebook: string): boolean;
  /** Shuts the kernel down. */
  shutdown(notebook: string): Promise<void>;
}

/** Ten minutes, as a user who comes back to a notebook soon expects to find its state. */
export const DEFAULT_KERNEL_IDLE_MS = 10 * 60_000;

/**
 * @example
 * const culler = new KernelCuller({ idleMs: 600_000, busy, shutdown });
 * culler.closed('a.ts');   // shut down in 10 min unless...
 * culler.opened('a.ts');   // ...it is opened again
 */
export class KernelCuller {
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(private readonly options: KernelCullerOptions) {
    if (!(options.idleMs > 0)) throw new Error(`KernelCuller: the idle time must be a positive number of ms, got ${options.idleMs}`);
  }

  /** No client has `notebook` open any more: its kernel's idle period starts. */
  closed(notebook: string): void {
    this.opened(notebook);
    if (!Number.isFinite(this.options.idleMs)) return;
    const timer = setTimeout(() => {
      this.timers.delete(notebook);
      if (this.options.busy(notebook)) {
        this.closed(notebook);
        return;
      }
      void this.options.shutdown(notebook).catch(() => {});
    }, this.options.idleMs);
    timer.unref?.();
    this.timers.set(notebook, timer);
  }

  /** A client opened `notebook` (or its kernel went away): nothing is pending for it. */
  opened(notebook: string): void {
    clearTimeout(this.timers.get(notebook));
    this.timers.delete(notebook);
  }

  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}
