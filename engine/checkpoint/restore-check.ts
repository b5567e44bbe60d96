/**
 * Whether a checkpoint or savepoint can be restored into a job, decided from the two plans
 * before any task starts (Flink finds most of this out only while its tasks restore, through
 * the state serializers' compatibility checks). Checked, when the savepoint records it:
 *
 * - the job's identity: the savepoint's job name against the job's;
 * - state of operators (uids) the job no longer has;
 * - per uid in both: the operator's kind, its window assigner (kind, size, slide, gap, offset),
 *   its window function (which decides the kind of its window state), and the shape of the value
 *   it keeps (a window's accumulator).
 *
 * What an older savepoint does not record is not checked, never refused. Each incompatibility
 * names the operator, what differs (old → new) and what the user can do. The in-process
 * executor, the jobmanager and `weir savepoint check` all use `checkRestore`.
 */
import type { StoredOperatorInfo, StoredStateInfo, SubtaskStateHandle } from './types.ts';

/** The plan a savepoint is checked against: the job's name and its operators. */
export interface RestoreTarget {
  name: string;
  vertices: { uid: string; name: string; kind: string; config?: Record<string, unknown>; valueShape?: string }[];
}

/** What the user allowed. */
export interface RestoreOptions {
  /** Drop state the job cannot take (operators gone or changed) instead of refusing. */
  allowNonRestoredState?: boolean;
  /** Restore a savepoint of a job with another name. */
  allowJobMismatch?: boolean;
}

/** One difference between the savepoint and the job. */
export interface RestoreIssue {
  /** The operator it concerns (absent for the job's identity). */
  uid?: string;
  operator?: string;
  /** What differs, e.g. 'window assigner'. */
  what: string;
  old: string;
  new: string;
  /** Refused, unless the user allowed it; `dropped` when allowed and the state is not restored. */
  outcome: 'refused' | 'dropped' | 'allowed';
  /** What the user can do about it. */
  remedy: string;
}

/** The outcome of a check: compatible or not, every issue, and what gets restored. */
export interface RestoreReport {
  compatible: boolean;
  jobName: { savepoint: string; job: string };
  issues: RestoreIssue[];
  /** Uids of the job whose state is restored. */
  restoredUids: string[];
  /** Uids of the savepoint that were checked and match. */
  matched: string[];
}

const NON_RESTORED = '--allow-non-restored-state (the operator then starts without this state)';
const NEW_UID = "give the changed operator a new uid with .uid('…') and keep the old one's uid for an operator like the old";

/**
 * Compares a savepoint's metadata with the job's plan.
 *
 * @example
 * const report = checkRestore(stored.metadata, job.graph, { allowNonRestoredState: false });
 * if (!report.compatible) console.log(formatRestoreReport(report, stored.location));
 */
export function checkRestore(
  metadata: { jobName: string; operators: StoredOperatorInfo[]; states: SubtaskStateHandle[] },
  job: RestoreTarget,
  options: RestoreOptions = {},
): RestoreReport {
  const issues: RestoreIssue[] = [];
  if (metadata.jobName !== job.name) {
    issues.push({
      what: 'job name',
      old: `'${metadata.jobName}'`,
      new: `'${job.name}'`,
      outcome: options.allowJobMismatch ? 'allowed' : 'refused',
      remedy: `resume it with the job named '${metadata.jobName}', or pass --allow-job-mismatch to restore it into '${job.name}' anyway`,
    });
  }
  const withState = new Set(metadata.states.map((s) => s.uid));
  const stored = new Map(metadata.operators.map((o) => [o.uid, o]));
  const current = new Map(job.vertices.map((v) => [v.uid, v]));
  const dropped = new Set<string>();
  const matched: string[] = [];
  const refuseOrDrop = (uid: string, operator: string, what: string, old: string, now: string, remedy: string) => {
    issues.push({ uid, operator, what, old, new: now, outcome: options.allowNonRestoredState ? 'dropped' : 'refused', remedy });
    dropped.add(uid);
  };
  for (const uid of withState) {
    const old = stored.get(uid);
    const name = old?.name ?? uid;
    const v = current.get(uid);
    if (!v) {
      refuseOrDrop(uid, `'${name}'`, 'operator', 'holds state for it', 'has no operator with this uid', `give the operator its old uid with .uid('${uid}'), or pass ${NON_RESTORED}`);
      continue;
    }
    if (!old) {
      matched.push(uid);
      continue;
    }
    const label = `'${v.name}'`;
    const before = issues.length;
    if (old.kind !== undefined && old.kind !== v.kind) {
      refuseOrDrop(uid, label, 'operator kind', old.kind, v.kind, `${NEW_UID}, or pass ${NON_RESTORED}`);
    } else {
      const newWindow = typeof v.config?.assigner === 'string' ? v.config.assigner : undefined;
      if (old.window !== undefined && newWindow !== undefined && !sameAssigner(old.window, newWindow)) {
        refuseOrDrop(uid, label, 'window assigner', describeAssigner(old.window), describeAssigner(newWindow), `keep the old window assigner, ${NEW_UID}, or pass ${NON_RESTORED}`);
      }
      const newFunction = v.kind === 'window' && typeof v.config?.function === 'string' ? v.config.function : undefined;
      if (old.windowFunction !== undefined && newFunction !== undefined && old.windowFunction !== newFunction) {
        const states = storedStates(metadata.states, uid);
        refuseOrDrop(
          uid,
          label,
          'window state',
          `${old.windowFunction}${states ? ` (states ${states})` : ''}`,
          `${newFunction} (its window state is of another kind)`,
          `keep the ${old.windowFunction} function, ${NEW_UID}, or pass ${NON_RESTORED}`,
        );
      }
      if (old.valueShape !== undefined && v.valueShape !== undefined && old.valueShape !== v.valueShape) {
        refuseOrDrop(uid, label, 'state value shape', old.valueShape, v.valueShape, `keep the old accumulator, ${NEW_UID}, or pass ${NON_RESTORED}`);
      }
    }
    if (issues.length === before) matched.push(uid);
  }
  return {
    compatible: !issues.some((i) => i.outcome === 'refused'),
    jobName: { savepoint: metadata.jobName, job: job.name },
    issues,
    restoredUids: job.vertices.map((v) => v.uid).filter((uid) => !dropped.has(uid)),
    matched,
  };
}

/** The states a savepoint records for `uid`, as "name (kind), …", or '' when it records none. */
function storedStates(handles: SubtaskStateHandle[], uid: string): string {
  const seen = new Map<string, StoredStateInfo>();
  for (const h of handles) if (h.uid === uid) for (const s of h.states ?? []) seen.set(`${s.name}|${s.kind}`, s);
  return [...seen.values()].map((s) => `${s.name} (${s.kind})`).join(', ');
}

/** A window assigner as the plan shows it, taken apart: 'SlidingEventTimeWindows(2000, 500)'. */
interface AssignerParts {
  kind: string;
  args: string[];
}

function parseAssigner(text: string): AssignerParts {
  const m = /^([A-Za-z_$][\w$]*)\s*(?:\((.*)\))?$/.exec(text.trim());
  if (!m) return { kind: text, args: [] };
  return { kind: m[1]!.replace(/^_+/, ''), args: (m[2] ?? '').split(',').map((a) => a.trim()).filter((a) => a !== '') };
}

function sameAssigner(a: string, b: string): boolean {
  const x = parseAssigner(a);
  const y = parseAssigner(b);
  return x.kind === y.kind && x.args.join(',') === y.args.join(',');
}

/** The parameters of an assigner by name: 'TumblingEventTimeWindows size 1000 ms'. */
function describeAssigner(text: string): string {
  const { kind, args } = parseAssigner(text);
  const names = /Sliding/.test(kind) ? ['size', 'slide', 'offset'] : /Session/.test(kind) ? ['gap'] : /Tumbling/.test(kind) ? ['size', 'offset'] : [];
  if (names.length === 0 || args.length === 0) return text;
  return `${kind} ${args.map((a, i) => `${names[i] ?? 'arg'} ${a}${/^\d+$/.test(a) ? ' ms' : ''}`).join(', ')}`;
}

/**
 * The report as text: one line per difference (operator, what, old → new, what to do), or a
 * line saying the savepoint can be restored.
 *
 * @example
 * formatRestoreReport(report, '/savepoints/savepoint-7');
 */
export function formatRestoreReport(report: RestoreReport, location: string): string {
  const lines: string[] = [];
  lines.push(
    report.compatible
      ? `${location} can be restored into job '${report.jobName.job}' (${report.matched.length} operator${report.matched.length === 1 ? '' : 's'} with state matched)`
      : `${location} cannot be restored into job '${report.jobName.job}':`,
  );
  for (const i of report.issues) {
    const where = i.operator ? `operator ${i.operator} (uid ${i.uid}): ` : '';
    const outcome = i.outcome === 'refused' ? '' : i.outcome === 'dropped' ? ' [allowed: its state is not restored]' : ' [allowed]';
    const difference = i.what === 'operator' ? `the savepoint ${i.old}, the job ${i.new}` : `${i.what} differs: savepoint ${i.old}, job ${i.new}`;
    lines.push(`  - ${where}${difference}${outcome}. To resume: ${i.remedy}`);
  }
  return lines.join('\n');
}

/**
 * A restore refused before anything ran; its message is the whole report.
 *
 * @example
 * try { checkRestorable(stored, graph); } catch (e) { if (e instanceof RestoreRefusedError) console.log(e.report.issues); }
 */
export class RestoreRefusedError extends Error {
  constructor(
    readonly location: string,
    kind: 'checkpoint' | 'savepoint',
    readonly report: RestoreReport,
  ) {
    super(formatRestoreReport(report, `The ${kind} ${location}`));
    this.name = 'RestoreRefusedError';
  }
}
