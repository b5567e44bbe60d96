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

const REGISTRY = Symbol.for('weir.sinkFactories');

function registry(): Map<string, SinkFactory> {
  const g = globalThis as Record<symbol, Map<string, SinkFactory> | undefined>;
  return (g[REGISTRY] ??= new Map());
}

/** Registers how to build sinks of one kind in this process. */
export function registerSinkFactory(kind: string, factory: SinkFactory): void {
  registry().set(kind, factory);
}

/** Builds the sink for a descriptor, or explains which host can. */
export function createSinkFromDescriptor(descriptor: SinkDescriptor, ctx: SinkFactoryContext): SinkFunction<any> {
  const f = registry().get(descriptor.sinkKind);
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

const SOURCE_REGISTRY = Symbol.for('weir.sourceFactories');

function sourceRegistry(): Map<string, SourceReaderFactory> {
  const g = globalThis as Record<symbol, Map<string, SourceReaderFactory> | undefined>;
  return (g[SOURCE_REGISTRY] ??= new Map());
}

/** Registers how to read sources of one kind in this process. */
export function registerSourceFactory(kind: string, factory: SourceReaderFactory): void {
  sourceRegistry().set(kind, factory);
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
      const f = sourceRegistry().get(descriptor.sourceKind);
      if (!f) {
        throw new Error(
          `No '${descriptor.sourceKind}' source is available in this process (source '${name}'); it needs the Node runtime: import the engine as 'weir' in a notebook or 'weir run'`,
        );
      }
      return f(descriptor, ctx) as SourceReader<T> | Promise<SourceReader<T>>;
    },
  };
}
