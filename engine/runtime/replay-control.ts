/**
 * Live control of running replays, for notebooks, the job-control API and the metrics. A replay
 * reader registers its control while it runs, under its job and its subtask; the registry groups
 * the readers of one replay source of one job, so that a control sent to the replay reaches every
 * subtask of it and nothing of another job, even when jobs share the source's name (the default
 * 'Replay') or share a process (the workbench's taskmanagers run every job of the session).
 *
 * This module is plain TypeScript with no Node imports, so a host can re-export it anywhere; it
 * lives on `globalThis` so that every copy of the engine in a process (a bundled notebook, the
 * kernel) sees the same registry.
 */

/** Replay speed: event-time milliseconds per wall-clock millisecond, or 'max' (unpaced). */
export type ReplaySpeed = number | 'max';

/** Where a replay is, for progress bars and metrics. */
export interface ReplayProgress {
  /** The source's name. */
  name: string;
  state: 'starting' | 'playing' | 'paused' | 'finished';
  speed: ReplaySpeed;
  /** The replay's current event time (ms), or null before the first row. */
  eventTime: number | null;
  /** Event time of the first and last row of the query (ms), null when it has no rows. */
  startTime: number | null;
  endTime: number | null;
  /** Share of the event-time range replayed, 0–100. */
  percent: number;
  /** Rows emitted so far, and rows the query has in all. */
  rowsEmitted: number;
  totalRows: number;
}

/**
 * Controls one running replay. Calls take effect at the reader's next step (immediately if it
 * is waiting for its next row).
 *
 * @example
 * const trips = replayControls.get('trips');
 * trips?.setSpeed(600);          // 10 minutes of event time per second
 * trips?.seek(Date.UTC(2026, 0, 1, 12));
 * console.log(trips?.progress().percent);
 */
export interface ReplayControl {
  readonly name: string;
  /** Stops emitting rows (and advancing event time) until `resume()`. */
  pause(): void;
  resume(): void;
  /** Changes the pace from now on; event time keeps going from where it is. */
  setSpeed(speed: ReplaySpeed): void;
  /**
   * Continues from the first row at or after `eventTime` (ms). Seeking forward skips rows.
   * Seeking back re-emits rows, but watermarks never go back, so downstream event-time
   * windows treat them as late; to re-run a past stretch, restart from a checkpoint.
   */
  seek(eventTime: number): void;
  progress(): ReplayProgress;
}

/**
 * Which reader registers: the run of the job it belongs to and its subtask.
 *
 * @example
 * replayControls.register(reader, { job: ctx.jobId, subtask: ctx.subtask });
 */
export interface ReplayRegistration {
  /** The run of the job (`TaskServices.jobId`); readers without one share one anonymous job. */
  job?: string;
  /** The reader's subtask (default 0). A newer registration for the same subtask replaces the older. */
  subtask?: number;
}

/**
 * The replays running in this process. Each entry is one replay source of one job run: its
 * control acts on every subtask of the source, and its progress combines theirs
 * (`combineReplayProgress`).
 */
export interface ReplayControlRegistry {
  /**
   * The replay named `name` of the most recently started job that runs one of that name (a
   * re-run of a notebook cell takes over from the old run still finishing), or undefined. A
   * control you hold keeps acting on its own job's readers, and reports their final progress
   * after they end.
   *
   * It sees the replays whose readers run in this process: jobs run in-process
   * (`weir run --taskmanagers 0`, `weir serve --taskmanagers 0`) and, inside a taskmanager, the
   * readers there. When a job started here runs its replay `name` on taskmanagers, it throws,
   * saying to use the job's client instead: `client.controlReplay(name, action)` and
   * `client.replays()` work wherever the job runs.
   *
   * @example
   * replayControls.get('trips')?.pause();
   */
  get(name: string): ReplayControl | undefined;
  /**
   * Notes that job `jobName`, started from this process, runs replays `names` in other
   * processes until `ended` settles, so that `get` can say where they are.
   */
  runningElsewhere(jobName: string, names: readonly string[], ended: Promise<unknown>): void;
  /** Every running replay, one per source and job, oldest started first. */
  list(): ReplayControl[];
  /** The replay `name` of job run `job`, while it runs. */
  ofJob(job: string, name: string): ReplayControl | undefined;
  /** Called by a replay reader when it opens; returns the function that unregisters it. */
  register(control: ReplayControl, where?: ReplayRegistration): () => void;
}

/**
 * One replay's progress from the progress of its subtasks: rows summed, event time the minimum
 * over the subtasks still replaying (those that finished have nothing left to emit before any
 * time; when all have, the latest), the range spanning all, state 'playing' when any subtask
 * plays, else 'starting' when any starts, else 'paused' when any is paused, else 'finished'.
 * The speed is the first subtask's (controls set all alike).
 *
 * @example
 * combineReplayProgress([subtask0.progress(), subtask1.progress()]).rowsEmitted;
 */
export function combineReplayProgress(parts: readonly ReplayProgress[]): ReplayProgress {
  if (parts.length === 0) throw new Error('combineReplayProgress: no progress to combine');
  if (parts.length === 1) return { ...parts[0]! };
  const first = parts[0]!;
  const states = new Set(parts.map((p) => p.state));
  const state: ReplayProgress['state'] = states.has('playing') ? 'playing' : states.has('starting') ? 'starting' : states.has('paused') ? 'paused' : 'finished';
  const times = (ps: readonly ReplayProgress[]) => ps.map((p) => p.eventTime).filter((t): t is number => t !== null);
  const running = times(parts.filter((p) => p.state !== 'finished'));
  const eventTime = running.length > 0 ? Math.min(...running) : times(parts).length > 0 ? Math.max(...times(parts)) : null;
  const starts = parts.map((p) => p.startTime).filter((t): t is number => t !== null);
  const ends = parts.map((p) => p.endTime).filter((t): t is number => t !== null);
  const startTime = starts.length > 0 ? Math.min(...starts) : null;
  const endTime = ends.length > 0 ? Math.max(...ends) : null;
  let percent = 0;
  if (state === 'finished') percent = 100;
  else if (eventTime !== null && startTime !== null && endTime !== null && endTime > startTime) percent = ((eventTime - startTime) / (endTime - startTime)) * 100;
  let rowsEmitted = 0;
  let totalRows = 0;
  for (const p of parts) {
    rowsEmitted += p.rowsEmitted;
    totalRows += p.totalRows;
  }
  return { name: first.name, state, speed: first.speed, eventTime, startTime, endTime, percent, rowsEmitted, totalRows };
}

/** The readers of one replay source of one job run, by subtask; controls fan out to all of them. */
class SourceReplays implements ReplayControl {
  /** subtask → its reader; a closed reader stays (until replaced) so that its final progress counts. */
  readonly members = new Map<number, { control: ReplayControl; open: boolean }>();

  constructor(
    readonly name: string,
    readonly job: string,
  ) {}

  get isOpen(): boolean {
    for (const m of this.members.values()) if (m.open) return true;
    return false;
  }

  pause(): void {
    this.each((c) => c.pause());
  }

  resume(): void {
    this.each((c) => c.resume());
  }

  setSpeed(speed: ReplaySpeed): void {
    this.each((c) => c.setSpeed(speed));
  }

  seek(eventTime: number): void {
    this.each((c) => c.seek(eventTime));
  }

  progress(): ReplayProgress {
    const bySubtask = [...this.members].sort((a, b) => a[0] - b[0]);
    return combineReplayProgress(bySubtask.map(([, m]) => m.control.progress()));
  }

  private each(act: (control: ReplayControl) => void): void {
    for (const m of this.members.values()) if (m.open) act(m.control);
  }
}

function createRegistry(): ReplayControlRegistry {
  // Insertion order is start order: a source's entry is made when its first reader registers
  // and dropped when its last one closes.
  const sources = new Map<string, SourceReplays>();
  const keyOf = (job: string, name: string) => `${job}\u0000${name}`;
  /** Replays of jobs started here that run on taskmanagers: replay name → job names. */
  const elsewhere = new Map<string, string[]>();
  return {
    get(name) {
      let latest: SourceReplays | undefined;
      for (const s of sources.values()) if (s.name === name) latest = s;
      const remote = elsewhere.get(name)?.at(-1);
      if (!latest && remote !== undefined) {
        throw new Error(
          `replay '${name}' runs on the taskmanagers with job '${remote}', where replayControls of this process cannot reach it; ` +
            `use the job's client: const client = env.executeAsync('${remote}'); await client.controlReplay('${name}', { pause: true })`,
        );
      }
      return latest;
    },
    runningElsewhere(jobName, names, ended) {
      for (const name of names) elsewhere.set(name, [...(elsewhere.get(name) ?? []), jobName]);
      const forget = () => {
        for (const name of names) {
          const jobs = elsewhere.get(name) ?? [];
          const at = jobs.indexOf(jobName);
          if (at >= 0) jobs.splice(at, 1);
          if (jobs.length === 0) elsewhere.delete(name);
        }
      };
      ended.then(forget, forget);
    },
    list: () => [...sources.values()],
    ofJob: (job, name) => sources.get(keyOf(job, name)),
    register(control, where = {}) {
      const job = where.job ?? '';
      const subtask = where.subtask ?? 0;
      const key = keyOf(job, control.name);
      let source = sources.get(key);
      if (!source) sources.set(key, (source = new SourceReplays(control.name, job)));
      const member = { control, open: true };
      source.members.set(subtask, member);
      const owner = source;
      return () => {
        member.open = false;
        if (!owner.isOpen && sources.get(key) === owner) sources.delete(key);
      };
    },
  };
}

/**
 * The registry of running replays in this process.
 *
 * @example
 * for (const r of replayControls.list()) console.log(r.name, r.progress().percent.toFixed(1) + '%');
 */
export const replayControls: ReplayControlRegistry = createRegistry();
