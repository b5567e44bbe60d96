/**
 * A job's plan (job.json data) as the workbench's Plan view draws it: the operator graph the
 * job panel uses, plus each operator's task (chain) and configuration, and which edges are
 * chained.
 */
import { buildJobGraph } from '../../engine/plan/chaining.ts';
import type { StreamGraphSpec } from '../../engine/plan/job-graph.ts';
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
  const { operators, edges, tasks } = operatorGraphOf(file);
  return {
    name: file.name,
    cellIndex: file.entry.cell,
    mode: file.mode,
    checkpointing: describeCheckpointing(file),
    restarts: describeRestarts(file),
    operators,
    edges,
    tasks,
  };
}

/**
 * A job graph's operators (with task and configuration) and edges (by uid, chained ones
 * marked), as the job panel and the Plan view draw them.
 *
 * @example
 * const { operators, edges, tasks } = operatorGraphOf(env.getStreamGraph('job'));
 */
export function operatorGraphOf(graph: StreamGraphSpec): { operators: JobOperator[]; edges: JobEdge[]; tasks: number } {
  const { chainOf, chains } = buildJobGraph(graph);
  const uidOf = new Map(graph.vertices.map((v) => [v.id, v.uid]));
  const operators = graph.vertices.map((v): JobOperator => {
    const operator: JobOperator = { uid: v.uid, name: v.name, parallelism: v.parallelism, kind: v.kind };
    const task = chainOf.get(v.id);
    if (task !== undefined) operator.task = task;
    // Options left unset (a replay's `database`) are not part of the description.
    const config = describeConfig(v.config && Object.fromEntries(Object.entries(v.config).filter(([, value]) => value !== undefined)));
    if (config.length > 0) operator.config = config.join(' ');
    return operator;
  });
  const edges = graph.edges.flatMap((e): JobEdge[] => {
    const source = uidOf.get(e.source);
    const target = uidOf.get(e.target);
    if (source === undefined || target === undefined) return [];
    const edge: JobEdge = { source, target, partitioner: e.partitioner };
    if (chainOf.get(e.source) !== undefined && chainOf.get(e.source) === chainOf.get(e.target)) edge.chained = true;
    return [edge];
  });
  return { operators, edges, tasks: chains.length };
}
