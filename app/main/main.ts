/**
 * Electron main: one window per notebook folder, the workbench host in a utility process, and
 * the security settings of STYLE.md — context isolation, sandbox, no Node in the page, a strict
 * CSP, no navigation away and no new windows, no remote content. The page is served from the
 * `weir://app/` scheme (not file://), so the CSP and origin checks apply as on the web.
 *
 * `electron . [folder]` opens `folder` (default: ./notebooks when it exists, else the current
 * directory).
 */
import { app, BrowserWindow, dialog, ipcMain, MessageChannelMain, protocol, session, shell, utilityProcess, type UtilityProcess, type WebContents } from 'electron';
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BRIDGE_CHANNELS } from '../shared/workbench/bridge.ts';
import { contentSecurityPolicy } from '../shared/workbench/csp.ts';
import { serveLaunchRequests } from '../../engine/process/relayed-launcher.ts';
import { handleFromAppPage, onFromAppPage, type AppPages } from './app-page-ipc.ts';
import { UtilityProcessLauncher, utilityPeer } from './utility-launcher.ts';

/** The built files: this module is `dist/electron-main.mjs`. */
const distDir = path.dirname(fileURLToPath(import.meta.url));
const rendererDir = path.join(distDir, 'renderer');
const APP_ORIGIN = 'weir://app';

const CONTENT_TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.ttf': 'font/ttf', '.map': 'application/json', '.json': 'application/json' };

protocol.registerSchemesAsPrivileged([{ scheme: 'weir', privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } }]);

/** The notebook folder from the command line. */
function folderFromArgs(argv: string[]): string {
  const args = argv.slice(app.isPackaged ? 1 : 2).filter((a) => !a.startsWith('-'));
  const given = args[0];
  if (given && existsSync(given) && statSync(given).isDirectory()) return path.resolve(given);
  const notebooks = path.resolve('notebooks');
  return existsSync(notebooks) ? notebooks : process.cwd();
}

let host: UtilityProcess | undefined;

function startHost(folder: string): UtilityProcess {
  const child = utilityProcess.fork(path.join(distDir, 'workbench-host.mjs'), [folder], { serviceName: 'Weir workbench host', stdio: 'inherit' });
  // Jobs the host runs on worker processes: the host asks, main forks (only main can).
  serveLaunchRequests(
    { pid: child.pid ?? -1, ipc: utilityPeer(child), kill: () => void child.kill(), onExit: (listener) => void child.on('exit', (code) => listener(code, null)) },
    new UtilityProcessLauncher((modulePath, args, options) => utilityProcess.fork(modulePath, args, options), distDir),
  );
  child.on('exit', (code) => {
    if (host === child) host = undefined;
    if (code !== 0) dialog.showErrorBox('Weir', `The workbench host stopped (exit code ${code}). Reopen the window to restart it.`);
  });
  return child;
}

function createWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1500,
    height: 950,
    title: 'Weir',
    show: false,
    webPreferences: {
      preload: path.join(distDir, 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  window.once('ready-to-show', () => window.show());
  void window.loadURL(`${APP_ORIGIN}/index.html`);
  return window;
}

/** Serves the renderer bundle, with the CSP as a header; nothing outside `dist/renderer`. */
async function serveApp(request: Request): Promise<Response> {
  const url = new URL(request.url);
  const file = path.resolve(rendererDir, `.${path.posix.normalize(decodeURIComponent(url.pathname))}`);
  if (url.host !== 'app' || path.relative(rendererDir, file).startsWith('..')) return new Response('not found', { status: 404 });
  try {
    const body = await readFile(file);
    return new Response(body, {
      headers: {
        'Content-Type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
        'Content-Security-Policy': contentSecurityPolicy(),
        'X-Content-Type-Options': 'nosniff',
      },
    });
  } catch {
    return new Response('not found', { status: 404 });
  }
}

app.on('web-contents-created', (_event, contents) => {
  // New windows never open in the app; web links open in the browser.
  contents.setWindowOpenHandler(({ url }) => {
    if (/^https?:\/\//.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  contents.on('will-navigate', (event, url) => {
    if (!url.startsWith(`${APP_ORIGIN}/`)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
});

/** The app's own page, the only sender main's IPC handlers answer (app-page-ipc.ts). */
const appPages: AppPages = { origin: APP_ORIGIN, isAppWindow: (sender) => BrowserWindow.fromWebContents(sender as WebContents) !== null };

onFromAppPage(ipcMain, appPages, BRIDGE_CHANNELS.requestHostPort, (event, nonce) => {
  if (typeof nonce !== 'string' || !host) return;
  const { port1, port2 } = new MessageChannelMain();
  host.postMessage({ type: 'connect' }, [port1]);
  event.sender.postMessage(BRIDGE_CHANNELS.hostPort, nonce, [port2]);
});

handleFromAppPage(ipcMain, appPages, BRIDGE_CHANNELS.chooseFolder, async (event) => {
  const window = BrowserWindow.fromWebContents(event.sender);
  const result = window ? await dialog.showOpenDialog(window, { properties: ['openDirectory'] }) : undefined;
  return result && !result.canceled ? result.filePaths[0] : undefined;
});

app.on('window-all-closed', () => {
  host?.kill();
  app.quit();
});

await app.whenReady();
// The page needs no permission (camera, notifications, clipboard reads, ...): every request and
// every check is answered no, whoever asks.
session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
session.defaultSession.setPermissionCheckHandler(() => false);
session.defaultSession.setDevicePermissionHandler(() => false);
protocol.handle('weir', serveApp);
host = startHost(folderFromArgs(process.argv));
createWindow();
app.on('activate', () => {
  if (BrowserWindow.getAllWindows().length === 0) {
    host ??= startHost(folderFromArgs(process.argv));
    createWindow();
  }
});
