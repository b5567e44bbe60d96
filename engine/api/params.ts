/**
 * Job parameters, as Flink's `ParameterTool`: values given when the notebook or exported job is
 * run (`weir run nb.ts --param input=data/x.csv --param rate=500`), read in cells with typed
 * accessors that fall back to defaults, so a job is configured at run time rather than frozen
 * with the values its cells computed. The values come from the host (`HostDefaults.params`),
 * which hands them to the taskmanagers with the job, so every process reads the same.
 *
 * Read them while the pipeline is built (at the top level of a cell) and let operator
 * functions capture the values, as Flink reads `ParameterTool` in `main()`: inside a function
 * that runs on a taskmanager, `params` sees no values.
 */
import { executionHost } from '../runtime/host.ts';

function given(): Readonly<Record<string, string>> {
  return executionHost().defaults?.params ?? {};
}

/** The given value of a parameter, told to the host with the value the code goes on with. */
function read(name: string, fallback: string | undefined): string | undefined {
  const value = Object.hasOwn(given(), name) ? given()[name] : undefined;
  executionHost().onParamRead?.(name, value ?? fallback);
  return value;
}

function source(name: string): string {
  return `(--param ${name}=…)`;
}

/**
 * The job's parameters.
 *
 * @example
 * import { params } from 'weir';
 * const input = params.get('input', 'data/trades.csv');
 * const rate = params.getNumber('rate', 1000);
 * const dryRun = params.getBoolean('dry-run', false);
 * const bucket = params.required('bucket');
 */
export const params = {
  /**
   * A parameter's value, or `defaultValue` when it was not given.
   *
   * @example
   * const input = params.get('input', 'data/trades.csv');
   */
  get(name: string, defaultValue?: string): string | undefined {
    return read(name, defaultValue) ?? defaultValue;
  },

  /**
   * A parameter as a number, or `defaultValue`; a value that is not a number is an error.
   *
   * @example
   * const rate = params.getNumber('rate', 1000);
   */
  getNumber(name: string, defaultValue: number): number {
    const value = read(name, String(defaultValue));
    if (value === undefined) return defaultValue;
    const number = Number(value);
    if (value.trim() === '' || !Number.isFinite(number)) throw new Error(`Parameter '${name}' must be a number, got '${value}' ${source(name)}`);
    return number;
  },

  /**
   * A parameter as a boolean (`true`/`false`, `1`/`0`, `yes`/`no`), or `defaultValue`.
   *
   * @example
   * const dryRun = params.getBoolean('dry-run', false);
   */
  getBoolean(name: string, defaultValue: boolean): boolean {
    const value = read(name, String(defaultValue));
    if (value === undefined) return defaultValue;
    const v = value.trim().toLowerCase();
    if (['true', '1', 'yes'].includes(v)) return true;
    if (['false', '0', 'no'].includes(v)) return false;
    throw new Error(`Parameter '${name}' must be true or false, got '${value}' ${source(name)}`);
  },

  /**
   * A parameter that must be given; its absence is an error saying how to pass it.
   *
   * @example
   * const bucket = params.required('bucket');
   */
  required(name: string): string {
    const value = read(name, undefined);
    if (value === undefined) throw new Error(`Missing parameter '${name}': pass it with --param ${name}=<value>`);
    return value;
  },

  /**
   * Whether a parameter was given.
   *
   * @example
   * if (params.has('limit')) stream = stream.filter((r) => r.n < params.getNumber('limit', 0));
   */
  has(name: string): boolean {
    return Object.hasOwn(given(), name);
  },

  /**
   * Every parameter given, by name.
   *
   * @example
   * console.log(params.toMap()); // { input: 'data/x.csv', rate: '500' }
   */
  toMap(): Record<string, string> {
    return { ...given() };
  },
};
