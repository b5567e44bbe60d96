/**
 * The `weir` command: dispatches to a verb. `bin/weir.mjs` calls `main` with the arguments
 * after `weir` and exits with the code it resolves to.
 */
import { removeOrphanedTempDirs } from '../../engine/process/temp-dirs.ts';
import { processContext, type CliContext } from './io.ts';
import { MAIN_USAGE } from './usage.ts';
import { weirVersion } from './version.ts';

/** A verb: takes the arguments after its name, resolves with the exit code. */
type Verb = (argv: string[], context: CliContext) => Promise<number>;

// Verbs are loaded on use: `run` pulls in the TypeScript parser and esbuild, which
// `weir --version` should not wait for.
const VERBS: Record<string, () => Promise<Verb>> = {
  run: async () => (await import('./run.ts')).runCommand,
  serve: async () => (await import('./serve.ts')).serveCommand,
  export: async () => (await import('./export.ts')).exportCommand,
  plan: async () => (await import('./plan.ts')).planCommand,
  savepoint: async () => (await import('./savepoint.ts')).savepointCommand,
  bench: async () => (await import('./bench.ts')).benchCommand,
};

/**
 * Runs the `weir` command line.
 *
 * @example
 * process.exitCode = await main(['run', 'notebooks/sensor-averages.ts']);
 */
export async function main(argv: string[], context: CliContext = processContext()): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    context.stderr(MAIN_USAGE);
    return 2;
  }
  if (first === '--help' || first === '-h' || first === 'help') {
    context.stdout(MAIN_USAGE);
    return 0;
  }
  if (first === '--version' || first === '-v') {
    context.stdout(`weir ${weirVersion()}\n`);
    return 0;
  }
  const load = Object.hasOwn(VERBS, first) ? VERBS[first] : undefined;
  if (!load) {
    const what = first.startsWith('-') ? `unknown flag '${first}'` : `unknown command '${first}'`;
    context.stderr(`error: ${what} (see 'weir --help')\n`);
    return 2;
  }
  // Temp folders of earlier runs that were killed before they could clean up.
  if (first === 'run' || first === 'serve' || first === 'bench') removeOrphanedTempDirs();
  return (await load())(rest, context);
}
