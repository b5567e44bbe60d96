/**
 * A `ws` WebSocket as a message link (JSON text frames), for `weir serve`.
 */
import WebSocket from 'ws';
import { jsonLink, type MessageLink } from '../shared/rpc/endpoint.ts';

/**
 * The largest message a client may send, bytes (the call guard's limit): a larger frame is
 * refused (close code 1009) before it is buffered or parsed.
 */
export { MAX_MESSAGE_BYTES } from '../shared/rpc/call-guard.ts';

/**
 * The link over an open server-side socket. Messages sent after it closed are dropped.
 *
 * @example
 * wss.on('connection', (socket) => { const detach = workbench.connect(webSocketLink(socket)); socket.on('close', detach); });
 */
export function webSocketLink(socket: WebSocket): MessageLink {
  return jsonLink({
    send(text) {
      if (socket.readyState === WebSocket.OPEN) socket.send(text);
    },
    onText(listener) {
      const onMessage = (data: WebSocket.RawData, isBinary: boolean): void => {
        if (!isBinary) listener(data.toString());
      };
      socket.on('message', onMessage);
      return () => socket.off('message', onMessage);
    },
  });
}
