/**
 * What every `weir` command shares on its command line: exit codes, usage errors and their
 * one-line messages, and the parse-or-print-usage step each command starts with.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { CliContext } from './io.ts';

/** Exit codes of the `weir` commands. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** A usage error: its message is printed after `error: `, and the command exits with 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * Node's parseArgs messages are long and generic; says which flag in one line.
 *
 * @example
 * describeParseError(error, 'export'); // "unknown flag '--jbo' (see 'weir export --help')"
 */
export function describeParseError(error: unknown, verb: string): string {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  // "Option '-h, --help' does not take an argument": name the long form.
  const flag = /'(?:-\w, )?(--?[^ ',=]+)/.exec(message)?.[1];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown flag '${flag ?? message}' (see 'weir ${verb} --help')`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const name = flag ?? 'flag';
    if (/argument missing/.test(message)) return `${name} needs a value`;
    if (/ambiguous/.test(message)) return `${name} needs a value (for a value starting with '-', write ${name}=<value>)`;
    return `${name} takes no value`;
  }
  return message;
}

/** The flags of a command, as `parseArgs` takes them. */
type FlagOptions = NonNullable<ParseArgsConfig['options']>;
/** What `parseFlags` returns: `parseArgs`'s result for these flags and `--help`. */
type ParsedFlags<O extends FlagOptions> = ReturnType<typeof parseArgs<{ args: string[]; allowPositionals: true; strict: true; options: O & { help: { type: 'boolean'; short: 'h' } } }>>;

/**
 * Node's `parseArgs` as every `weir` command calls it: strict, positionals allowed, `--help`/`-h`
 * added to `options`; a bad flag is a `UsageError` naming it (`describeParseError`).
 *
 * @example
 * const { values, positionals } = parseFlags(argv, 'plan', { json: { type: 'boolean' } });
 */
export function parseFlags<const O extends FlagOptions>(argv: string[], verb: string, options: O): ParsedFlags<O> {
  try {
    return parseArgs({ args: argv, allowPositionals: true, strict: true, options: { ...options, help: { type: 'boolean', short: 'h' } } as const });
  } catch (error) {
    throw new UsageError(describeParseError(error, verb));
  }
}

/**
 * Parses a command's arguments: the arguments, or the exit code when there is nothing more to
 * do (usage printed for `--help`, or a usage error printed to stderr).
 *
 * @example
 * const args = parseCommandLine(() => parsePlanArguments(argv, context.cwd), PLAN_USAGE, context);
 * if (typeof args === 'number') return args;
 */
export function parseCommandLine<T>(parse: () => T | 'help', usage: string, context: CliContext): T | number {
  let args: T | 'help';
  try {
    args = parse();
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    context.stderr(`error: ${error.message}\n`);
    return EXIT.usage;
  }
  if (args === 'help') {
    context.stdout(usage);
    return EXIT.ok;
  }
  return args;
}
