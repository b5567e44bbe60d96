/**
 * Usage texts of the `weir` command and its verbs.
 */

/** `weir --help`. */
export const MAIN_USAGE = `Usage: weir <command> [options]

Commands:
  run <notebook.ts>   run a notebook's cells in order, headless
  run <dir>           run a job written by 'weir export'
  export <notebook.ts> --out <dir>
                      write a job of the notebook as a plan and bundle that run anywhere
  export --flink-sql <notebook.ts> --out <dir>
                      write the notebook's [flink-sql] cells as a script for Flink's SQL client
  plan <notebook.ts | dir>
                      print the plan of a notebook's jobs or of an exported job
  serve [dir]         open the notebooks under dir in the workbench, in a browser
  savepoint check <savepoint> <notebook.ts | dir>
                      say whether a savepoint can be restored into the job, without running it
  bench nexmark --query <qN>
                      time a Nexmark query (notebooks/nexmark), optionally verified

Options:
  -h, --help          show this help (weir <command> --help for a command's options)
  -v, --version       print the version
`;

/** `weir run --help`. */
export const RUN_USAGE = `Usage: weir run <notebook.ts | dir> [options]

Runs the notebook's code cells in order. Cell output goes to stdout, progress and errors
to stderr. Exits 0 when every cell ran, 1 when a cell failed, 2 on a usage error.
Given a directory written by 'weir export', runs that job (after checking that its bundle
builds the plan in job.json).

Options:
  --mode streaming|batch   execution mode for environments that do not set one
  --parallelism <n>        parallelism for environments that do not set one (n >= 1)
  --report <file>          write the finished jobs' reports as JSON to <file>
  --param <name=value>     a job parameter, read in cells with params.get('name', default)
                           (repeatable)
  --taskmanagers <n>       worker processes that run the jobs (default: one per core;
                           0 runs jobs inside this process)
  --slots <n>              subtasks each taskmanager may run (default: as many as needed)
  --checkpoint-dir <dir>   where checkpoints go (default: weir-checkpoints in the temp dir)
  --savepoint-dir <dir>    where savepoints go; Ctrl+C or SIGTERM then stops the running
                           jobs with a savepoint and prints 'savepoint: <path>'
  --drain                  with --savepoint-dir: fire every window (event time to the
                           end) before that savepoint
  --from-savepoint <path>  resume the job the savepoint was taken of
  --allow-non-restored-state  skip savepoint state of operators the job no longer has, or
                           has changed (window, state kind, state value shape)
  --allow-job-mismatch     resume a savepoint of a job with another name (a notebook's only
                           job, or the exported job)
  -q, --quiet              no status line on a terminal (job states, restarts and failed
                           checkpoints are still printed to stderr)
  -h, --help               show this help

Ctrl+C or SIGTERM: with --savepoint-dir, stops the running jobs with a savepoint, prints
'savepoint: <path>' and exits 0; without it, cancels them. A second Ctrl+C cancels at once.
`;

/** \`weir export --help\`. */
export const EXPORT_USAGE = `Usage: weir export <notebook.ts> [--job <name>] --out <dir>

Writes one job of the notebook to <dir>: job.json (the plan), bundle.mjs (the code that
builds the job; it imports only Node and the installed 'weir') and README.md. The notebook's
cells are evaluated to find its jobs, but no job runs. Run the export with 'weir run <dir>'.

With --flink-sql, writes the notebook's [flink-sql] cells as a script for Flink's SQL client
instead (see 'weir export --flink-sql --help').

Options:
  --job <name>   the job to export (the name given to execute()); needed when the notebook
                 runs several jobs
  --out <dir>    the directory to write (created if missing; the three files are replaced)
  --param <name=value>  a job parameter while the job is found (repeatable); job.json records
                 the parameters the cells read with their values, 'weir run <dir> --param'
                 overrides them
  -h, --help     show this help
`;

/** \`weir export --flink-sql --help\`. */
export const EXPORT_FLINK_SQL_USAGE = `Usage: weir export --flink-sql <notebook.ts> --out <dir>

Writes the notebook's [flink-sql] cells to <dir>/job.sql, a script Apache Flink's SQL client
runs as is ('sql-client.sh -f job.sql'), and <dir>/README.md saying how to submit it. Tables
use Flink's own connectors and formats; an option only Weir has is refused (nothing is written),
one with a Flink form is mapped, each with a message. Jobs that code cells build with the
DataStream API are named with their operators and left out.

Options:
  --out <dir>    the directory to write (created if missing; job.sql and README.md are replaced)
  -h, --help     show this help
`;

/** \`weir plan --help\`. */
export const PLAN_USAGE = `Usage: weir plan <notebook.ts | dir> [--job <name>] [--json]

Prints the plan of a notebook's jobs (found without running them) or of an exported job:
one line per operator with its task (chain), parallelism, uid, inputs and partitioners, and
its configuration. With --json, the plan as job.json has it (an array for several jobs).

Options:
  --job <name>   only this job of the notebook
  --json         print JSON instead of text
  -h, --help     show this help
`;

/** `weir savepoint --help`. */
export const SAVEPOINT_USAGE = `Usage: weir savepoint check <savepoint> <notebook.ts | dir> [options]

Says whether the savepoint (or retained checkpoint) can be restored into the notebook's job of
the same name, or into the job of a directory written by 'weir export', without running any
job: it prints what 'weir run --from-savepoint' would refuse with (each operator, what differs,
old and new, and what to do), or that it can be restored. Exits 0 when it can, 1 when not.

Options:
  --allow-non-restored-state  count state of operators that are gone or changed as dropped
  --allow-job-mismatch        allow a savepoint of a job with another name
  -h, --help                  show this help
`;

/** `weir bench --help`. */
export const BENCH_USAGE = `Usage: weir bench nexmark --query <qN> [options]

Runs the Nexmark query notebook notebooks/nexmark/<qN>.ts over generated events, as 'weir run'
does, and prints its speed from the job's own duration. Exits 1 when the job fails or, with
--verify, when its output differs from nexmark-flink's SQL run on DuckDB over the same events.

Options:
  --query <qN>                 the query: q0, q1, q2, q3, q4, q5, q7, q8, q9, q11, …
  --events <n>                 events generated (default 1000000)
  --parallelism <p>            job parallelism (default: the taskmanagers, or 1)
  --taskmanagers <t>           worker processes (default: one per core; 0 runs in this process)
  --checkpoint-interval <ms>   checkpoint every <ms> (default: no checkpoints)
  --mode streaming|batch       execution mode (default streaming)
  --events-per-second <n>      event-time rate of the events (default nexmark's 10000)
  --verify                     compare the output with the DuckDB reference
  --json                       print one JSON line: { query, events, seconds, eventsPerSecond,
                               cores, eventsPerSecondPerCore, checkpoints, verified }
  -h, --help                   show this help
`;
