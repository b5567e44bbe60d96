/**
 * What a served object accepts from the other end of a link. comlink's `expose` executes any
 * message it is sent: GET and SET walk property paths (`SET ['__proto__', 'x']` writes into
 * `Object.prototype` of the serving process), APPLY calls whatever a path reaches, CONSTRUCT and
 * ENDPOINT make new objects. A workbench client is authorised to call the service's methods,
 * nothing more, so only calls of the service's own methods with plain data (JSON-like values
 * without `__proto__`, `constructor` or `prototype` keys) reach comlink; every other request is
 * answered with a short error, and the service keeps serving.
 *
 * The host bounds its calls' arguments in size as well (`MAX_MESSAGE_BYTES`): a MessagePort has
 * no frame limit of its own, so a 100 MB argument is refused here with a short error, and the
 * link goes on serving the next call.
 *
 * Replies are bounded too: an error's message is cut to `MAX_ERROR_MESSAGE` characters, its stack
 * (which names install paths) is not sent, and the install's own paths in its message (a module
 * that failed to load in `node_modules`, a file of `dist/`) read `<weir>`: they tell a client how
 * the host is laid out and nothing it can act on. Paths of the user's folder stay as they are.
 *
 * No Node and no DOM here: it sees messages only.
 */

/** Characters of an error message a reply carries at most. */
export const MAX_ERROR_MESSAGE = 2000;
/**
 * The largest call a client may send, bytes (as JSON, about): a notebook saved with all its
 * cells fits many times over. The WebSocket refuses larger frames before it buffers them; a
 * MessagePort's call is measured here.
 */
export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
/** How deep call arguments may nest. */
const MAX_DEPTH = 64;
/** Keys that reach an object's prototype when assigned or merged. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** How a served object guards its link; every field is optional. */
export interface GuardOptions {
  /**
   * The largest call accepted, bytes (about, as JSON). Default: no limit; the host sets
   * `MAX_MESSAGE_BYTES` (the page accepts the host's events whatever their size: a table of
   * 100,000 rows may be larger).
   */
  maxBytes?: number;
  /** Folders of the install (the package root, its `node_modules`) that error replies do not name. */
  installPaths?: readonly string[];
  /** Folders that error replies name in full even inside an install path (the served folder). */
  keepPaths?: readonly string[];
}

/** A comlink request as it arrives (only the fields the guard reads). */
interface Request {
  id?: unknown;
  type?: unknown;
  path?: unknown;
  argumentList?: unknown;
}

/** The verdict on one incoming message. */
export type Verdict =
  /** A call of one of the service's methods with plain arguments: hand it to comlink. */
  | { accept: true }
  /** Not a request at all (a reply to a call this end made): not for the served object. */
  | { accept: false; ignore: true }
  /** A request that is refused; `id` is where the error reply goes (none when it has no id). */
  | { accept: false; ignore?: false; id: string | undefined; reason: string };

/** comlink's request types; anything else on the link is a reply. */
const REQUEST_TYPES = new Set(['GET', 'SET', 'APPLY', 'CONSTRUCT', 'ENDPOINT', 'RELEASE']);

/**
 * Judges one incoming message for a served object whose callable methods are `methods`.
 *
 * @example
 * judgeRequest({ id: '1', type: 'APPLY', path: ['listNotebooks'], argumentList: [] }, new Set(['listNotebooks'])); // { accept: true }
 * judgeRequest({ id: '2', type: 'SET', path: ['__proto__', 'x'], value: { type: 'RAW', value: 1 } }, methods);      // refused
 */
export function judgeRequest(message: unknown, methods: ReadonlySet<string>, maxBytes = Number.POSITIVE_INFINITY): Verdict {
  if (message === null || typeof message !== 'object') return { accept: false, ignore: true };
  const request = message as Request;
  if (typeof request.type !== 'string' || !REQUEST_TYPES.has(request.type)) return { accept: false, ignore: true };
  const id = typeof request.id === 'string' ? request.id.slice(0, 100) : undefined;
  if (request.type !== 'APPLY') return { accept: false, id, reason: `only calls of the service's methods are accepted, not ${request.type}` };
  const path = request.path;
  if (!Array.isArray(path) || path.length !== 1 || typeof path[0] !== 'string' || !methods.has(path[0])) {
    return { accept: false, id, reason: `no such method: ${describePath(path)}` };
  }
  if (!Array.isArray(request.argumentList)) return { accept: false, id, reason: `${path[0]}: arguments must be a list` };
  const budget = { bytes: maxBytes };
  for (const [i, argument] of request.argumentList.entries()) {
    const wire = argument as { type?: unknown; value?: unknown } | null;
    if (wire === null || typeof wire !== 'object' || wire.type !== 'RAW' || Object.keys(wire).some((k) => k !== 'type' && k !== 'value')) {
      return { accept: false, id, reason: `${path[0]}: argument ${i + 1} must be plain data` };
    }
    const problem = plainDataProblem(wire.value, 0, budget);
    if (problem) return { accept: false, id, reason: `${path[0]}: argument ${i + 1} ${problem}` };
  }
  if (budget.bytes < 0) return { accept: false, id, reason: `${path[0]}: the call is larger than ${megabytes(maxBytes)}, the most a call may carry` };
  return { accept: true };
}

/**
 * The methods a served object offers: its own function-valued properties (the workbench serves
 * a frozen object of methods), never anything inherited from `Object.prototype`.
 *
 * @example
 * serviceMethods(Object.freeze({ listNotebooks: async () => [] })); // Set { 'listNotebooks' }
 */
export function serviceMethods(target: object): Set<string> {
  const methods = new Set<string>();
  for (const key of Object.keys(target)) {
    if (!FORBIDDEN_KEYS.has(key) && typeof (target as Record<string, unknown>)[key] === 'function') methods.add(key);
  }
  return methods;
}

/**
 * The error reply to a refused request, in comlink's wire format (a thrown error).
 *
 * @example
 * link.send(refusalReply('1', 'no such method: constructor'));
 */
export function refusalReply(id: string | undefined, reason: string): Record<string, unknown> {
  const message = bounded(reason);
  return { id, type: 'HANDLER', name: 'throw', value: { isError: true, value: { name: 'Error', message, stack: `Error: ${message}` } } };
}

/**
 * An outgoing message with any thrown error bounded: its message cut to `MAX_ERROR_MESSAGE`
 * characters, the install's paths in it replaced by `<weir>`, and its stack replaced by its
 * first line (stacks name files of the install).
 *
 * @example
 * link.send(boundedReply(message, { installPaths: ['/opt/weir'] }));
 */
export function boundedReply(message: unknown, options: GuardOptions = {}): unknown {
  const reply = message as { type?: unknown; name?: unknown; value?: { isError?: unknown; value?: unknown } } | null;
  if (reply === null || typeof reply !== 'object' || reply.type !== 'HANDLER' || reply.name !== 'throw' || !reply.value) return message;
  const thrown = reply.value.value;
  const clean = (text: string, max?: number): string => bounded(redactInstallPaths(text, options.installPaths ?? [], options.keepPaths ?? []), max);
  let safe: { name: string; message: string; stack: string };
  if (reply.value.isError && thrown && typeof thrown === 'object') {
    const error = thrown as { name?: unknown; message?: unknown };
    const name = typeof error.name === 'string' ? clean(error.name, 100) : 'Error';
    const text = clean(typeof error.message === 'string' ? error.message : String(error.message));
    safe = { name, message: text, stack: `${name}: ${text}` };
  } else {
    const text = clean(typeof thrown === 'string' ? thrown : 'the call failed');
    safe = { name: 'Error', message: text, stack: `Error: ${text}` };
  }
  return { ...reply, value: { isError: true, value: safe } };
}

/**
 * `text` with every path under one of `install` (as a path or a `file://` URL) shown as
 * `<weir>/…`, except paths under one of `keep`.
 *
 * @example
 * redactInstallPaths("Cannot find package 'x' imported from /opt/weir/dist/kernel.mjs", ['/opt/weir']);
 * // "Cannot find package 'x' imported from <weir>/dist/kernel.mjs"
 */
export function redactInstallPaths(text: string, install: readonly string[], keep: readonly string[] = []): string {
  let out = text;
  for (const root of [...install].filter((r) => r.length > 1).sort((a, b) => b.length - a.length)) {
    let result = '';
    let from = 0;
    for (let at = out.indexOf(root); at >= 0; at = out.indexOf(root, at + root.length)) {
      const next = out[at + root.length];
      // A whole folder name only: /opt/weir, not /opt/weird.
      if (next !== undefined && /[\w.-]/.test(next)) continue;
      if (keep.some((k) => out.startsWith(k, at))) continue;
      const url = out.slice(Math.max(0, at - 7), at) === 'file://' ? 7 : 0;
      result += `${out.slice(from, at - url)}<weir>`;
      from = at + root.length;
    }
    out = result + out.slice(from);
  }
  return out;
}

/**
 * Why a value is not plain data, or undefined when it is. Each value spends its size (about what
 * it takes as JSON) from `budget`; the walk stops once it is spent, so a huge call costs no more
 * than the budget to judge.
 */
function plainDataProblem(value: unknown, depth: number, budget: { bytes: number }): string | undefined {
  if (budget.bytes < 0) return undefined;
  if (value === null || value === undefined) {
    budget.bytes -= 4;
    return undefined;
  }
  switch (typeof value) {
    case 'string':
      budget.bytes -= value.length + 2;
      return undefined;
    case 'number':
    case 'boolean':
      budget.bytes -= 8;
      return undefined;
    case 'object':
      break;
    default:
      return `holds a ${typeof value}, which is not plain data`;
  }
  if (depth >= MAX_DEPTH) return `nests deeper than ${MAX_DEPTH} levels`;
  budget.bytes -= 2;
  if (Array.isArray(value)) {
    for (const item of value) {
      const problem = plainDataProblem(item, depth + 1, budget);
      if (problem || budget.bytes < 0) return problem;
    }
    return undefined;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return 'holds an object that is not plain data';
  for (const key of Object.keys(value)) {
    if (FORBIDDEN_KEYS.has(key)) return `holds the key '${key}', which is refused`;
    budget.bytes -= key.length + 3;
    const problem = plainDataProblem((value as Record<string, unknown>)[key], depth + 1, budget);
    if (problem || budget.bytes < 0) return problem;
  }
  return undefined;
}

function megabytes(bytes: number): string {
  return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;
}

function describePath(path: unknown): string {
  if (!Array.isArray(path)) return '(no path)';
  return bounded(path.map((p) => String(p)).join('.'), 200) || '(the service itself)';
}

function bounded(text: string, max = MAX_ERROR_MESSAGE): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}
