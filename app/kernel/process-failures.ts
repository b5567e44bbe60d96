/**
 * Errors that escape a cell's promise: a job started without `await` that fails later, a
 * throwing timer callback. Without a listener Node would end the process with its own report;
 * while a notebook runs, they fail the run like any other error in a cell.
 */

/** A watch over the process's uncaught errors. */
export interface ProcessFailureWatch {
  /** Rejects with the first uncaught exception or unhandled rejection. */
  readonly failure: Promise<never>;
  /** Removes the listeners; errors after this get Node's default handling again. */
  dispose(): void;
}

/**
 * Starts watching. Call `dispose()` when the run ends.
 *
 * @example
 * const watch = watchProcessFailures();
 * try { await Promise.race([import(cellModule), watch.failure]); } finally { watch.dispose(); }
 */
export function watchProcessFailures(): ProcessFailureWatch {
  let fail!: (error: unknown) => void;
  const failure = new Promise<never>((_, reject) => {
    fail = reject;
  });
  // Nobody may be racing against it when it rejects; that must not count as unhandled.
  failure.catch(() => {});
  const onError = (error: unknown): void => fail(error);
  process.on('uncaughtException', onError);
  process.on('unhandledRejection', onError);
  return {
    failure,
    dispose() {
      process.off('uncaughtException', onError);
      process.off('unhandledRejection', onError);
    },
  };
}
