import type { StreamGraphSpec } from '../plan/job-graph.ts';
import type { Deployment } from './deployment.ts';
import type { OperatorReport } from './host.ts';
import type { TaskRunner } from './task-runner.ts';

/** Figures of one operator subtask at one moment. Cumulative counters; rates are derived. */
export interface SubtaskMetrics {
  uid: string;
  subtask: number;
  recordsIn: number;
  recordsOut: number;
  /** The operator's current event-time watermark (-Infinity before the first). */
  watermark: number;
  /** Keyed entries plus operator-state items. */
  stateEntries: number;
  /** Estimated bytes of state on the heap. */
  stateBytes: number;
  /** Milliseconds the subtask's task worked, was blocked by back-pressure, or idled. */
  busyMs: number;
  backPressuredMs: number;
  idleMs: number;
  /** The taskmanager that runs it (set by the taskmanager; absent in-process). */
  taskManager?: number;
}

/** Reads the current figures of every subtask deployed in this process. */
export function collectSubtaskMetrics(deployment: Deployment, runner: TaskRunner | undefined, graph: StreamGraphSpec): SubtaskMetrics[] {
  const taskIndexOf = new Map<unknown, number>();
  deployment.tasks.forEach((t, i) => t.operators.forEach((op) => taskIndexOf.set(op, i)));
  const out: SubtaskMetrics[] = [];
  for (const v of graph.vertices) {
    const ops = deployment.operatorsByVertex.get(v.id) ?? [];
    ops.forEach((op, subtask) => {
      if (!op) return;
      const t = taskIndexOf.get(op) ?? -1;
      out.push({
        uid: v.uid,
        subtask,
        recordsIn: op.counters.recordsIn,
        recordsOut: op.counters.recordsOut,
        watermark: op.watermark,
        stateEntries: op.stateEntries(),
        stateBytes: op.estimateStateBytes(),
        busyMs: runner && t >= 0 ? runner.busyMs[t]! : 0,
        backPressuredMs: runner && t >= 0 ? runner.backPressuredMs[t]! : 0,
        idleMs: runner && t >= 0 ? runner.idleMs[t]! : 0,
      });
    });
  }
  return out;
}

/**
 * Sums subtask figures per operator. With a previous sample and the time between the two,
 * also gives records per second and the shares of time busy and back-pressured.
 */
export function operatorReports(
  graph: StreamGraphSpec,
  now: SubtaskMetrics[],
  previous?: { metrics: SubtaskMetrics[]; elapsedMs: number },
): OperatorReport[] {
  const prev = new Map<string, SubtaskMetrics>();
  for (const m of previous?.metrics ?? []) prev.set(`${m.uid}#${m.subtask}`, m);
  return graph.vertices.map((v) => {
    const mine = now.filter((m) => m.uid === v.uid);
    const report: OperatorReport = {
      uid: v.uid,
      name: v.name,
      parallelism: v.parallelism,
      recordsIn: sum(mine, (m) => m.recordsIn),
      recordsOut: sum(mine, (m) => m.recordsOut),
      // Across processes -Infinity travels as null (JSON): both mean no watermark yet.
      watermark: mine.length ? Math.min(...mine.map((m) => m.watermark ?? Number.NEGATIVE_INFINITY)) : Number.NEGATIVE_INFINITY,
      stateBytes: sum(mine, (m) => m.stateBytes),
      subtasks: mine.map((m) => {
        const p = prev.get(`${m.uid}#${m.subtask}`);
        const dt = previous?.elapsedMs ?? 0;
        const total = p ? m.busyMs + m.backPressuredMs + m.idleMs - (p.busyMs + p.backPressuredMs + p.idleMs) : m.busyMs + m.backPressuredMs + m.idleMs;
        return {
          subtask: m.subtask,
          recordsIn: m.recordsIn,
          recordsOut: m.recordsOut,
          recordsInPerSecond: p && dt > 0 ? ((m.recordsIn - p.recordsIn) * 1000) / dt : 0,
          recordsOutPerSecond: p && dt > 0 ? ((m.recordsOut - p.recordsOut) * 1000) / dt : 0,
          busyRatio: total > 0 ? ((p ? m.busyMs - p.busyMs : m.busyMs) / total) : 0,
          backPressuredRatio: total > 0 ? ((p ? m.backPressuredMs - p.backPressuredMs : m.backPressuredMs) / total) : 0,
          watermark: m.watermark ?? Number.NEGATIVE_INFINITY,
          stateEntries: m.stateEntries,
          stateBytes: m.stateBytes,
          ...(m.taskManager !== undefined ? { taskManager: m.taskManager } : {}),
        };
      }),
    };
    report.recordsInPerSecond = sum(report.subtasks!, (s) => s.recordsInPerSecond);
    report.recordsOutPerSecond = sum(report.subtasks!, (s) => s.recordsOutPerSecond);
    return report;
  });
}

function sum<T>(xs: T[], f: (x: T) => number): number {
  let s = 0;
  for (const x of xs) s += f(x);
  return s;
}
