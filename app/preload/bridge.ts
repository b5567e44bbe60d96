/**
 * The object the preload exposes as `window.weir`. Built from the few `ipcRenderer` calls it
 * needs, so a test can check it against the shared `WeirBridge` contract without Electron.
 */
import { BRIDGE_CHANNELS, type WeirBridge } from '../shared/workbench/bridge.ts';

/** The part of Electron's `ipcRenderer` the bridge uses. */
export interface BridgeIpc {
  send(channel: string, ...args: unknown[]): void;
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: { ports: readonly unknown[] }, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (...args: any[]) => void): unknown;
}

/** Where a received port is handed to the page: `window.postMessage` in the real preload. */
export type PostToPage = (nonce: string, ports: readonly unknown[]) => void;

/**
 * The bridge. A port from main is passed to the page only when it carries the nonce the page
 * asked with, and only once: a port cannot reach a page that did not ask for it.
 *
 * @example
 * contextBridge.exposeInMainWorld('weir', createBridge(ipcRenderer, (nonce, ports) => window.postMessage(nonce, location.origin, ports)));
 */
export function createBridge(ipc: BridgeIpc, postToPage: PostToPage, versions: WeirBridge['versions']): WeirBridge {
  return {
    shell: 'desktop',
    versions: { electron: versions.electron, chrome: versions.chrome, node: versions.node },
    requestHostPort(nonce: string): void {
      if (typeof nonce !== 'string' || nonce.length < 16) throw new TypeError('requestHostPort needs a random nonce');
      const onPort = (event: { ports: readonly unknown[] }, received: unknown): void => {
        if (received !== nonce) return;
        ipc.removeListener(BRIDGE_CHANNELS.hostPort, onPort);
        postToPage(nonce, event.ports);
      };
      ipc.on(BRIDGE_CHANNELS.hostPort, onPort);
      ipc.send(BRIDGE_CHANNELS.requestHostPort, nonce);
    },
    async chooseFolder(): Promise<string | undefined> {
      const folder = await ipc.invoke(BRIDGE_CHANNELS.chooseFolder);
      return typeof folder === 'string' ? folder : undefined;
    },
  } satisfies WeirBridge;
}
