/**
 * A job's plan (job.json data) as the workbench's Plan view draws it: the operator graph the
 * job panel uses, plus each operator's task (chain) and configuration, and which edges are
 * chained.
 */
import { buildJobGraph } from '../../engine/plan/chaining.ts';
import type { JobFile } from '../kernel/job-file.ts';
import { describeCheckpointing, describeConfig, describeRestarts } from '../kernel/plan-text.ts';
import type { JobEdge, JobOperator, JobPlan } from '../shared/workbench/protocol.ts';

/**
 * The plan of one job for the renderer.
 *
 * @example
 * const plan = jobPlanOf(jobFile); // plan.operators[1] → { uid: 'timestamps-…', task: 1, parallelism: 2, ... }
 */
export function jobPlanOf(file: JobFile): JobPlan {
  const { chainOf, chains } = buildJobGraph(file);
  const uidOf = new Map(file.vertices.map((v) => [v.id, v.uid]));
  const operators = file.vertices.map((v): JobOperator => {
    const operator: JobOperator = { uid: v.uid, name: v.name, parallelism: v.parallelism, kind: v.kind };
    const task = chainOf.get(v.id);
    if (task !== undefined) operator.task = task;
    const config = describeConfig(v.config);
    if (config.length > 0) operator.config = config.join(' ');
    return operator;
  });
  const edges = file.edges.map((e): JobEdge => {
    const edge: JobEdge = { source: uidOf.get(e.source) ?? `#${e.source}`, target: uidOf.get(e.target) ?? `#${e.target}`, partitioner: e.partitioner };
    if (chainOf.get(e.source) !== undefined && chainOf.get(e.source) === chainOf.get(e.target)) edge.chained = true;
    return edge;
  });
  return {
    name: file.name,
    cellIndex: file.entry.cell,
    mode: file.mode,
    checkpointing: describeCheckpointing(file),
    restarts: describeRestarts(file),
    operators,
    edges,
    tasks: chains.length,
  };
}
