/**
 * `weir bench nexmark`: times one Nexmark query notebook, optionally verified against its
 * DuckDB reference, and prints one line (JSON with --json).
 */
import { availableParallelism } from 'node:os';
import type { CliContext } from './io.ts';
import { BENCH_USAGE } from './usage.ts';
import { EXIT, parseCommandLine, parseFlags, UsageError } from './command-line.ts';
import type { NexmarkRunOptions } from './nexmark/run-query.ts';

interface BenchArguments extends NexmarkRunOptions {
  json: boolean;
}

const whole = (flag: string, value: string, min: number): number => {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < min) throw new UsageError(`${flag} must be an integer of at least ${min}, got '${value}'`);
  return n;
};

/**
 * Parses `weir bench`'s arguments; throws `UsageError` naming the bad one.
 *
 * @example
 * parseBenchArguments(['nexmark', '--query', 'q5', '--events', '1000000']);
 */
export function parseBenchArguments(argv: string[]): BenchArguments | 'help' {
  const { values, positionals } = parseFlags(argv, 'bench', {
    query: { type: 'string' },
    events: { type: 'string' },
    parallelism: { type: 'string' },
    taskmanagers: { type: 'string' },
    'checkpoint-interval': { type: 'string' },
    'events-per-second': { type: 'string' },
    mode: { type: 'string' },
    verify: { type: 'boolean' },
    json: { type: 'boolean' },
  });
  if (values.help) return 'help';
  if (positionals[0] !== 'nexmark') throw new UsageError(`unknown benchmark '${positionals[0] ?? ''}' (weir bench nexmark --query qN; see 'weir bench --help')`);
  if (positionals.length > 1) throw new UsageError(`unexpected argument '${positionals[1]}'`);
  if (!values.query || !/^q\d+$/.test(values.query)) throw new UsageError(`--query must name a Nexmark query such as q5, got '${values.query ?? ''}'`);
  const args: BenchArguments = {
    query: values.query,
    events: values.events === undefined ? 1_000_000 : whole('--events', values.events.replace(/_/g, ''), 1),
    taskManagers: values.taskmanagers === undefined ? availableParallelism() : whole('--taskmanagers', values.taskmanagers, 0),
    json: values.json === true,
    verify: values.verify === true,
  };
  if (values.parallelism !== undefined) args.parallelism = whole('--parallelism', values.parallelism, 1);
  if (values['checkpoint-interval'] !== undefined) args.checkpointInterval = whole('--checkpoint-interval', values['checkpoint-interval'], 0);
  if (values['events-per-second'] !== undefined) args.eventsPerSecond = whole('--events-per-second', values['events-per-second'], 1);
  if (values.mode !== undefined) {
    if (values.mode !== 'streaming' && values.mode !== 'batch') throw new UsageError(`--mode must be 'streaming' or 'batch', got '${values.mode}'`);
    args.mode = values.mode;
  }
  return args;
}

/** `weir bench nexmark …`: exits 0 when the run finished (and, with --verify, its output matched), 1 otherwise. */
export async function benchCommand(argv: string[], context: CliContext): Promise<number> {
  const args = parseCommandLine(() => parseBenchArguments(argv), BENCH_USAGE, context);
  if (typeof args === 'number') return args;
  const { runNexmarkQuery } = await import('./nexmark/run-query.ts');
  let result;
  try {
    result = await runNexmarkQuery(args);
  } catch (error) {
    context.stderr(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.failed;
  }
  if (args.json) context.stdout(`${JSON.stringify(result)}\n`);
  else {
    const verified = result.verified === null ? '' : result.verified ? `, verified against DuckDB (${result.rows} rows)` : ', NOT equal to the DuckDB reference';
    context.stdout(
      `${result.query}: ${result.events.toLocaleString('en-US')} events in ${result.seconds.toFixed(2)} s = ${result.eventsPerSecond.toLocaleString('en-US')} events/s, ` +
        `${result.eventsPerSecondPerCore.toLocaleString('en-US')} per core on ${result.cores}, ${result.checkpoints} checkpoints${verified}\n`,
    );
  }
  if (result.verified === false) {
    context.stderr(`error: ${result.query}'s output differs from its DuckDB reference:\n${(result.differences ?? []).join('\n')}\n`);
    return EXIT.failed;
  }
  return EXIT.ok;
}
