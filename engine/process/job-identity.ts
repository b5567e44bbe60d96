/**
 * Which job an `execute()` call of a notebook starts, computed the same way in every process
 * that runs the notebook's code: the kernel (`weir run`, the workbench), `weir export`, the
 * client of an exported job and each taskmanager rebuilding the job. A notebook may start
 * several jobs, also of one name, so a job is the cell whose code made the call, the job's name,
 * and how many earlier calls of that cell's run had the same name. Flink needs no such thing
 * (its client ships the graph); Weir's workers find the job by running the code again, and this
 * is how they recognise it.
 */

/** One `execute()` call of a notebook. */
export interface JobIdentity {
  /** 0-based index of the cell whose code called `execute()` (absent: counted over the whole code). */
  cell?: number;
  /** The job's name, as given to `execute()`. */
  jobName: string;
  /** How many earlier `execute()` calls of that cell's run had the same name. */
  occurrence: number;
}

/**
 * Counts `execute()` calls as cells run and gives each its identity.
 *
 * @example
 * const calls = new ExecuteCalls();
 * calls.enterCell(2);
 * calls.next('orders'); // { cell: 2, jobName: 'orders', occurrence: 0 }
 * calls.next('orders'); // { cell: 2, jobName: 'orders', occurrence: 1 }
 */
export class ExecuteCalls {
  private readonly counts: Map<string, number>;

  /** Starts counting in `cell`, with `counts` calls of each name already made there. */
  constructor(
    private cell?: number,
    counts: Iterable<[string, number]> = [],
  ) {
    this.counts = new Map(counts);
  }

  /** A cell's code starts: its calls are counted from zero. */
  enterCell(cell: number): void {
    this.cell = cell;
    this.counts.clear();
  }

  /** The identity of the job the `execute()` call being made now starts. */
  next(jobName: string): JobIdentity {
    const occurrence = this.counts.get(jobName) ?? 0;
    this.counts.set(jobName, occurrence + 1);
    return this.cell === undefined ? { jobName, occurrence } : { cell: this.cell, jobName, occurrence };
  }
}

/**
 * Whether a call's identity is the job `wanted` names. A wanted job without a cell is found by
 * name and occurrence over the whole code.
 *
 * @example
 * isJob(calls.next(job.graph.name), code); // the taskmanager captures this job
 */
export function isJob(call: JobIdentity, wanted: JobIdentity): boolean {
  return call.jobName === wanted.jobName && call.occurrence === wanted.occurrence && (wanted.cell === undefined || call.cell === wanted.cell);
}

/**
 * Says which job an identity names, for messages.
 *
 * @example
 * describeJob({ cell: 1, jobName: 'orders', occurrence: 0 }); // "job 'orders' (occurrence 1 of that name in cell 2)"
 */
export function describeJob(identity: JobIdentity): string {
  const where = identity.cell === undefined ? '' : ` in cell ${identity.cell + 1}`;
  return `job '${identity.jobName}' (occurrence ${identity.occurrence + 1} of that name${where})`;
}
