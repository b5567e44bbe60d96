/**
 * Where the CLI writes, so that tests can run a command in-process and read what it printed.
 */

/** The CLI's outputs and surroundings. */
export interface CliContext {
  /** Writes to standard output (usage, version). Cell output goes to the process's stdout directly. */
  stdout(text: string): void;
  /** Writes to standard error (status lines, errors). */
  stderr(text: string): void;
  /** Directory that relative paths in arguments and messages are relative to. */
  cwd: string;
  /** The engine module notebooks import as 'weir'; default: the one next to the CLI. */
  weirModule?: string;
  /** Standard error is a terminal: a status line may be drawn and rewritten there. */
  terminal?: boolean;
  /** Columns of that terminal. */
  columns?: number;
}

/**
 * The context of a real `weir` process.
 *
 * @example
 * process.exitCode = await main(process.argv.slice(2), processContext());
 */
export function processContext(): CliContext {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    cwd: process.cwd(),
    terminal: process.stderr.isTTY === true,
    ...(process.stderr.columns ? { columns: process.stderr.columns } : {}),
  };
}
