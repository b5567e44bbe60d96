/**
 * The job-control API for replays, answered from this process's replay registry: only the
 * readers of the job run asked about (`TaskServices.jobId`) are visible or controllable, all
 * subtasks of each of its replay sources. Used by the in-process executors and, per job, by
 * taskmanagers.
 */
import type { StreamGraphSpec } from '../plan/job-graph.ts';
import { combineReplayProgress, replayControls, type ReplayProgress, type ReplaySpeed } from './replay-control.ts';

/** One action on a running replay, as the job-control API carries it (plain data). */
export type ReplayAction = { pause: true } | { resume: true } | { speed: ReplaySpeed } | { seekTo: number };

/**
 * Names of the job's replay sources, from its plan.
 *
 * @example
 * replayNames(job.graph); // ['trips']
 */
export function replayNames(graph: StreamGraphSpec): string[] {
  return graph.vertices.filter((v) => v.config?.['connector'] === 'replay').map((v) => String(v.config!['name']));
}

/**
 * Progress of those of `names` that job run `jobId` runs in this process (a replay registers
 * when its reader opens), each combined over the source's subtasks here.
 *
 * @example
 * localReplayProgress(deployment.jobId, ['trips'])[0]?.percent;
 */
export function localReplayProgress(jobId: string, names: readonly string[]): ReplayProgress[] {
  const out: ReplayProgress[] = [];
  for (const name of new Set(names)) {
    const control = replayControls.ofJob(jobId, name);
    if (control) out.push(control.progress());
  }
  return out;
}

/**
 * One progress per replay name from the progress reported by several processes (a source's
 * subtasks may run on several taskmanagers), combined as `combineReplayProgress` does; in the
 * order the names first appear.
 *
 * @example
 * job.status.replays = combineByName([...replaysByTaskManager.values()].flat());
 */
export function combineByName(progress: readonly ReplayProgress[]): ReplayProgress[] {
  const byName = new Map<string, ReplayProgress[]>();
  for (const p of progress) {
    const list = byName.get(p.name);
    if (list) list.push(p);
    else byName.set(p.name, [p]);
  }
  return [...byName.values()].map((parts) => combineReplayProgress(parts));
}

/**
 * Applies `action` to every subtask of the replay `name` of job run `jobId` that runs in this
 * process, if the job has that replay (`names`); returns false when it does not run here.
 * Throws on an invalid action.
 *
 * @example
 * applyReplayAction(deployment.jobId, ['trips'], 'trips', { speed: 600 }); // true
 */
export function applyReplayAction(jobId: string, names: readonly string[], name: string, action: ReplayAction): boolean {
  const control = names.includes(name) ? replayControls.ofJob(jobId, name) : undefined;
  if (!control) return false;
  checkReplayAction(name, action);
  if ('pause' in action) control.pause();
  else if ('resume' in action) control.resume();
  else if ('speed' in action) control.setSpeed(action.speed);
  else control.seek(action.seekTo);
  return true;
}

/**
 * Throws a clear error when `action` is not one the API knows (it comes from a UI or the wire).
 *
 * @example
 * checkReplayAction('trips', { speed: 0 }); // throws: speed must be a number > 0 or 'max'
 */
export function checkReplayAction(name: string, action: ReplayAction): void {
  const a = action as Record<string, unknown> | null;
  const where = `replay '${name}'`;
  if (!a || typeof a !== 'object') throw new Error(`${where}: expected an action { pause } | { resume } | { speed } | { seekTo }, got ${String(action)}`);
  if (a['pause'] === true || a['resume'] === true) return;
  if ('speed' in a) {
    const s = a['speed'];
    if (s === 'max' || (typeof s === 'number' && Number.isFinite(s) && s > 0)) return;
    throw new Error(`${where}: speed must be a number > 0 or 'max', got ${String(s)}`);
  }
  if ('seekTo' in a) {
    if (typeof a['seekTo'] === 'number' && Number.isFinite(a['seekTo'])) return;
    throw new Error(`${where}: seekTo must be an event time in ms, got ${String(a['seekTo'])}`);
  }
  throw new Error(`${where}: unknown action ${JSON.stringify(action)}; expected { pause: true }, { resume: true }, { speed } or { seekTo }`);
}

/**
 * The error for an action on a replay the job does not run (or that has already ended).
 *
 * @example
 * throw noSuchReplay('trips job', 'taxi', ['trips']);
 */
export function noSuchReplay(jobName: string, name: string, names: readonly string[]): Error {
  const known = names.length ? `its replays: ${names.map((n) => `'${n}'`).join(', ')}` : 'it has no replay sources';
  return new Error(`No replay '${name}' runs in job '${jobName}' (${known}${names.includes(name) ? `; '${name}' is not running now` : ''})`);
}

/**
 * The in-process side of the job-control API: `replays()` and `controlReplay()` for the job run
 * `jobId` (the id its attempts are deployed with) whose replay readers run in this process.
 *
 * @example
 * const jobId = newJobRunId(job.graph.name);
 * return { ...client, ...inProcessReplayControl(job.graph, jobId) };
 */
export function inProcessReplayControl(
  graph: StreamGraphSpec,
  jobId: string,
): {
  replays(): ReplayProgress[];
  controlReplay(name: string, action: ReplayAction): Promise<void>;
} {
  const names = replayNames(graph);
  return {
    replays: () => localReplayProgress(jobId, names),
    controlReplay: async (name, action) => {
      if (!applyReplayAction(jobId, names, name, action)) throw noSuchReplay(graph.name, name, names);
    },
  };
}
