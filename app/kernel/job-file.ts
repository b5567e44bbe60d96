/**
 * `job.json`, the plan of an exported job: the job's `StreamGraphSpec` as it is (plain data
 * already), plus a version and where in `bundle.mjs` the job is defined. Its JSON Schema is
 * `schema/job.schema.json`; `version` changes when a field changes meaning or is removed.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { EdgeSpec, StreamGraphSpec, VertexSpec } from '../../engine/plan/job-graph.ts';

/** The `version` this weir writes and reads. */
export const JOB_FILE_VERSION = 1;

/** Which `execute()` call of the bundle builds the job (as a taskmanager finds it). */
export interface JobEntry {
  /** The bundle's file name, next to job.json. */
  file: string;
  /** 0-based index of the notebook cell whose code calls `execute()`. */
  cell: number;
  /** How many earlier `execute()` calls of that cell had the job's name. */
  occurrence: number;
}

/** The content of `job.json`. */
export interface JobFile extends StreamGraphSpec {
  version: typeof JOB_FILE_VERSION;
  /** Where the bundle builds the job. */
  entry: JobEntry;
  /** Where the job came from, for people reading the file. */
  exportedFrom?: { notebook: string; weirVersion: string };
  /**
   * The job parameters its cells read, with the values they had at export (`params.get(...)`
   * defaults, or `weir export --param`); `weir run <dir> --param name=value` overrides them.
   */
  params?: Record<string, string>;
}

/**
 * The job file of `graph`. `definedAt` locations become relative to the notebook's directory,
 * so the file does not depend on where the notebook was when it was exported.
 *
 * @example
 * const file = jobFileOf(job.graph, { file: 'bundle.mjs', cell: 2, occurrence: 0 }, { notebook: 'fraud-alerts.ts', weirVersion: '0.1.0' }, '/home/me/notebooks');
 */
export function jobFileOf(
  graph: StreamGraphSpec,
  entry: JobEntry,
  exportedFrom: JobFile['exportedFrom'],
  notebookDir: string,
  params: Readonly<Record<string, string>> = {},
): JobFile {
  const plain = JSON.parse(JSON.stringify(graph)) as StreamGraphSpec;
  for (const v of plain.vertices) {
    if (v.definedAt && path.isAbsolute(v.definedAt)) v.definedAt = path.relative(notebookDir, v.definedAt).split(path.sep).join('/');
  }
  const { name, mode, vertices, edges, autoWatermarkInterval, checkpointing, restartStrategy } = plain;
  const file: JobFile = { version: JOB_FILE_VERSION, name, mode, vertices, edges, autoWatermarkInterval, entry };
  if (plain.operatorChaining === false) file.operatorChaining = false;
  if (checkpointing) file.checkpointing = checkpointing;
  if (restartStrategy) file.restartStrategy = restartStrategy;
  if (exportedFrom) file.exportedFrom = exportedFrom;
  if (Object.keys(params).length > 0) file.params = { ...params };
  return file;
}

/** A job directory that cannot be used; the message names the file and the field. */
export class JobFileError extends Error {
  override name = 'JobFileError';
}

/**
 * Reads and checks `<dir>/job.json`: the fields the runner relies on, with an error naming the
 * field when one is missing or of the wrong type (the full schema is schema/job.schema.json).
 *
 * @example
 * const job = await readJobFile('exported/fraud-alerts'); // job.name === 'fraud alerts'
 */
export async function readJobFile(dir: string): Promise<JobFile> {
  const file = path.join(dir, 'job.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new JobFileError(`${file}: no such file (is ${dir} a directory written by 'weir export'?)`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new JobFileError(`${file}: not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  return checkJobFile(data, file);
}

/**
 * Checks parsed job.json data; `where` prefixes error messages.
 *
 * @example
 * checkJobFile(JSON.parse(text), 'job.json');
 */
export function checkJobFile(data: unknown, where: string): JobFile {
  const fail = (field: string, what: string): never => {
    throw new JobFileError(`${where}: ${field} ${what}`);
  };
  if (!isObject(data)) return fail('the content', 'must be a JSON object');
  if (typeof data.version !== 'number') fail('version', 'must be a number');
  if (data.version !== JOB_FILE_VERSION) {
    fail('version', `is ${String(data.version)}, but this weir reads version ${JOB_FILE_VERSION} (export the job again with this weir)`);
  }
  if (typeof data.name !== 'string') fail('name', 'must be a string');
  if (data.mode !== 'streaming' && data.mode !== 'batch') fail('mode', "must be 'streaming' or 'batch'");
  if (!Array.isArray(data.vertices)) return fail('vertices', 'must be an array');
  data.vertices.forEach((v: unknown, i: number) => {
    if (!isObject(v)) return fail(`vertices[${i}]`, 'must be an object');
    if (typeof v.id !== 'number') fail(`vertices[${i}].id`, 'must be a number');
    if (typeof v.uid !== 'string' || v.uid === '') fail(`vertices[${i}].uid`, 'must be a non-empty string');
    if (typeof v.name !== 'string') fail(`vertices[${i}].name`, 'must be a string');
    if (!Number.isInteger(v.parallelism) || (v.parallelism as number) < 1) fail(`vertices[${i}].parallelism`, 'must be an integer of at least 1');
  });
  if (!Array.isArray(data.edges)) return fail('edges', 'must be an array');
  data.edges.forEach((e: unknown, i: number) => {
    if (!isObject(e) || typeof e.source !== 'number' || typeof e.target !== 'number' || typeof e.partitioner !== 'string') {
      fail(`edges[${i}]`, 'must have numeric source and target and a partitioner');
    }
  });
  const entry = data.entry;
  if (!isObject(entry)) return fail('entry', 'must be an object');
  if (typeof entry.file !== 'string' || entry.file.includes('/') || entry.file.includes('\\')) fail('entry.file', 'must be a file name next to job.json');
  if (!Number.isInteger(entry.cell) || !Number.isInteger(entry.occurrence)) fail('entry', 'must have integer cell and occurrence');
  if (data.params !== undefined) {
    if (!isObject(data.params)) return fail('params', 'must be an object of parameter names to string values');
    for (const [name, value] of Object.entries(data.params)) if (typeof value !== 'string') fail(`params.${name}`, 'must be a string');
  }
  return data as unknown as JobFile;
}

/** What a run may change in the plan on purpose: these fields are not compared. */
export interface PlanOverrides {
  /** `--parallelism` was given: vertex parallelism and forward/rebalance edges may differ. */
  parallelism?: boolean;
  /** `--mode` was given. */
  mode?: boolean;
  /** `--param` changed a recorded parameter: operators' configuration (a path read from one) may differ. */
  params?: boolean;
}

/**
 * The first difference between the exported plan and the graph the bundle built, naming the
 * vertex; undefined when they match. Vertices are matched by uid; `id` and `definedAt` are not
 * compared, nor configuration values that are absolute paths (paths are resolved against the
 * working directory of each run).
 *
 * @example
 * planMismatch(jobFile, job.graph); // "vertex 'Window(...)' (uid minute-average): parallelism is 2 in job.json, 3 in the bundle"
 */
export function planMismatch(expected: JobFile, actual: StreamGraphSpec, overrides: PlanOverrides = {}): string | undefined {
  if (expected.name !== actual.name) return `the job is named '${expected.name}' in job.json, '${actual.name}' in the bundle`;
  if (!overrides.mode && expected.mode !== actual.mode) return `the job runs in ${expected.mode} mode in job.json, ${actual.mode} in the bundle`;
  const theirs = new Map(actual.vertices.map((v) => [v.uid, v]));
  const ours = new Set(expected.vertices.map((v) => v.uid));
  for (const v of expected.vertices) {
    const other = theirs.get(v.uid);
    const label = `vertex '${v.name}' (uid ${v.uid})`;
    if (!other) return `${label} is in job.json but the bundle does not build it`;
    const fields: (keyof VertexSpec)[] = ['name', 'kind', 'maxParallelism', 'chainable', 'chainStart', 'slotSharingGroup', 'keyed', 'bounded'];
    if (!overrides.parallelism) fields.push('parallelism');
    for (const field of fields) {
      if (!sameValue(v[field], other[field])) return `${label}: ${field} is ${show(v[field])} in job.json, ${show(other[field])} in the bundle`;
    }
    const config = overrides.params ? undefined : configMismatch(v.config ?? {}, other.config ?? {});
    if (config) return `${label}: config.${config}`;
  }
  const extra = actual.vertices.find((v) => !ours.has(v.uid));
  if (extra) return `vertex '${extra.name}' (uid ${extra.uid}) is built by the bundle but not in job.json`;

  const edgeKey = (graph: StreamGraphSpec, e: EdgeSpec) => {
    const uid = (id: number) => graph.vertices.find((v) => v.id === id)?.uid ?? `#${id}`;
    return `${uid(e.source)} -> ${uid(e.target)} (input ${e.inputIndex}${e.sideOutput ? `, side output ${e.sideOutput}` : ''})`;
  };
  const partitioner = (p: string) => (overrides.parallelism && (p === 'forward' || p === 'rebalance') ? 'forward|rebalance' : p);
  const theirEdges = new Map(actual.edges.map((e) => [edgeKey(actual, e), partitioner(e.partitioner)]));
  for (const e of expected.edges) {
    const key = edgeKey(expected, e);
    const found = theirEdges.get(key);
    if (found === undefined) return `edge ${key} is in job.json but the bundle does not build it`;
    if (found !== partitioner(e.partitioner)) return `edge ${key}: partitioner is ${e.partitioner} in job.json, ${found} in the bundle`;
    theirEdges.delete(key);
  }
  const [extraEdge] = theirEdges.keys();
  if (extraEdge) return `edge ${extraEdge} is built by the bundle but not in job.json`;
  if ((expected.operatorChaining ?? true) !== (actual.operatorChaining ?? true)) {
    return `operator chaining is ${expected.operatorChaining === false ? 'disabled' : 'enabled'} in job.json, ${actual.operatorChaining === false ? 'disabled' : 'enabled'} in the bundle`;
  }
  if (!sameValue(expected.checkpointing, actual.checkpointing)) return `checkpointing is ${show(expected.checkpointing)} in job.json, ${show(actual.checkpointing)} in the bundle`;
  if (!sameValue(expected.restartStrategy, actual.restartStrategy)) {
    return `restartStrategy is ${show(expected.restartStrategy)} in job.json, ${show(actual.restartStrategy)} in the bundle`;
  }
  return undefined;
}

function configMismatch(expected: Record<string, unknown>, actual: Record<string, unknown>): string | undefined {
  for (const key of new Set([...Object.keys(expected), ...Object.keys(actual)])) {
    const a = expected[key];
    const b = actual[key];
    if (typeof a === 'string' && typeof b === 'string' && path.isAbsolute(a) && path.isAbsolute(b)) continue;
    if (!sameValue(a, b)) return `${key} is ${show(a)} in job.json, ${show(b)} in the bundle`;
  }
  return undefined;
}

/** Equality of plain data as JSON sees it: undefined fields are absent, key order does not matter. */
function sameValue(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string | undefined {
  return JSON.stringify(value, (_key, v: unknown) =>
    isObject(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]])) : v,
  );
}

function show(value: unknown): string {
  return value === undefined ? 'absent' : JSON.stringify(value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
