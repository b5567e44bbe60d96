/**
 * IPC handlers of main that answer only the app's own page: the top frame of one of the app's
 * windows, showing `weir://app/`. Every handler is registered through these functions, so none
 * can forget the check: whatever else might get to run in a renderer (a frame, a page navigated
 * elsewhere, a webContents that is no window of ours) is refused before the handler runs.
 *
 * Structural types only, so that tests run without the Electron binary.
 */

/** The part of an Electron IPC event (`IpcMainEvent`, `IpcMainInvokeEvent`) the check reads. */
export interface IpcSenderEvent {
  /** The frame that sent it; null once that frame has gone. */
  readonly senderFrame: { readonly url: string } | null;
  readonly sender: { readonly mainFrame: unknown };
}

/** What the check needs of the app: its page origin and whether a webContents is one of its windows. */
export interface AppPages {
  /** The origin the app's page is served from, e.g. `weir://app`. */
  origin: string;
  /** Whether `sender` shows one of the app's windows (`BrowserWindow.fromWebContents(sender) !== null`). */
  isAppWindow(sender: IpcSenderEvent['sender']): boolean;
}

/** The part of Electron's `ipcMain` used. */
export interface IpcMainLike<E extends IpcSenderEvent> {
  on(channel: string, listener: (event: E, ...args: unknown[]) => void): unknown;
  handle(channel: string, listener: (event: E, ...args: unknown[]) => unknown): unknown;
}

/**
 * Whether an IPC message comes from the app's own page.
 *
 * @example
 * fromAppPage(event, { origin: 'weir://app', isAppWindow: (s) => BrowserWindow.fromWebContents(s as WebContents) !== null });
 */
export function fromAppPage(event: IpcSenderEvent, pages: AppPages): boolean {
  const frame = event.senderFrame;
  return !!frame && frame === event.sender.mainFrame && frame.url.startsWith(`${pages.origin}/`) && pages.isAppWindow(event.sender);
}

/**
 * Listens on `channel` for messages of the app's page; others are dropped unanswered.
 *
 * @example
 * onFromAppPage(ipcMain, pages, 'weir:request-host-port', (event, nonce) => { ... });
 */
export function onFromAppPage<E extends IpcSenderEvent>(ipc: IpcMainLike<E>, pages: AppPages, channel: string, listener: (event: E, ...args: unknown[]) => void): void {
  ipc.on(channel, (event, ...args) => {
    if (fromAppPage(event, pages)) listener(event, ...args);
  });
}

/**
 * Answers `invoke` calls on `channel` from the app's page; others are refused with an error.
 *
 * @example
 * handleFromAppPage(ipcMain, pages, 'weir:choose-folder', async (event) => dialog.showOpenDialog(...));
 */
export function handleFromAppPage<E extends IpcSenderEvent>(ipc: IpcMainLike<E>, pages: AppPages, channel: string, handler: (event: E, ...args: unknown[]) => unknown): void {
  ipc.handle(channel, (event, ...args) => {
    if (!fromAppPage(event, pages)) throw new Error(`refused: ${channel} is answered only to the workbench page`);
    return handler(event, ...args);
  });
}
