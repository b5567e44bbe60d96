/**
 * The workbench's `Sinks.chart(...)`: a sink factory registered in the host process that turns
 * records into chart points and sends them, batched, to the cell that started the job. A chart
 * is shared by the parallel instances of its sink, and only by them: it is keyed by the sink
 * operator's uid, since every chart sink is named `Sink: chart` unless the user names it. Points
 * are sent at most every `intervalMs` so that a job at full speed costs the page one update per
 * interval, not one per record.
 */
import type { SinkDescriptor, SinkFactory, SinkFactoryContext } from '../../engine/runtime/connectors.ts';
import type { SinkFunction } from '../../engine/runtime/functions.ts';
import type { ChartPointsEvent } from '../shared/workbench/service.ts';
import type { ChartSpec, SeriesPoints } from '../shared/workbench/protocol.ts';
import { cellContext, type CellContext } from './cell-context.ts';
import { LiveTableFeed } from './live-table.ts';

/** Options of the chart sink factory. */
export interface LiveChartsOptions {
  /** Where chart points go. */
  points(event: ChartPointsEvent): void;
  /** How often pending points are sent, ms. Default 50. */
  intervalMs?: number;
}

/** One chart fed by the sink instances of one job. */
class LiveChart {
  private pendingAppend = new Map<string, { xs: (number | string)[]; ys: number[] }>();
  private pendingUpsert = new Map<string, Map<string, { x: number | string; y: number }>>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Subtasks that have a sink of this chart; a second sink for one of them means a new run. */
  readonly subtasks = new Set<number>();

  constructor(
    readonly spec: ChartSpec,
    private readonly keyFields: string[],
    private readonly context: CellContext,
    private readonly options: LiveChartsOptions,
  ) {}

  add(record: unknown): void {
    if (record === null || typeof record !== 'object') return;
    const row = record as Record<string, unknown>;
    const x = axisValue(row[this.spec.x]);
    if (x === undefined) return;
    const seriesName = this.spec.series !== undefined ? String(row[this.spec.series]) : undefined;
    for (const field of this.spec.y) {
      const y = Number(row[field] instanceof Date ? (row[field] as Date).getTime() : row[field]);
      if (!Number.isFinite(y)) continue;
      const name = seriesName === undefined ? field : this.spec.y.length > 1 ? `${seriesName} ${field}` : seriesName;
      if (this.spec.mode === 'upsert') {
        const key = this.keyFields.map((f) => String(f === this.spec.x ? x : row[f])).join('\u0000');
        let points = this.pendingUpsert.get(name);
        if (!points) this.pendingUpsert.set(name, (points = new Map()));
        points.set(key, { x, y });
      } else {
        let points = this.pendingAppend.get(name);
        if (!points) this.pendingAppend.set(name, (points = { xs: [], ys: [] }));
        points.xs.push(x);
        points.ys.push(y);
      }
    }
    this.timer ??= setTimeout(() => this.flush(), this.options.intervalMs ?? 50);
  }

  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const series: SeriesPoints[] = [];
    for (const [name, points] of this.pendingAppend) series.push({ name, xs: points.xs, ys: points.ys });
    for (const [name, points] of this.pendingUpsert) {
      const s: SeriesPoints = { name, xs: [], ys: [], keys: [] };
      for (const [key, point] of points) {
        s.xs.push(point.x);
        s.ys.push(point.y);
        s.keys!.push(key);
      }
      series.push(s);
    }
    this.pendingAppend = new Map();
    this.pendingUpsert = new Map();
    if (series.length === 0) return;
    const event: ChartPointsEvent = { path: this.context.path, cellId: this.context.cellId, chartId: this.spec.id, series };
    if (this.spec.mode === 'upsert') event.upsert = true;
    this.options.points(event);
  }
}

/**
 * Charts of the jobs that cells start.
 *
 * @example
 * const charts = new LiveCharts({ points: (e) => client.onDidAppendChartPoints(e) });
 * registerSinkFactory('chart', charts.factory);
 */
export class LiveCharts {
  private readonly byContext = new WeakMap<CellContext, Map<string, LiveChart | LiveTableFeed>>();
  private nextId = 0;

  constructor(private readonly options: LiveChartsOptions) {}

  /** The sink factory to register as 'chart'. */
  readonly factory: SinkFactory = (descriptor: SinkDescriptor, ctx: SinkFactoryContext): SinkFunction<unknown> => {
    const context = cellContext.getStore();
    if (!context) {
      if (ctx.subtask === 0) ctx.note(`chart sink '${ctx.operatorName}' of job '${ctx.jobName}' has no notebook cell to draw in`);
      return { invoke() {} };
    }
    const chart = this.chartFor(context, descriptor.options, ctx);
    return {
      invoke: (value: unknown) => chart.add(value),
      finish: () => (chart instanceof LiveTableFeed ? chart.finish(ctx.subtask) : chart.flush()),
      close: () => (chart instanceof LiveTableFeed ? chart.close(ctx.subtask) : chart.flush()),
    };
  };

  /**
   * A chart sink instance that runs elsewhere (in a taskmanager), drawing in `context`'s cell:
   * its rows are added as they arrive, and `flush` sends what is pending at once.
   *
   * @example
   * const sink = charts.remoteSink(context, options, { jobName: 'j', operatorName: 'Sink: chart', operatorUid: 'sink-3', subtask: 0 });
   * sink.add(rows);
   */
  remoteSink(context: CellContext, options: Record<string, unknown>, where: ChartSinkPlace): { add(rows: unknown[]): void; flush(): void } {
    const chart = this.chartFor(context, options, where);
    return {
      add: (rows) => {
        for (const row of rows) chart.add(row);
      },
      flush: () => chart.flush(),
    };
  }

  private chartFor(context: CellContext, options: Record<string, unknown>, ctx: ChartSinkPlace): LiveChart | LiveTableFeed {
    let charts = this.byContext.get(context);
    if (!charts) this.byContext.set(context, (charts = new Map()));
    const key = `${ctx.jobName}\u0000${ctx.operatorUid ?? ctx.operatorName}`;
    let chart = charts.get(key);
    if (!chart || chart.subtasks.has(ctx.subtask)) {
      const { spec, keyFields } = chartSpec(`chart-${++this.nextId}`, options, ctx.jobName, ctx.operatorName);
      // A `[flink-sql]` SELECT's live table travels as a chart sink of type 'table' (engine/sql/cell.ts).
      chart = spec.type === 'table' ? new LiveTableFeed(spec, stringList(options.columns), context, this.options) : new LiveChart(spec, keyFields, context, this.options);
      charts.set(key, chart);
      context.output({ kind: 'chart', chart: spec });
    }
    chart.subtasks.add(ctx.subtask);
    return chart;
  }
}

/** Where a chart sink instance runs: its job, its operator and its subtask. */
export type ChartSinkPlace = Pick<SinkFactoryContext, 'jobName' | 'operatorName' | 'operatorUid' | 'subtask'>;

/** The name every chart sink has until the user names it (`.name(...)`). */
const DEFAULT_SINK_NAME = 'Sink: chart';

/**
 * The chart's spec from the sink's options (already checked by `Sinks.chart`). Its title is the
 * `title` option, else the name the user gave the sink operator.
 */
export function chartSpec(id: string, options: Record<string, unknown>, jobName: string, operatorName = DEFAULT_SINK_NAME): { spec: ChartSpec; keyFields: string[] } {
  const y = Array.isArray(options.y) ? options.y.map(String) : [String(options.y)];
  const spec: ChartSpec = {
    id,
    type: (options.type as ChartSpec['type']) ?? 'line',
    x: String(options.x),
    y,
    mode: options.mode === 'upsert' ? 'upsert' : 'append',
    jobName,
  };
  if (typeof options.series === 'string') spec.series = options.series;
  if (typeof options.title === 'string') spec.title = options.title;
  else if (operatorName !== DEFAULT_SINK_NAME) spec.title = operatorName;
  const keyFields = Array.isArray(options.key) && options.key.length > 0 ? options.key.map(String) : [spec.x];
  return { spec, keyFields };
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}

/** An x value: numbers and dates as numbers, other values as category strings. */
function axisValue(value: unknown): number | string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'bigint') return Number(value);
  if (value === undefined || value === null) return undefined;
  return String(value);
}
