/**
 * `weir serve [dir] [--port N] [--taskmanagers N] [--rewindable N] [--kernel-idle-timeout S]`: the workbench in a browser. Serves the renderer bundle and the
 * workbench host (over a WebSocket) for the notebooks under `dir`, on 127.0.0.1 only.
 *
 * Anyone who can drive the workbench can run code as the user, so every request must carry
 * the per-run token printed with the URL: in the query (`?token=`), or in the cookie the first
 * such request sets (SameSite=Strict, so other sites' pages do not send it). Requests naming
 * another host are refused too, which defeats DNS rebinding; WebSocket upgrades must come from
 * the served origin.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { WebSocketServer } from 'ws';
import { contentSecurityPolicy } from '../shared/workbench/csp.ts';
import { packageRoot } from '../host/type-libraries.ts';
import { MAX_MESSAGE_BYTES, webSocketLink } from '../host/websocket-link.ts';
import { Workbench } from '../host/workbench.ts';
import type { CliContext } from './io.ts';

/** `weir serve --help`. */
export const SERVE_USAGE = `Usage: weir serve [dir] [options]

Serves the notebook workbench for the notebooks under dir (default: the current directory)
at http://127.0.0.1:<port>/ and prints the URL to open, with its access token. Add
&notebook=<path relative to dir> to the URL to open a notebook. Stop with Ctrl+C.

Options:
  --port <n>           port to listen on (default 8471; 0 picks a free one)
  --taskmanagers <n>   worker processes that notebook jobs run on, started with the first
                       job (default: one per core); 0 runs jobs inside the server process
  --rewindable <n>     completed checkpoints each job keeps on disk to rewind to (default 10;
                       the history lists every checkpoint)
  --kernel-idle-timeout <s>
                       seconds the kernel of a notebook no page has open may stay idle
                       before it is shut down (default 600; 0 never)
  -h, --help           show this help
`;

/** The default port: "weir" on a phone keypad is 9347, which is often taken; this rarely is. */
export const DEFAULT_PORT = 8471;

/** Options of `startWebServer`. */
export interface WebServerOptions {
  /** Folder of notebooks. */
  root: string;
  /** Port; 0 picks a free one. */
  port: number;
  /** Folder of the renderer bundle (default `dist/renderer` of the package). */
  rendererDir?: string;
  /** Access token (default: random). */
  token?: string;
  /** The module notebooks import as 'weir'. */
  weirModule?: string;
  /** Taskmanager processes for notebook jobs; 0 runs them in this process. Default: one per core. */
  taskManagers?: number;
  /** Completed checkpoints each job keeps to rewind to (`WorkbenchOptions.rewindable`). Default 10. */
  rewindable?: number;
  /** Idle time of a closed notebook's kernel before it is shut down (`WorkbenchOptions.kernelIdleMs`). */
  kernelIdleMs?: number;
}

/** A running web server. */
export interface WebServer {
  /** `http://127.0.0.1:<port>/?token=<token>`. */
  url: string;
  port: number;
  token: string;
  workbench: Workbench;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.ttf': 'font/ttf',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/**
 * Starts the server and the workbench behind it.
 *
 * @example
 * const server = await startWebServer({ root: 'notebooks', port: 0 });
 * console.log(server.url);
 * await server.close();
 */
export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const rendererDir = options.rendererDir ?? path.join(packageRoot(), 'dist', 'renderer');
  if (!existsSync(path.join(rendererDir, 'index.html'))) {
    throw new Error(`the renderer bundle is missing (${rendererDir}): run 'npm run build'`);
  }
  const token = options.token ?? randomBytes(24).toString('base64url');
  const workbenchOptions: Parameters<typeof Workbench.start>[0] = { root: options.root, shell: 'web' };
  if (options.weirModule) workbenchOptions.weirModule = options.weirModule;
  if (options.taskManagers !== undefined) workbenchOptions.taskManagers = options.taskManagers;
  if (options.rewindable !== undefined) workbenchOptions.rewindable = options.rewindable;
  if (options.kernelIdleMs !== undefined) workbenchOptions.kernelIdleMs = options.kernelIdleMs;
  const workbench = await Workbench.start(workbenchOptions);

  const server = createServer();
  let port = options.port;
  const cookieName = (): string => `weir-token-${port}`;
  const allowedHosts = (): string[] => [`127.0.0.1:${port}`, `localhost:${port}`];
  const authorised = (request: IncomingMessage): boolean => {
    if (!allowedHosts().includes(request.headers.host ?? '')) return false;
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    return sameToken(url.searchParams.get('token'), token) || sameToken(cookieValue(request.headers.cookie, cookieName()), token);
  };

  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    void (async () => {
      if (!authorised(request)) return refuse(response);
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        response.writeHead(405, { Allow: 'GET, HEAD' }).end();
        return;
      }
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      const headers: Record<string, string> = {
        'Content-Security-Policy': contentSecurityPolicy({ connect: [`ws://127.0.0.1:${port}`, `ws://localhost:${port}`] }),
        'X-Content-Type-Options': 'nosniff',
        'Referrer-Policy': 'no-referrer',
        'Cross-Origin-Opener-Policy': 'same-origin',
        'Cache-Control': 'no-store',
      };
      if (sameToken(url.searchParams.get('token'), token)) {
        headers['Set-Cookie'] = `${cookieName()}=${token}; Path=/; HttpOnly; SameSite=Strict`;
      }
      const file = staticFile(rendererDir, url.pathname === '/' ? '/index.html' : url.pathname);
      if (!file) {
        response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found\n');
        return;
      }
      const body = await readFile(file);
      headers['Content-Type'] = CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream';
      response.writeHead(200, headers).end(request.method === 'HEAD' ? undefined : body);
    })().catch(() => {
      if (!response.headersSent) response.writeHead(500).end();
    });
  });

  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  server.on('upgrade', (request, socket, head) => {
    const origin = request.headers.origin;
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const originOk = origin === undefined || allowedHosts().some((h) => origin === `http://${h}`);
    if (url.pathname !== '/rpc' || !originOk || !authorised(request)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    sockets.handleUpgrade(request, socket, head, (ws) => {
      const detach = workbench.connect(webSocketLink(ws));
      ws.on('close', detach);
      // A frame over MAX_MESSAGE_BYTES: ws closes the socket with 1009 and a short reason; the
      // error is that client's, not the host's.
      ws.on('error', () => ws.terminate());
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    workbench,
    close: async () => {
      for (const client of sockets.clients) client.terminate();
      sockets.close();
      await closeServer(server);
      await workbench.dispose();
    },
  };
}

/**
 * Runs `weir serve` until interrupted; resolves with the exit code.
 *
 * @example
 * await serveCommand(['notebooks', '--port', '0'], processContext());
 */
export async function serveCommand(argv: string[], context: CliContext): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options: { port: { type: 'string' }, taskmanagers: { type: 'string' }, rewindable: { type: 'string' }, 'kernel-idle-timeout': { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  } catch (error) {
    context.stderr(`error: ${error instanceof Error ? error.message.split('\n')[0] : String(error)} (see 'weir serve --help')\n`);
    return 2;
  }
  if (parsed.values.help) {
    context.stdout(SERVE_USAGE);
    return 0;
  }
  if (parsed.positionals.length > 1) {
    context.stderr(`error: unexpected argument '${parsed.positionals[1]}' (weir serve takes one folder)\n`);
    return 2;
  }
  const root = path.resolve(context.cwd, parsed.positionals[0] ?? '.');
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    context.stderr(`error: not a folder: ${parsed.positionals[0] ?? '.'}\n`);
    return 2;
  }
  const portText = parsed.values.port;
  const port = portText === undefined ? DEFAULT_PORT : Number(portText);
  if (portText !== undefined && (!/^\d+$/.test(portText) || port > 65535)) {
    context.stderr(`error: --port must be an integer from 0 to 65535, got '${portText}'\n`);
    return 2;
  }
  const taskManagersText = parsed.values.taskmanagers;
  const taskManagers = taskManagersText === undefined ? undefined : Number(taskManagersText);
  if (taskManagersText !== undefined && (!/^\d+$/.test(taskManagersText) || !Number.isSafeInteger(taskManagers))) {
    context.stderr(`error: --taskmanagers must be an integer of at least 0, got '${taskManagersText}'\n`);
    return 2;
  }
  const rewindableText = parsed.values.rewindable;
  const rewindable = rewindableText === undefined ? undefined : Number(rewindableText);
  if (rewindableText !== undefined && (!/^\d+$/.test(rewindableText) || !Number.isSafeInteger(rewindable) || rewindable! < 1)) {
    context.stderr(`error: --rewindable must be an integer of at least 1, got '${rewindableText}'\n`);
    return 2;
  }
  const idleText = parsed.values['kernel-idle-timeout'];
  const idleSeconds = idleText === undefined ? undefined : Number(idleText);
  if (idleText !== undefined && (!/^\d+(\.\d+)?$/.test(idleText) || !Number.isFinite(idleSeconds))) {
    context.stderr(`error: --kernel-idle-timeout must be a number of seconds of at least 0, got '${idleText}'\n`);
    return 2;
  }
  let server: WebServer;
  try {
    const options: WebServerOptions = { root, port };
    if (idleSeconds !== undefined) options.kernelIdleMs = idleSeconds === 0 ? Infinity : idleSeconds * 1000;
    if (taskManagers !== undefined) options.taskManagers = taskManagers;
    if (rewindable !== undefined) options.rewindable = rewindable;
    if (context.weirModule) options.weirModule = context.weirModule;
    server = await startWebServer(options);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const message = code === 'EADDRINUSE' ? `port ${port} is in use (pick another with --port, or 0 for any free port)` : error instanceof Error ? error.message : String(error);
    context.stderr(`error: ${message}\n`);
    return 1;
  }
  context.stdout(`weir serve: notebooks in ${root}\n  open ${server.url}\n`);
  // The kernels, jobmanager and taskmanagers run in sessions of their own (launcher.ts): a
  // terminal's Ctrl+C reaches only this process, which ends them in order. A second one exits
  // at once; the workers still end with it, when their IPC channels close.
  let signals = 0;
  let stopped!: () => void;
  const stopping = new Promise<void>((resolve) => (stopped = resolve));
  const onSignal = (signal: NodeJS.Signals): void => {
    if (++signals > 1) process.exit(signal === 'SIGINT' ? 130 : 143);
    context.stderr(`weir serve: ${signal}: shutting down (${signal === 'SIGINT' ? 'Ctrl+C' : signal} again exits at once)\n`);
    stopped();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  await stopping;
  try {
    await server.close();
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  return 0;
}

function refuse(response: ServerResponse): void {
  response
    .writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' })
    .end('Forbidden: open the URL that weir serve printed; it carries the access token.\n');
}

/** Compares tokens in constant time. */
function sameToken(given: string | null | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

/** The file under `dir` for a URL path, or undefined when there is none or it would leave `dir`. */
function staticFile(dir: string, pathname: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const file = path.resolve(dir, `.${path.posix.normalize(decoded)}`);
  const inside = path.relative(dir, file);
  if (inside.startsWith('..') || path.isAbsolute(inside)) return undefined;
  return existsSync(file) && statSync(file).isFile() ? file : undefined;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
