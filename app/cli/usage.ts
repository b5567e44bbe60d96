/**
 * Usage texts of the `weir` command and its verbs.
 */

/** `weir --help`. */
export const MAIN_USAGE = `Usage: weir <command> [options]

Commands:
  run <notebook.ts>   run a notebook's cells in order, headless
  serve [dir]         open the notebooks under dir in the workbench, in a browser

Options:
  -h, --help          show this help (weir <command> --help for a command's options)
  -v, --version       print the version
`;

/** `weir run --help`. */
export const RUN_USAGE = `Usage: weir run <notebook.ts> [options]

Runs the notebook's code cells in order. Cell output goes to stdout, progress and errors
to stderr. Exits 0 when every cell ran, 1 when a cell failed, 2 on a usage error.

Options:
  --mode streaming|batch   execution mode for environments that do not set one
  --parallelism <n>        parallelism for environments that do not set one (n >= 1)
  --report <file>          write the finished jobs' reports as JSON to <file>
  --taskmanagers <n>       worker processes that run the jobs (default: one per core;
                           0 runs jobs inside this process)
  --slots <n>              subtasks each taskmanager may run (default: as many as needed)
  --checkpoint-dir <dir>   where checkpoints go (default: weir-checkpoints in the temp dir)
  --savepoint-dir <dir>    where savepoints go; Ctrl+C or SIGTERM then stops the running
                           jobs with a savepoint and prints 'savepoint: <path>'
  --from-savepoint <path>  resume the job the savepoint was taken of
  --allow-non-restored-state  skip savepoint state of operators the job no longer has
  -h, --help               show this help
`;
