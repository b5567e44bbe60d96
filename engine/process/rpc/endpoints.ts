/**
 * Comlink endpoints over the message channels Weir's processes use. Comlink speaks the
 * `postMessage` / `addEventListener('message')` protocol of web workers; these adapters give
 * that shape to Node's child-process IPC and to Electron's `parentPort` / `MessagePortMain`.
 *
 * Each endpoint is tagged with a channel name, so several independent services (the
 * jobmanager's API, the client's callbacks) can share one IPC pipe without seeing each other's
 * messages.
 */
import type { Endpoint } from 'comlink';

/** The part of `ChildProcess` / `process` that carries IPC messages. */
export interface IpcPeer {
  send?(message: unknown): boolean;
  on(event: 'message', listener: (message: any) => void): unknown;
  off(event: 'message', listener: (message: any) => void): unknown;
}

/** An Electron `parentPort` or `MessagePortMain`: events carry `{ data }`. */
export interface ElectronPortLike {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: any }) => void): unknown;
  off(event: 'message', listener: (event: { data: any }) => void): unknown;
  start?(): void;
}

function call(handler: unknown, data: unknown): void {
  if (typeof handler === 'function') handler({ data });
  else (handler as { handleEvent(e: { data: unknown }): void }).handleEvent({ data });
}

/**
 * A comlink endpoint over child-process IPC (`child.send` / `process.send`).
 *
 * @example
 * const child = fork('jobmanager.js');
 * const jm = Comlink.wrap<JobManagerApi>(ipcEndpoint(child, 'jobmanager'));
 */
export function ipcEndpoint(peer: IpcPeer, channel: string): Endpoint {
  const listeners = new Map<unknown, (message: any) => void>();
  return {
    postMessage(message: unknown) {
      if (!peer.send) throw new Error(`No IPC channel to send on ('${channel}'): the process was not forked with IPC`);
      peer.send({ weirChannel: channel, data: message });
    },
    addEventListener(_type: string, handler: unknown) {
      const l = (m: any) => {
        if (m && m.weirChannel === channel) call(handler, m.data);
      };
      listeners.set(handler, l);
      peer.on('message', l);
    },
    removeEventListener(_type: string, handler: unknown) {
      const l = listeners.get(handler);
      if (!l) return;
      peer.off('message', l);
      listeners.delete(handler);
    },
  } as Endpoint;
}

/**
 * A comlink endpoint over an Electron `parentPort` (utility process side) or a
 * `MessagePortMain` (main process side), tagged with a channel name like `ipcEndpoint`.
 *
 * @example
 * Comlink.expose(kernelService, electronPortEndpoint(process.parentPort, 'kernel'));
 */
export function electronPortEndpoint(port: ElectronPortLike, channel: string): Endpoint {
  const listeners = new Map<unknown, (event: { data: any }) => void>();
  return {
    postMessage(message: unknown) {
      port.postMessage({ weirChannel: channel, data: message });
    },
    addEventListener(_type: string, handler: unknown) {
      const l = (event: { data: any }) => {
        const m = event?.data;
        if (m && m.weirChannel === channel) call(handler, m.data);
      };
      listeners.set(handler, l);
      port.on('message', l);
      port.start?.();
    },
    removeEventListener(_type: string, handler: unknown) {
      const l = listeners.get(handler);
      if (!l) return;
      port.off('message', l);
      listeners.delete(handler);
    },
  } as Endpoint;
}
