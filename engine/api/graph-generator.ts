import type { EdgeSpec, StreamGraphSpec, VertexSpec } from '../plan/job-graph.ts';
import type { EdgeCode, JobDefinition, VertexCode } from '../runtime/job.ts';
import { InvalidPipelineError } from '../runtime/errors.ts';
import type { StreamExecutionEnvironment } from './environment.ts';
import type { Transformation } from './transformation.ts';
import { resolveRestartStrategy } from '../checkpoint/restart-strategies.ts';

/**
 * Turns the transformations that lead to a sink into the plan (plain data) and its code.
 * Deterministic: the same program gives the same plan and uids in every process, which is
 * what lets each worker rebuild the graph from the notebook and run only its own subtasks.
 */
export function generateGraph(env: StreamExecutionEnvironment, jobName: string): JobDefinition {
  const reachable = new Set<Transformation>();
  const visit = (t: Transformation) => {
    if (reachable.has(t)) return;
    reachable.add(t);
    for (const i of t.inputs) visit(i.source);
  };
  for (const s of env.sinks) visit(s);
  const ordered = env.transformations.filter((t) => reachable.has(t));

  const vertices: VertexSpec[] = [];
  const edges: EdgeSpec[] = [];
  const vertexCode = new Map<number, VertexCode>();
  const edgeCode: EdgeCode[] = [];
  const byId = new Map<number, VertexSpec>();
  const seenSignatures = new Map<string, number>();

  for (const t of ordered) {
    let parallelism = t.parallelism ?? env.parallelism;
    if (t.singleton) {
      if (t.parallelism !== undefined && t.parallelism !== 1) {
        throw new InvalidPipelineError(`Operator '${t.name}' is not parallel; it cannot run with parallelism ${t.parallelism}`);
      }
      parallelism = 1;
    }
    const maxParallelism = t.maxParallelism ?? env.maxParallelism;
    if (parallelism > maxParallelism) {
      throw new InvalidPipelineError(`Operator '${t.name}' has parallelism ${parallelism} above its max parallelism ${maxParallelism}`);
    }
    if (env.mode === 'batch' && t.source && t.source.boundedness === 'unbounded') {
      throw new InvalidPipelineError(
        `Source '${t.name}' is unbounded, but the job runs in batch mode: use a bounded source, or mode 'streaming'`,
      );
    }
    const inputUids = t.inputs.map((i) => `${byId.get(i.source.id)?.uid}:${i.sideOutput ?? ''}:${i.inputIndex}`);
    const signature = `${t.kind}|${t.name}|${inputUids.join(',')}`;
    const occurrence = seenSignatures.get(signature) ?? 0;
    seenSignatures.set(signature, occurrence + 1);
    const uid = t.uid ?? `${slug(t.kind)}-${hash32(`${signature}|${occurrence}`)}`;
    const v: VertexSpec = {
      id: t.id,
      uid,
      name: t.name,
      kind: t.kind,
      parallelism,
      maxParallelism,
      chainable: t.chainable,
      config: t.config,
      keyed: !!t.keySelectors?.some((k) => k),
    };
    if (t.chainStart) v.chainStart = true;
    const group = slotSharingGroupFor(t, byId);
    if (group !== 'default') v.slotSharingGroup = group;
    if (t.source) v.bounded = t.source.boundedness === 'bounded';
    if (t.definedAt) v.definedAt = t.definedAt;
    if (t.valueShape !== undefined) v.valueShape = t.valueShape;
    vertices.push(v);
    byId.set(t.id, v);
    vertexCode.set(t.id, { createOperator: t.createOperator, keySelectors: t.keySelectors, ...(t.collected ? { collected: t.collected } : {}) });

    for (const input of t.inputs) {
      const src = byId.get(input.source.id)!;
      const partitioner = input.partitioner ?? (src.parallelism === parallelism ? 'forward' : 'rebalance');
      if (partitioner === 'forward' && src.parallelism !== parallelism) {
        throw new InvalidPipelineError(
          `forward() needs equal parallelism, but '${src.name}' has ${src.parallelism} and '${t.name}' has ${parallelism}`,
        );
      }
      const e: EdgeSpec = { source: src.id, target: t.id, partitioner, inputIndex: input.inputIndex };
      if (input.sideOutput) e.sideOutput = input.sideOutput;
      edges.push(e);
      edgeCode.push({ keySelector: input.keySelector, customPartitioner: input.customPartitioner });
    }
  }

  const uids = new Map<string, string>();
  for (const v of vertices) {
    const other = uids.get(v.uid);
    if (other) throw new InvalidPipelineError(`Operators '${other}' and '${v.name}' both have uid '${v.uid}'; uids must be unique`);
    uids.set(v.uid, v.name);
  }

  const graph: StreamGraphSpec = { name: jobName, mode: env.mode, vertices, edges, autoWatermarkInterval: env.autoWatermarkInterval };
  if (!env.isChainingEnabled()) graph.operatorChaining = false;
  graph.checkpointing = env.getCheckpointConfig().toSpec();
  graph.restartStrategy = resolveRestartStrategy(env.restartStrategy, graph.checkpointing);
  return { graph, vertices: vertexCode, edges: edgeCode };
}

/**
 * Flink's rule: an operator without a group of its own joins its inputs' group when they all
 * share one, and 'default' otherwise (sources without a group are in 'default').
 */
function slotSharingGroupFor(t: Transformation, byId: Map<number, VertexSpec>): string {
  if (t.slotSharingGroup !== undefined) return t.slotSharingGroup;
  const groups = new Set(t.inputs.map((i) => byId.get(i.source.id)!.slotSharingGroup ?? 'default'));
  return groups.size === 1 ? [...groups][0]! : 'default';
}

function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'op';
}

function hash32(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}
