/**
 * The plan as text, one line per operator, the way Flink's plan visualiser draws it in boxes:
 * which chain (task) the operator runs in, its parallelism, where its input comes from and how
 * it is partitioned, and its configuration (windows, watermarks, sources, sinks).
 */
import { buildJobGraph } from '../../engine/plan/chaining.ts';
import type { StreamGraphSpec } from '../../engine/plan/job-graph.ts';

/**
 * Formats `graph` for a terminal. Operators in the same task are chained (one thread, no
 * serialisation between them).
 *
 * @example
 * formatPlan(graph);
 * // job 'fraud alerts' · streaming · checkpoints off · restarts: none
 * //   #0 Source: Collection     [source]      parallelism 1/128  task 0  uid source-ee5dc459      source=Collection bounded=true
 * //   #1 Timestamps/Watermarks  [timestamps]  parallelism 2/128  task 1  uid timestamps-b603116d  ← #0 rebalance  watermarks=monotonous timestamps
 */
export function formatPlan(graph: StreamGraphSpec & { params?: Readonly<Record<string, string>> }): string {
  const chainOf = buildJobGraph(graph).chainOf;
  const checkpoints = describeCheckpointing(graph);
  const lines = [`job '${graph.name}' · ${graph.mode} · ${checkpoints === 'off' ? 'checkpoints off' : `checkpoints ${checkpoints}`} · restarts: ${describeRestarts(graph)}`];
  const params = Object.entries(graph.params ?? {});
  // The parameters the job's cells read, with the values they had (weir run --param overrides them).
  if (params.length > 0) lines.push(`  params: ${params.map(([name, value]) => `${name}=${JSON.stringify(value)}`).join(' ')}`);
  const rows = graph.vertices.map((v) => {
    const inputs = graph.edges
      .filter((e) => e.target === v.id)
      .map((e) => `← #${e.source} ${e.partitioner}${e.sideOutput ? ` (side output ${e.sideOutput})` : ''}${e.inputIndex > 0 ? ` (input ${e.inputIndex + 1})` : ''}`);
    // One line per operator: a multi-line value (a SQL query) is folded onto it.
    const config = describeConfig(v.config);
    const columns = [`#${v.id} ${v.name}`, `[${v.kind}${v.keyed ? ', keyed' : ''}]`, `parallelism ${v.parallelism}/${v.maxParallelism}`, `task ${chainOf.get(v.id) ?? '?'}`, `uid ${v.uid}`];
    if (v.slotSharingGroup) columns.push(`slots '${v.slotSharingGroup}'`);
    return { columns, rest: [...inputs, ...(config.length > 0 ? [config.join(' ')] : [])] };
  });
  // Pad the fixed columns so that they line up; inputs and configuration follow.
  const widths = rows.reduce<number[]>((w, r) => r.columns.map((c, i) => Math.max(w[i] ?? 0, c.length)), []);
  for (const { columns, rest } of rows) {
    lines.push(`  ${[...columns.map((c, i) => c.padEnd(widths[i]!)), ...rest].join('  ').trimEnd()}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * An operator's configuration as `key=value` items, a multi-line value (a SQL query) folded onto one line.
 *
 * @example
 * describeConfig({ window: 'tumbling 60000 ms' }); // ['window=tumbling 60000 ms']
 */
export function describeConfig(config: Record<string, unknown> | undefined): string[] {
  // An option left unset (undefined) is not part of the configuration, as in job.json.
  return Object.entries(config ?? {})
    .filter(([, value]) => value !== undefined)
    .map(([k, value]) => `${k}=${(typeof value === 'string' ? value : String(JSON.stringify(value))).replace(/\s*\n\s*/g, ' ')}`);
}

/**
 * The job's checkpointing in words.
 *
 * @example
 * describeCheckpointing(graph); // 'every 2000 ms (exactly-once)' or 'off'
 */
export function describeCheckpointing(graph: StreamGraphSpec): string {
  return graph.checkpointing && graph.checkpointing.intervalMs > 0 ? `every ${graph.checkpointing.intervalMs} ms (${graph.checkpointing.mode})` : 'off';
}

/**
 * The job's restart strategy in words.
 *
 * @example
 * describeRestarts(graph); // 'fixed delay, 3 attempts, 1000 ms apart'
 */
export function describeRestarts(graph: StreamGraphSpec): string {
  const r = graph.restartStrategy;
  if (!r || r.kind === 'none') return 'none';
  if (r.kind === 'fixed-delay') return `fixed delay, ${r.attempts} attempts, ${r.delayMs} ms apart`;
  if (r.kind === 'failure-rate') return `failure rate, ${r.maxFailures} per ${r.intervalMs} ms, ${r.delayMs} ms delay`;
  return `exponential delay, ${r.initialMs}..${r.maxMs} ms`;
}
