/**
 * The few host facilities the engine core needs, typed here because the core compiles without
 * Node or DOM types (so that it can run in any process, including the renderer). All of them
 * exist in Node, browsers and Electron.
 */
declare const globalThis: {
  setTimeout(cb: () => void, ms?: number): unknown;
  clearTimeout(handle: unknown): void;
  setImmediate?: (cb: () => void) => unknown;
  MessageChannel?: new () => { port1: { onmessage: (() => void) | null; close(): void }; port2: { postMessage(v: unknown): void; close(): void } };
  console: { log(...args: unknown[]): void; error(...args: unknown[]): void; warn(...args: unknown[]): void };
  performance?: { now(): number };
};

export const platform = {
  setTimeout: (cb: () => void, ms: number): unknown => globalThis.setTimeout(cb, ms),
  clearTimeout: (h: unknown): void => globalThis.clearTimeout(h),
  console: globalThis.console,
  /** A monotonic clock in ms with sub-ms resolution where available. */
  monotonicNow: (): number => (globalThis.performance ? globalThis.performance.now() : Date.now()),
};

let channel: { port1: { onmessage: (() => void) | null }; port2: { postMessage(v: unknown): void } } | undefined;
const pending: (() => void)[] = [];

/**
 * Lets the event loop run IO and timers, then continues: the engine's loop calls it every few
 * milliseconds so a busy job never starves RPC, UI or timers in its process. Uses setImmediate
 * (Node) or a MessageChannel (browsers); both are far cheaper than setTimeout(0).
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => {
    if (globalThis.setImmediate) {
      globalThis.setImmediate(resolve);
      return;
    }
    if (!channel && globalThis.MessageChannel) {
      const c = new globalThis.MessageChannel();
      c.port1.onmessage = () => pending.shift()?.();
      channel = c;
    }
    if (channel) {
      pending.push(resolve);
      channel.port2.postMessage(0);
    } else globalThis.setTimeout(resolve, 0);
  });
}
