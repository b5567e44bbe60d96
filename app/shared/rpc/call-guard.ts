/**
 * What a served object accepts from the other end of a link. comlink's `expose` executes any
 * message it is sent: GET and SET walk property paths (`SET ['__proto__', 'x']` writes into
 * `Object.prototype` of the serving process), APPLY calls whatever a path reaches, CONSTRUCT and
 * ENDPOINT make new objects. A workbench client is authorised to call the service's methods,
 * nothing more, so only calls of the service's own methods with plain data (JSON-like values
 * without `__proto__`, `constructor` or `prototype` keys) reach comlink; every other request is
 * answered with a short error, and the service keeps serving.
 *
 * Replies are bounded too: an error's message is cut to `MAX_ERROR_MESSAGE` characters and its
 * stack (which names install paths) is not sent.
 *
 * No Node and no DOM here: it sees messages only.
 */

/** Characters of an error message a reply carries at most. */
export const MAX_ERROR_MESSAGE = 2000;
/** How deep call arguments may nest. */
const MAX_DEPTH = 64;
/** Keys that reach an object's prototype when assigned or merged. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

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
export function judgeRequest(message: unknown, methods: ReadonlySet<string>): Verdict {
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
  for (const [i, argument] of request.argumentList.entries()) {
    const wire = argument as { type?: unknown; value?: unknown } | null;
    if (wire === null || typeof wire !== 'object' || wire.type !== 'RAW' || Object.keys(wire).some((k) => k !== 'type' && k !== 'value')) {
      return { accept: false, id, reason: `${path[0]}: argument ${i + 1} must be plain data` };
    }
    const problem = plainDataProblem(wire.value, 0);
    if (problem) return { accept: false, id, reason: `${path[0]}: argument ${i + 1} ${problem}` };
  }
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
 * characters and its stack replaced by its first line (stacks name files of the install).
 *
 * @example
 * link.send(boundedReply(message));
 */
export function boundedReply(message: unknown): unknown {
  const reply = message as { type?: unknown; name?: unknown; value?: { isError?: unknown; value?: unknown } } | null;
  if (reply === null || typeof reply !== 'object' || reply.type !== 'HANDLER' || reply.name !== 'throw' || !reply.value) return message;
  const thrown = reply.value.value;
  let safe: { name: string; message: string; stack: string };
  if (reply.value.isError && thrown && typeof thrown === 'object') {
    const error = thrown as { name?: unknown; message?: unknown };
    const name = typeof error.name === 'string' ? error.name.slice(0, 100) : 'Error';
    const text = bounded(typeof error.message === 'string' ? error.message : String(error.message));
    safe = { name, message: text, stack: `${name}: ${text}` };
  } else {
    const text = bounded(typeof thrown === 'string' ? thrown : 'the call failed');
    safe = { name: 'Error', message: text, stack: `Error: ${text}` };
  }
  return { ...reply, value: { isError: true, value: safe } };
}

/** Why a value is not plain data, or undefined when it is. */
function plainDataProblem(value: unknown, depth: number): string | undefined {
  if (value === null || value === undefined) return undefined;
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return undefined;
    case 'object':
      break;
    default:
      return `holds a ${typeof value}, which is not plain data`;
  }
  if (depth >= MAX_DEPTH) return `nests deeper than ${MAX_DEPTH} levels`;
  if (Array.isArray(value)) {
    for (const item of value) {
      const problem = plainDataProblem(item, depth + 1);
      if (problem) return problem;
    }
    return undefined;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return 'holds an object that is not plain data';
  for (const key of Object.keys(value)) {
    if (FORBIDDEN_KEYS.has(key)) return `holds the key '${key}', which is refused`;
    const problem = plainDataProblem((value as Record<string, unknown>)[key], depth + 1);
    if (problem) return problem;
  }
  return undefined;
}

function describePath(path: unknown): string {
  if (!Array.isArray(path)) return '(no path)';
  return bounded(path.map((p) => String(p)).join('.'), 200) || '(the service itself)';
}

function bounded(text: string, max = MAX_ERROR_MESSAGE): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}
