/**
 * Console output of job rebuilds is dropped: the code that defines a job printed its lines once,
 * in the client, and a taskmanager re-running it must not print them again. `console` is the
 * process's, so while any rebuild runs its methods are wrapped, and the wrapper drops only what
 * code of a silent job build (job-build-scope.ts) writes: a running job's own prints, and
 * another build's, pass through.
 */
import { currentJobBuild } from '../job-build-scope.ts';

const METHODS = ['log', 'info', 'warn', 'error', 'debug', 'table', 'dir'] as const;

let builds = 0;
let originals: ((...args: unknown[]) => void)[] = [];

/**
 * Wraps `console` for one more rebuild; returns the function that ends it (the last one to end
 * restores the console).
 *
 * @example
 * const unsilence = silenceConsoleOfBuilds();
 * try { await runJobBuild({ host, silent: true }, () => import(url)); } finally { unsilence(); }
 */
export function silenceConsoleOfBuilds(): () => void {
  if (builds++ === 0) {
    originals = METHODS.map((m) => console[m] as (...args: unknown[]) => void);
    METHODS.forEach((m, i) => {
      const original = originals[i]!;
      console[m] = (...args: unknown[]) => {
        if (!currentJobBuild()?.silent) original.apply(console, args);
      };
    });
  }
  let ended = false;
  return () => {
    if (ended) return;
    ended = true;
    if (--builds === 0) METHODS.forEach((m, i) => (console[m] = originals[i]!));
  };
}
