/**
 * `SET 'key' = 'value'`: the options of Flink's configuration that a SQL session of Weir
 * applies to the jobs it runs next — `parallelism.default`, `execution.runtime-mode`,
 * `pipeline.name`, `execution.checkpointing.interval` and `.mode` (and the SQL client's
 * `sql-client.execution.result-mode`, which changes nothing in a cell). Any other key is refused,
 * naming it, rather than ignored. (Flink's counterparts: the SQL client's `SetOperation`, and
 * `CoreOptions`, `ExecutionOptions`, `PipelineOptions`, `CheckpointingOptions`.)
 */
import type { StreamExecutionEnvironment } from '../api/environment.ts';
import { SqlValidationError, type SqlPosition } from './errors.ts';

/** What an option does to the environment of the session's next jobs. */
type Apply = (env: StreamExecutionEnvironment, value: string, fail: (why: string) => never) => void;

const OPTIONS: Record<string, Apply> = {
  'parallelism.default': (env, value, fail) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) return fail('an integer ≥ 1');
    env.setParallelism(n);
  },
  'execution.runtime-mode': (env, value, fail) => {
    const mode = value.toLowerCase();
    if (mode !== 'streaming' && mode !== 'batch') return fail("'streaming' or 'batch'");
    env.setRuntimeMode(mode);
  },
  // The session keeps the name: its jobs are named by it (see jobName).
  'pipeline.name': () => {},
  'execution.checkpointing.interval': (env, value, fail) => {
    const ms = parseDuration(value);
    if (ms === undefined || ms < 10) return fail("a duration of at least 10 ms, such as '10 s', '1 min' or '500 ms'");
    env.enableCheckpointing(ms);
  },
  'execution.checkpointing.mode': (env, value, fail) => {
    const mode = value.toUpperCase();
    if (mode !== 'EXACTLY_ONCE' && mode !== 'AT_LEAST_ONCE') return fail("'EXACTLY_ONCE' or 'AT_LEAST_ONCE'");
    env.getCheckpointConfig().setCheckpointingMode(mode === 'EXACTLY_ONCE' ? 'exactly-once' : 'at-least-once');
  },
  // How Flink's SQL client shows a SELECT (scripts run with -f need 'tableau'): a cell always shows a table.
  'sql-client.execution.result-mode': (_env, value, fail) => {
    if (!['table', 'tableau', 'changelog'].includes(value.toLowerCase())) return fail("'table', 'tableau' or 'changelog'");
  },
};

/** The keys `SET` knows. @example SET_KEYS.includes('parallelism.default') // true */
export const SET_KEYS = Object.keys(OPTIONS);

/**
 * Applies `SET key = value` to `env`; an unknown key or a bad value fails naming it.
 *
 * @example applySetOption(env, 'parallelism.default', '2', { line: 1, column: 1 })
 */
export function applySetOption(env: StreamExecutionEnvironment, key: string, value: string, pos?: SqlPosition): void {
  const apply = OPTIONS[key];
  if (!apply) throw new SqlValidationError(`SET: unknown option '${key}'; Weir's SQL sessions know ${SET_KEYS.map((k) => `'${k}'`).join(', ')}`, pos);
  apply(env, value, (why) => {
    throw new SqlValidationError(`SET '${key}': expected ${why}, got '${value}'`, pos);
  });
}

const UNITS: [RegExp, number][] = [
  [/^(ms|milli|millis|millisecond|milliseconds)$/, 1],
  [/^(s|sec|secs|second|seconds)$/, 1000],
  [/^(min|minute|minutes)$/, 60_000],
  [/^(h|hour|hours)$/, 3_600_000],
  [/^(d|day|days)$/, 86_400_000],
];

/**
 * A duration as Flink's configuration writes it (`TimeUtils.parseDuration`): a number and an
 * optional unit, milliseconds when none.
 *
 * @example parseDuration('10 s') // 10000
 * parseDuration('1min') // 60000
 */
export function parseDuration(text: string): number | undefined {
  const m = /^\s*(\d+)\s*([a-zA-Z]*)\s*$/.exec(text);
  if (!m) return undefined;
  const unit = m[2]!.toLowerCase();
  const scale = unit === '' ? 1 : UNITS.find(([re]) => re.test(unit))?.[1];
  return scale === undefined ? undefined : Number(m[1]) * scale;
}
