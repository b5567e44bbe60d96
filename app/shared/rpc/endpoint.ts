/**
 * Adapters from the transports the workbench uses to the endpoint shape comlink speaks
 * (`postMessage` plus `message` events): a MessagePort already is one; a WebSocket carries
 * text, so messages travel as JSON. Both directions of the protocol share one link: comlink's
 * `expose` ignores replies and its `wrap` ignores requests, and ids are random, so the
 * renderer's calls and the host's events do not mix up.
 *
 * No Node and no DOM here: the transports are described by the least they must offer.
 */

/** A two-way link that carries structured messages. */
export interface MessageLink {
  send(message: unknown): void;
  /** Registers a listener for incoming messages; returns a function that removes it. */
  listen(listener: (message: unknown) => void): () => void;
}

/** A link that carries text (a WebSocket). */
export interface TextTransport {
  send(text: string): void;
  /** Registers a listener for incoming text; returns a function that removes it. */
  onText(listener: (text: string) => void): () => void;
}

/** A `message` listener as comlink registers it: a function or an object with `handleEvent`. */
type MessageListener = ((event: { data: unknown }) => void) | { handleEvent(event: { data: unknown }): void };

/** The endpoint shape comlink expects (structurally its `Endpoint`). */
export interface MessageEndpoint {
  postMessage(message: unknown, transfer?: unknown[]): void;
  addEventListener(type: string, listener: MessageListener): void;
  removeEventListener(type: string, listener: MessageListener): void;
}

/**
 * A comlink endpoint over a link. Transfer lists are not supported: nothing in the workbench
 * protocol transfers ports or buffers.
 *
 * @example
 * Comlink.expose(service, endpointFromLink(jsonLink(socketTransport)));
 */
export function endpointFromLink(link: MessageLink): MessageEndpoint {
  const removers = new Map<MessageListener, () => void>();
  return {
    postMessage(message, transfer) {
      if (transfer && transfer.length > 0) throw new Error('this endpoint cannot transfer objects');
      link.send(message);
    },
    addEventListener(type, listener) {
      if (type !== 'message' || removers.has(listener)) return;
      const deliver = typeof listener === 'function' ? listener : (event: { data: unknown }) => listener.handleEvent(event);
      removers.set(listener, link.listen((data) => deliver({ data })));
    },
    removeEventListener(type, listener) {
      if (type !== 'message') return;
      removers.get(listener)?.();
      removers.delete(listener);
    },
  };
}

/**
 * A message link over a text transport: each message is one JSON text. What JSON cannot hold
 * arrives changed (`undefined` array items and non-finite numbers become `null`), so the
 * protocol's data avoids them.
 *
 * @example
 * const link = jsonLink({ send: (t) => socket.send(t), onText: (f) => { socket.on('message', (d) => f(String(d))); return () => {}; } });
 */
export function jsonLink(transport: TextTransport): MessageLink {
  return {
    send: (message) => transport.send(JSON.stringify(message)),
    listen(listener) {
      return transport.onText((text) => {
        let message: unknown;
        try {
          message = JSON.parse(text);
        } catch {
          return; // Not ours: a link carries only JSON messages.
        }
        listener(message);
      });
    },
  };
}

/** A pair of links connected to each other in memory, for tests and in-process hosts. */
export function linkedPair(): [MessageLink, MessageLink] {
  const listeners: [Set<(m: unknown) => void>, Set<(m: unknown) => void>] = [new Set(), new Set()];
  const side = (mine: 0 | 1): MessageLink => ({
    // Delivered asynchronously, as every real transport does.
    send: (message) => void Promise.resolve().then(() => listeners[1 - mine]!.forEach((l) => l(message))),
    listen(listener) {
      listeners[mine].add(listener);
      return () => listeners[mine].delete(listener);
    },
  });
  return [side(0), side(1)];
}

/**
 * A transport that refuses, before sending, text over `maxBytes` (as UTF-8): the call that made
 * it fails with an error naming the size and the limit, and the link stays open. The server
 * would otherwise close the whole connection (a WebSocket closes with 1009 on an oversized
 * frame), and with it the page's notebook and job panel.
 *
 * @example
 * const link = jsonLink(boundedTransport({ send: (t) => socket.send(t), onText }, MAX_MESSAGE_BYTES));
 */
export function boundedTransport(transport: TextTransport, maxBytes: number): TextTransport {
  return {
    send(text) {
      // Characters are 1 to 3 UTF-8 bytes: count them only when the length alone cannot tell.
      const bytes = text.length * 3 <= maxBytes ? text.length : utf8Length(text);
      if (bytes > maxBytes) {
        throw new Error(`This message to the workbench host is ${megabytes(bytes)}, over the ${megabytes(maxBytes)} a message may have; it was not sent`);
      }
      transport.send(text);
    },
    onText: (listener) => transport.onText(listener),
  };
}

/** Bytes of `text` as UTF-8 (a surrogate pair is 4; shared code has no TextEncoder). */
function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < text.length) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MB`;
}
