import type { SinkFunction } from './functions.ts';
import type { Boundedness, Source, SourceReader, SourceReaderContext } from './source.ts';

/**
 * A sink described as plain data (`Sinks.jsonl(path)` returns one). The engine core cannot do
 * IO, so descriptors are turned into sink functions by factories that the hosting process
 * registers (the Node entry registers files; the app registers charts).
 */
export interface SinkDescriptor {
  readonly sinkKind: string;
  readonly options: Record<string, unknown>;
  /** Where relative paths in `options` resolve (`HostDefaults.baseDir` when defined); not part of the plan. */
  readonly baseDir?: string;
}

/** Everything a sink factory is told about the subtask it builds a sink for. */
export interface SinkFactoryContext {
  subtask: number;
  parallelism: number;
  operatorName: string;
  /** The operator's stable id (unique in its job): what tells two sinks of one kind apart. */
  operatorUid?: string;
  jobName: string;
  note(message: string): void;
}

export type SinkFactory = (descriptor: SinkDescriptor, ctx: SinkFactoryContext) => SinkFunction<any>;

/** The sink factories of this process, by kind: connectors of the process, shared by its jobs. */
const sinkFactories = new Map<string, SinkFactory>();

/**
 * Registers how to build sinks of one kind in this process.
 *
 * @example
 * registerSinkFactory('jsonl', (descriptor, ctx) => new JsonlSink(descriptor.options, ctx.subtask));
 */
export function registerSinkFactory(kind: string, factory: SinkFactory): void {
  sinkFactories.set(kind, factory);
}

/** Builds the sink for a descriptor, or explains which host can. */
export function createSinkFromDescriptor(descriptor: SinkDescriptor, ctx: SinkFactoryContext): SinkFunction<any> {
  const f = sinkFactories.get(descriptor.sinkKind);
  if (!f) {
    throw new Error(
      `No '${descriptor.sinkKind}' sink is available in this process (sink '${ctx.operatorName}'); it needs the Node runtime: import the engine as 'weir' in a notebook or 'weir run'`,
    );
  }
  return f(descriptor, ctx);
}

export function isSinkDescriptor(x: unknown): x is SinkDescriptor {
  return !!x && typeof x === 'object' && typeof (x as SinkDescriptor).sinkKind === 'string';
}

/**
 * A source described as plain data (`env.fromDuckDB(sql)` makes one). Like sink descriptors,
 * it is turned into readers by a factory the hosting process registers, because reading files
 * needs Node.
 */
export interface SourceDescriptor {
  readonly sourceKind: string;
  readonly options: Record<string, unknown>;
  /** Known when the pipeline is built (batch mode accepts bounded sources only). */
  readonly boundedness: Boundedness;
  /** False: the source runs with parallelism 1. */
  readonly parallel: boolean;
  /** Where relative paths in `options` resolve (`HostDefaults.baseDir` when defined); not part of the plan. */
  readonly baseDir?: string;
}

/** Builds one subtask's reader for a source descriptor. */
export type SourceReaderFactory = (descriptor: SourceDescriptor, ctx: SourceReaderContext) => SourceReader<any> | Promise<SourceReader<any>>;

/** The source reader factories of this process, by kind. */
const sourceFactories = new Map<string, SourceReaderFactory>();

/**
 * Registers how to read sources of one kind in this process.
 *
 * @example
 * registerSourceFactory('duckdb', (descriptor, ctx) => new DuckDBReader(descriptor.options, ctx));
 */
export function registerSourceFactory(kind: string, factory: SourceReaderFactory): void {
  sourceFactories.set(kind, factory);
}

/** A Source whose readers come from the factory registered for the descriptor's kind. */
export function sourceFromDescriptor<T>(descriptor: SourceDescriptor, name: string): Source<T> {
  return {
    name,
    boundedness: descriptor.boundedness,
    parallel: descriptor.parallel,
    // Unset options are left out: the plan holds plain data only.
    describe: () => ({ connector: descriptor.sourceKind, ...Object.fromEntries(Object.entries(descriptor.options).filter(([, v]) => v !== undefined)) }),
    createReader(ctx: SourceReaderContext) {
      const f = sourceFactories.get(descriptor.sourceKind);
      if (!f) {
        throw new Error(
          `No '${descriptor.sourceKind}' source is available in this process (source '${name}'); it needs the Node runtime: import the engine as 'weir' in a notebook or 'weir run'`,
        );
      }
      return f(descriptor, ctx) as SourceReader<T> | Promise<SourceReader<T>>;
    },
  };
}
