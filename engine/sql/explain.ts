/**
 * `EXPLAIN`: the plan of a SELECT or INSERT as text, in the shape of Flink's "== Optimized
 * Physical Plan ==" (the operator tree from the sink down, `+- ` before each input, an
 * `Exchange` where rows are redistributed) followed by "== Optimized Execution Plan ==" (the
 * chained tasks Weir runs, with their parallelism). Both are read off the stream graph Weir
 * would run, so what EXPLAIN shows is what runs. (Flink's counterpart: `PlannerBase.explain`
 * and `FlinkRelOptUtil.toString`.)
 */
import { buildJobGraph } from '../plan/chaining.ts';
import type { StreamGraphSpec, VertexSpec } from '../plan/job-graph.ts';

/**
 * The plan text of a stream graph built from one SQL statement.
 *
 * @example
 * explainGraph(env.getStreamGraph('q'))
 * // == Optimized Physical Plan ==
 * // Sink(table=[collect])
 * // +- Calc(select=[user, n])
 * //    +- WindowAggregate(groupBy=[user], window=[TUMBLE(time_col=[ts], size=[1 min])])
 * //       +- Exchange(distribution=[hash])
 * //          +- ...
 */
export function explainGraph(graph: StreamGraphSpec): string {
  const byId = new Map(graph.vertices.map((v) => [v.id, v]));
  const inputs = (id: number) => graph.edges.filter((e) => e.target === id);
  const lines: string[] = [];
  const visit = (v: VertexSpec, prefix: string, connector: string) => {
    lines.push(`${prefix}${connector}${physicalName(v)}`);
    const below = prefix + (connector === '' ? '' : connector === ':- ' ? ':  ' : '   ');
    const edges = inputs(v.id);
    edges.forEach((e, i) => {
      const last = i === edges.length - 1;
      const input = byId.get(e.source)!;
      if (e.partitioner === 'forward') return visit(input, below, last ? '+- ' : ':- ');
      lines.push(`${below}${last ? '+- ' : ':- '}Exchange(distribution=[${e.partitioner}])`);
      visit(input, below + (last ? '   ' : ':  '), '+- ');
    });
  };
  const sinks = graph.vertices.filter((v) => !graph.edges.some((e) => e.source === v.id));
  for (const sink of sinks) visit(sink, '', '');

  const jobGraph = buildJobGraph(graph);
  const tasks = jobGraph.chains.map((c, i) => {
    const from = c.inputs.map((e) => `[${jobGraph.chains.findIndex((x) => x.id === jobGraph.chainOf.get(e.source)) + 1}] by ${e.partitioner}`);
    return `[${i + 1}] ${c.vertices.map((v) => v.name).join(' -> ')} (parallelism ${c.parallelism})${from.length > 0 ? `, input ${from.join(', ')}` : ''}`;
  });
  return ['== Optimized Physical Plan ==', ...lines, '', '== Optimized Execution Plan ==', `mode: ${graph.mode}`, ...tasks].join('\n');
}

/** A vertex under the name Flink's physical plan gives such a node, where Weir's name says which. */
function physicalName(v: VertexSpec): string {
  const name = v.name;
  if (v.kind === 'source') {
    const [connector, ...table] = name.replace(/^Source: /, '').split(' ');
    return table.length > 0 ? `TableSourceScan(table=[[${table.join(' ')}]], connector=[${connector}])` : `TableSourceScan(${name})`;
  }
  if (v.kind === 'timestamps') return 'WatermarkAssigner';
  if (v.kind === 'sink') {
    const [connector, ...table] = name.split(' ');
    return table.length > 0 ? `Sink(table=[${table.join(' ')}], connector=[${connector}])` : `Sink(table=[collect])`;
  }
  if (name === 'Where') return 'Calc(where)';
  if (name === 'Having') return 'Calc(having)';
  if (name.startsWith('Select ')) return `Calc(select=[${name.slice('Select '.length)}])`;
  if (name.startsWith('Into ')) return `Calc(into=[${name.slice('Into '.length)}])`;
  if (name.startsWith('computed columns of ')) return `Calc(computed columns of ${name.slice('computed columns of '.length)})`;
  return name;
}
