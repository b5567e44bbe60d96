/**
 * Main's IPC handlers answer only the app's own page (app/main/app-page-ipc.ts), with stand-ins
 * for Electron's ipcMain and events (the Electron binary is not on the build machines): a frame
 * inside the page, a page navigated elsewhere, a webContents that is no window of the app and a
 * frame that has gone are each refused before the handler runs.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fromAppPage, handleFromAppPage, onFromAppPage, type AppPages, type IpcMainLike, type IpcSenderEvent } from '../../../app/main/app-page-ipc.ts';

/** An IPC event as Electron makes it: the sending frame and the webContents it belongs to. */
function eventFrom(options: { url?: string; subframe?: boolean; gone?: boolean; window?: boolean } = {}): IpcSenderEvent {
  const mainFrame = { url: options.url ?? 'weir://app/index.html' };
  const senderFrame = options.gone ? null : options.subframe ? { url: mainFrame.url } : mainFrame;
  return { senderFrame, sender: { mainFrame, window: options.window ?? true } as IpcSenderEvent['sender'] };
}

/** The app's windows: every webContents but those made with `window: false`. */
const pages: AppPages = { origin: 'weir://app', isAppWindow: (sender) => (sender as { window?: boolean }).window !== false };

/** ipcMain's registrations, called as Electron would call them. */
class FakeIpcMain implements IpcMainLike<IpcSenderEvent> {
  readonly listeners = new Map<string, (event: IpcSenderEvent, ...args: unknown[]) => unknown>();
  on(channel: string, listener: (event: IpcSenderEvent, ...args: unknown[]) => void): void {
    this.listeners.set(channel, listener);
  }
  handle(channel: string, listener: (event: IpcSenderEvent, ...args: unknown[]) => unknown): void {
    this.listeners.set(channel, listener);
  }
}

const refused: [string, IpcSenderEvent][] = [
  ['a frame inside the page', eventFrom({ subframe: true })],
  ['a page navigated elsewhere', eventFrom({ url: 'https://example.com/' })],
  ['a page on a look-alike origin', eventFrom({ url: 'weir://app.example/index.html' })],
  ['a file:// page', eventFrom({ url: 'file:///tmp/x.html' })],
  ['a frame that has gone', eventFrom({ gone: true })],
  ['a webContents that is no window of the app', eventFrom({ window: false })],
];

describe('IPC from the app page only', () => {
  it('knows the app page', () => {
    assert.equal(fromAppPage(eventFrom(), pages), true);
    for (const [what, event] of refused) assert.equal(fromAppPage(event, pages), false, what);
  });

  it('runs an `on` listener for the app page only', () => {
    const ipc = new FakeIpcMain();
    const heard: unknown[] = [];
    onFromAppPage(ipc, pages, 'weir:request-host-port', (_event, nonce) => heard.push(nonce));
    const listener = ipc.listeners.get('weir:request-host-port')!;
    for (const [what, event] of refused) listener(event, what);
    listener(eventFrom(), 'from the page');
    assert.deepEqual(heard, ['from the page']);
  });

  it('answers an `invoke` for the app page only, and refuses others with an error naming the channel', async () => {
    const ipc = new FakeIpcMain();
    let calls = 0;
    handleFromAppPage(ipc, pages, 'weir:choose-folder', async () => (calls++, '/home/me/notebooks'));
    const handler = ipc.listeners.get('weir:choose-folder')!;
    for (const [what, event] of refused) {
      assert.throws(() => handler(event), /^Error: refused: weir:choose-folder is answered only to the workbench page$/, what);
    }
    assert.equal(calls, 0);
    assert.equal(await handler(eventFrom()), '/home/me/notebooks');
  });
});
