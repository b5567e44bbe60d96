import type { EdgeSpec, StreamGraphSpec, VertexSpec } from './job-graph.ts';

/**
 * A chain: consecutive operators that run in one task with plain function calls between them
 * (Flink's operator chaining). `vertices[0]` is the head; every other member has exactly one
 * input, which is a forward edge from an earlier member.
 */
export interface ChainSpec {
  /** Index of the chain in the job graph. */
  id: number;
  vertices: VertexSpec[];
  parallelism: number;
  /** Edges that enter the chain's head from other chains. */
  inputs: EdgeSpec[];
  /** Edges that leave the chain for other chains. */
  outputs: EdgeSpec[];
  /** Edges between members of the chain. */
  internal: EdgeSpec[];
}

/** The job graph: the program graph with chains fused. */
export interface JobGraphSpec {
  graph: StreamGraphSpec;
  chains: ChainSpec[];
  /** Vertex id → chain id. */
  chainOf: Map<number, number>;
}

/** Whether the edge can be a direct call inside one task. */
export function isChainable(edge: EdgeSpec, graph: StreamGraphSpec, inputsOf: Map<number, EdgeSpec[]>): boolean {
  const source = graph.vertices.find((v) => v.id === edge.source)!;
  const target = graph.vertices.find((v) => v.id === edge.target)!;
  return (
    graph.operatorChaining !== false &&
    edge.partitioner === 'forward' &&
    source.chainable &&
    target.chainable &&
    !target.chainStart &&
    slotSharingGroupOf(source) === slotSharingGroupOf(target) &&
    target.kind !== 'source' &&
    source.parallelism === target.parallelism &&
    (inputsOf.get(target.id)?.length ?? 0) === 1
  );
}

/**
 * The slot sharing group a vertex runs in ('default' unless set).
 *
 * @example
 * slotSharingGroupOf(vertex); // 'default'
 */
export function slotSharingGroupOf(vertex: VertexSpec): string {
  return vertex.slotSharingGroup ?? 'default';
}

/** Fuses chainable edges; every vertex ends up in exactly one chain. */
export function buildJobGraph(graph: StreamGraphSpec): JobGraphSpec {
  const inputsOf = new Map<number, EdgeSpec[]>();
  for (const e of graph.edges) {
    const list = inputsOf.get(e.target) ?? [];
    list.push(e);
    inputsOf.set(e.target, list);
  }
  const chainOf = new Map<number, number>();
  const chains: ChainSpec[] = [];
  // Vertices are in creation order, so an input always precedes its consumer.
  const ordered = [...graph.vertices].sort((a, b) => a.id - b.id);
  for (const v of ordered) {
    const ins = inputsOf.get(v.id) ?? [];
    if (ins.length === 1 && isChainable(ins[0]!, graph, inputsOf)) {
      const chainId = chainOf.get(ins[0]!.source)!;
      chains[chainId]!.vertices.push(v);
      chainOf.set(v.id, chainId);
    } else {
      const chain: ChainSpec = { id: chains.length, vertices: [v], parallelism: v.parallelism, inputs: [], outputs: [], internal: [] };
      chains.push(chain);
      chainOf.set(v.id, chain.id);
    }
  }
  for (const e of graph.edges) {
    const from = chainOf.get(e.source)!;
    const to = chainOf.get(e.target)!;
    if (from === to) chains[from]!.internal.push(e);
    else {
      chains[from]!.outputs.push(e);
      chains[to]!.inputs.push(e);
    }
  }
  return { graph, chains, chainOf };
}
