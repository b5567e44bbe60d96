/**
 * Writing an exported job's directory (docs/ARCHITECTURE.md §6): `job.json` (the plan), `bundle.mjs` (the
 * code that builds it, importing only 'weir' and Node) and `README.md`. `weir export` and the
 * workbench's Export action both call `writeExportedJob`, so the two write the same files.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { DiscoveredJob, JobDiscovery } from './discover-jobs.ts';
import { bundleExportedJob } from './export-bundle.ts';
import { jobFileOf, type JobFile } from './job-file.ts';
import { formatPlan } from './plan-text.ts';

/** The name of the bundle file in an exported job's directory. */
export const BUNDLE_FILE = 'bundle.mjs';

/** The files of an exported job's directory, in the order they are written. */
export const EXPORTED_FILES = [BUNDLE_FILE, 'job.json', 'README.md'] as const;

/** What an export wrote. */
export interface ExportedJob {
  /** The content of job.json. */
  jobFile: JobFile;
  /** Absolute paths of the files written. */
  files: string[];
}

/**
 * The plan (job.json content) of one discovered job; `definedAt` locations become relative to
 * the notebook's directory.
 *
 * @example
 * const plan = planOfJob(discovery, discovery.jobs[0]!, '0.1.0'); // plan.vertices[0].uid === 'source-…'
 */
export function planOfJob(discovery: JobDiscovery, job: DiscoveredJob, weirVersion: string): JobFile {
  return jobFileOf(
    job.graph,
    { file: BUNDLE_FILE, cell: job.cell, occurrence: job.occurrence },
    { notebook: path.basename(discovery.notebookPath), weirVersion },
    path.dirname(discovery.notebookPath),
    job.params,
  );
}

/**
 * Writes `job` of the discovered notebook to the directory `out` (made when missing); call it
 * inside `discoverJobs`'s callback, while the compiled modules exist.
 *
 * @example
 * await discoverJobs('notebooks/fraud-alerts.ts', {}, (d) => writeExportedJob(d, d.jobs[0]!, 'jobs/fraud', '0.1.0'));
 */
export async function writeExportedJob(discovery: JobDiscovery, job: DiscoveredJob, out: string, weirVersion: string): Promise<ExportedJob> {
  const notebook = path.basename(discovery.notebookPath);
  await mkdir(out, { recursive: true });
  const jobFile = planOfJob(discovery, job, weirVersion);
  const banner = `// Weir job '${job.name}', exported from ${notebook} by weir ${weirVersion}.\n// Run it with: npx weir run <this directory>   (see README.md)`;
  const [bundle, json, readme] = EXPORTED_FILES.map((name) => path.join(out, name)) as [string, string, string];
  await bundleExportedJob(job.modulePath, discovery.weirModule, bundle, banner);
  await writeFile(json, `${JSON.stringify(jobFile, null, 2)}\n`);
  await writeFile(readme, jobReadme(jobFile, notebook));
  return { jobFile, files: [bundle, json, readme] };
}

/** The README.md of an exported job: what it is and how to run it. */
function jobReadme(job: JobFile, notebook: string): string {
  return `# ${job.name}

A Weir job exported from \`${notebook}\` by \`weir export\` (weir ${job.exportedFrom?.weirVersion ?? 'unknown'}).

- \`job.json\`: the plan: operators with their uids, parallelism, windows, watermarks, sources
  and sinks; the edges between them with their partitioners; checkpointing and restart
  strategy. Its JSON Schema is \`schema/job.schema.json\` in the weir package.
- \`bundle.mjs\`: the notebook code that builds the job (the cell that starts it and what that
  cell uses), bundled into one module that imports only Node and \`weir\`.

## Run it

Where the \`weir\` package is installed (\`npm install weir\`, or a clone with \`npm ci\`):

\`\`\`sh
npx weir run ${'<this directory>'}                  # as the notebook runs it
npx weir run <dir> --parallelism 4 --report report.json
npx weir run <dir> --savepoint-dir savepoints       # Ctrl+C stops with a savepoint
npx weir run <dir> --from-savepoint savepoints/<savepoint>
npx weir plan <dir>                                 # the plan as text (--json for JSON)
\`\`\`

The flags are those of \`weir run <notebook.ts>\` (\`weir run --help\`). Savepoints move both
ways between the notebook and this job: operators keep their uids.

Before the job starts, \`weir run\` evaluates the bundle to rebuild the job and checks that
the graph is the one in \`job.json\`; a difference is an error naming the operator. Only this job
runs: other jobs the bundled cells start end at once without running, and the notebook code
after this job's \`execute()\` does not run. Relative paths in the code (sink directories, data
files) are resolved against the directory you run it from, as in the notebook;
\`import.meta.url\` still names the notebook where it was exported from.

## Plan

\`\`\`
${formatPlan(job).trimEnd()}
\`\`\`
`;
}
