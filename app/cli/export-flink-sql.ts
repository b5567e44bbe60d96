/**
 * `weir export --flink-sql <notebook.ts> --out <dir>`: the notebook's `[flink-sql]` cells as
 * `job.sql`, a script Flink's SQL client runs as is, and a README saying how to submit it. A
 * job that code cells build with the DataStream API has no SQL form: it is named, with its
 * operators, and left out. Options only Weir has are refused (nothing is written), options
 * with a Flink form mapped, each with a message (flink-sql-script.ts).
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { discoverJobs } from '../kernel/discover-jobs.ts';
import { parseNotebook } from '../shared/notebook/format.ts';
import type { Notebook } from '../shared/notebook/model.ts';
import { describeParseError, EXIT, parseCommandLine, UsageError } from './command-line.ts';
import { displayPath } from './export.ts';
import { flinkSqlScript } from './flink-sql-script.ts';
import type { CliContext } from './io.ts';
import { EXPORT_FLINK_SQL_USAGE } from './usage.ts';

/**
 * Runs `weir export --flink-sql` with the arguments after `export`; resolves with the exit code.
 *
 * @example
 * await exportFlinkSqlCommand(['--flink-sql', 'notebooks/sql-clickstream.ts', '--out', 'flink'], processContext()); // 0
 */
export async function exportFlinkSqlCommand(argv: string[], context: CliContext): Promise<number> {
  const args = parseCommandLine(() => parseArguments(argv, context.cwd), EXPORT_FLINK_SQL_USAGE, context);
  if (typeof args === 'number') return args;
  const notebook = parseNotebook(readFileSync(args.notebook, 'utf8'));
  if (!notebook.cells.some((c) => c.kind === 'flink-sql')) {
    context.stderr(`error: ${displayPath(args.notebook, context.cwd)} has no [flink-sql] cells: nothing to export to Flink SQL\n`);
    return EXIT.failed;
  }
  const { parseSql } = await import('../../engine/sql/parser.ts');
  const { script, notes, refusals } = flinkSqlScript(notebook, path.dirname(args.notebook), parseSql);
  const left = await dataStreamJobs(args.notebook, notebook, context);
  for (const refusal of refusals) context.stderr(`error: ${refusal}\n`);
  if (refusals.length > 0) {
    context.stderr(`error: not exported: ${refusals.length} statement${refusals.length === 1 ? '' : 's'} or option${refusals.length === 1 ? '' : 's'} above have no Flink SQL form\n`);
    return EXIT.failed;
  }
  for (const note of [...notes, ...left]) context.stderr(`note: ${note}\n`);
  mkdirSync(args.out, { recursive: true });
  writeFileSync(path.join(args.out, 'job.sql'), script);
  writeFileSync(path.join(args.out, 'README.md'), readme(path.basename(args.notebook), notes, left));
  const shown = displayPath(path.join(args.out, 'job.sql'), context.cwd);
  context.stdout(`exported the [flink-sql] cells to ${shown}\nsubmit it with: sql-client.sh -f ${shown}\n`);
  return EXIT.ok;
}

/** The jobs code cells build (with the DataStream API), each named with its operators: none of them is in job.sql. */
async function dataStreamJobs(file: string, notebook: Notebook, context: CliContext): Promise<string[]> {
  if (!notebook.cells.some((c) => c.kind === 'code')) return [];
  const options = context.weirModule ? { weirModule: context.weirModule } : {};
  return discoverJobs(file, options, async (discovery) => {
    const out = discovery.jobs
      .filter((job) => notebook.cells[job.cell]?.kind !== 'flink-sql')
      .map((job) => {
        const operators = job.graph.vertices.map((v) => v.name);
        return `cell ${job.cell + 1}: job '${job.name}' is written with the DataStream API; its operators have no SQL form and are not exported: ${operators.join(', ')}`;
      });
    // A code cell without a job (one that writes a file the tables read) runs in the notebook only.
    notebook.cells.forEach((cell, index) => {
      if (cell.kind === 'code' && cell.source.trim() !== '' && !discovery.jobs.some((job) => job.cell === index)) {
        out.push(`cell ${index + 1} is code without a job: job.sql does not run it (run the notebook for what it does, such as files it writes)`);
      }
    });
    if (discovery.error) out.push(`cell ${discovery.error.cell} failed while its jobs were looked for, so jobs after it are not listed`);
    return out;
  });
}

function readme(notebook: string, notes: string[], left: string[]): string {
  const list = (items: string[]) => items.map((i) => `- ${i}`).join('\n');
  return `# ${notebook} as Flink SQL

\`job.sql\` holds the statements of the notebook's \`[flink-sql]\` cells, in order, for Apache
Flink's SQL client (Flink 1.19 or later: earlier versions lack the SESSION window TVF). Submit it
to a running cluster with

\`\`\`sh
$FLINK_HOME/bin/sql-client.sh -f job.sql
\`\`\`

The tables use Flink's own connectors: \`filesystem\` (built in; the \`csv\` and \`json\` formats
are in Flink's \`lib/\`, \`parquet\` needs the \`flink-sql-parquet\` jar: add it with \`-j <jar>\`),
\`datagen\`, \`print\` (rows go to the taskmanagers' stdout) and \`blackhole\`. Queries print their
results in tableau mode. \`datagen\` makes other random values than Weir's generator, and Flink
emits window results when its watermark passes, so rows may come in another order than in Weir.
${notes.length > 0 ? `\nWhat was changed for Flink:\n\n${list(notes)}\n` : ''}${left.length > 0 ? `\nWhat is not in job.sql:\n\n${list(left)}\n` : ''}
To run the script in Weir again, put it in a notebook as one \`// %% [flink-sql]\` cell.
`;
}

interface Arguments {
  notebook: string;
  out: string;
}

function parseArguments(argv: string[], cwd: string): Arguments | 'help' {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options: { 'flink-sql': { type: 'boolean' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  } catch (error) {
    throw new UsageError(describeParseError(error, 'export'));
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  if (positionals.length !== 1) throw new UsageError('weir export --flink-sql takes one notebook (usage: weir export --flink-sql <notebook.ts> --out <dir>)');
  const notebook = path.resolve(cwd, positionals[0]!);
  if (!existsSync(notebook) || !statSync(notebook).isFile()) throw new UsageError(`notebook not found: ${positionals[0]}`);
  if (!values.out) throw new UsageError('--out <dir> is required: the directory to write job.sql and README.md to');
  const out = path.resolve(cwd, values.out);
  if (existsSync(out) && !statSync(out).isDirectory()) throw new UsageError(`--out: ${values.out} exists and is not a directory`);
  return { notebook, out };
}
