/**
 * What the desktop app's preload script gives the page, as `window.weir`. The preload's object
 * `satisfies WeirBridge`, and the page reads `window.weir` as this type, so the two cannot
 * drift apart. The page gets no Node and no raw IPC: only these named methods.
 */

/** IPC channel names between the preload and Electron main. */
export const BRIDGE_CHANNELS = {
  /** Renderer → main: please send a port to the workbench host, tagged with this nonce. */
  requestHostPort: 'weir:request-host-port',
  /** Main → renderer: the port, with the nonce it was asked for. */
  hostPort: 'weir:host-port',
  /** Renderer → main (invoke): show a folder picker. */
  chooseFolder: 'weir:choose-folder',
} as const;

/** The bridge `window.weir` of the desktop app. */
export interface WeirBridge {
  /** Always 'desktop': web mode has no bridge. */
  readonly shell: 'desktop';
  /** Versions of Electron, Chromium and Node in the app. */
  readonly versions: { readonly electron: string; readonly chrome: string; readonly node: string };
  /**
   * Asks for a MessagePort to the workbench host. It arrives as a `message` event on `window`
   * whose `data` is `nonce` and whose `ports[0]` is the port; other messages are not it.
   */
  requestHostPort(nonce: string): void;
  /** Shows a folder picker; resolves with the chosen folder, or undefined when cancelled. */
  chooseFolder(): Promise<string | undefined>;
}
