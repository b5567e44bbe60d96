/**
 * Connects the page to the workbench host. In the desktop app the preload's bridge brokers a
 * MessagePort to the host's utility process; in web mode the page opens a WebSocket to
 * `weir serve` (the access token travels in the URL and in the cookie the server set). Either
 * way the page then speaks the same comlink protocol over a `MessageLink`.
 */
import { exposeOnLink, wrapLink, type Remote } from '../shared/rpc/comlink-link.ts';
import { MAX_MESSAGE_BYTES } from '../shared/rpc/call-guard.ts';
import { boundedTransport, jsonLink, type MessageLink } from '../shared/rpc/endpoint.ts';
import type { WeirBridge } from '../shared/workbench/bridge.ts';
import type { WorkbenchClient, WorkbenchService } from '../shared/workbench/service.ts';

/** A live connection to the host. */
export interface HostConnection {
  service: Remote<WorkbenchService>;
  /** Registers a callback for when the connection is lost. */
  onDidClose(listener: (reason: string) => void): void;
}

declare global {
  interface Window {
    /** Present in the desktop app: the preload's bridge (see app/preload). */
    readonly weir?: WeirBridge;
  }
}

/**
 * Connects and serves `client` (the page's event handlers) to the host.
 *
 * @example
 * const { service } = await connectToHost(client);
 * const notebooks = await service.listNotebooks();
 */
export async function connectToHost(client: WorkbenchClient): Promise<HostConnection> {
  const closeListeners: ((reason: string) => void)[] = [];
  const closed = (reason: string): void => closeListeners.forEach((l) => l(reason));
  const link = window.weir ? await portLink(window.weir, closed) : await webSocketLink(closed);
  exposeOnLink(client, link);
  return { service: wrapLink<WorkbenchService>(link), onDidClose: (listener) => closeListeners.push(listener) };
}

/** Desktop: asks main (through the preload) for a port; it arrives as a window message carrying our nonce. */
function portLink(bridge: WeirBridge, closed: (reason: string) => void): Promise<MessageLink> {
  const nonce = crypto.randomUUID();
  return new Promise((resolve) => {
    const onMessage = (event: MessageEvent): void => {
      if (event.source !== window || event.data !== nonce || !event.ports[0]) return;
      window.removeEventListener('message', onMessage);
      const port = event.ports[0];
      port.addEventListener('close', () => closed('the workbench host has stopped'));
      port.start();
      resolve({
        send: (message) => port.postMessage(message),
        listen(listener) {
          const deliver = (e: MessageEvent): void => listener(e.data);
          port.addEventListener('message', deliver);
          return () => port.removeEventListener('message', deliver);
        },
      });
    };
    window.addEventListener('message', onMessage);
    bridge.requestHostPort(nonce);
  });
}

/** Web mode: a WebSocket to the server that served the page. */
function webSocketLink(closed: (reason: string) => void): Promise<MessageLink> {
  const token = new URLSearchParams(location.search).get('token');
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/rpc${token ? `?token=${encodeURIComponent(token)}` : ''}`;
  const socket = new WebSocket(url);
  return new Promise((resolve, reject) => {
    socket.addEventListener('open', () => {
      resolve(
        // Over the server's limit a frame would close the socket: refuse it here instead.
        jsonLink(
          boundedTransport(
            {
              send: (text) => socket.send(text),
              onText(listener) {
                const deliver = (e: MessageEvent): void => {
                  if (typeof e.data === 'string') listener(e.data);
                };
                socket.addEventListener('message', deliver);
                return () => socket.removeEventListener('message', deliver);
              },
            },
            MAX_MESSAGE_BYTES,
          ),
        ),
      );
    });
    socket.addEventListener('error', () => reject(new Error('cannot connect to weir serve')));
    socket.addEventListener('close', () => closed('the connection to weir serve was lost'));
  });
}
