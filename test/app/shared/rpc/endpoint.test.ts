import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import WebSocket, { WebSocketServer } from 'ws';
import { webSocketLink } from '../../../../app/host/websocket-link.ts';
import { exposeOnLink, wrapLink } from '../../../../app/shared/rpc/comlink-link.ts';
import { endpointFromLink, jsonLink, linkedPair, type MessageLink } from '../../../../app/shared/rpc/endpoint.ts';

interface Calculator {
  add(a: number, b: number): number;
  fail(message: string): Promise<never>;
  echo(value: unknown): unknown;
}

const calculator: Calculator = {
  add: (a, b) => a + b,
  fail: async (message) => {
    throw new RangeError(message);
  },
  echo: (value) => value,
};

/** A pair of links that carry JSON text between them, like a WebSocket does. */
function jsonPair(): [MessageLink, MessageLink] {
  const listeners: [Set<(t: string) => void>, Set<(t: string) => void>] = [new Set(), new Set()];
  const side = (mine: 0 | 1) =>
    jsonLink({
      send: (text) => void setImmediate(() => listeners[1 - mine]!.forEach((l) => l(text))),
      onText(listener) {
        listeners[mine].add(listener);
        return () => listeners[mine].delete(listener);
      },
    });
  return [side(0), side(1)];
}

describe('endpointFromLink', () => {
  it('delivers messages to function and handleEvent listeners, and removes them', async () => {
    const [a, b] = linkedPair();
    const endpoint = endpointFromLink(b);
    const seen: unknown[] = [];
    const fn = (e: { data: unknown }) => seen.push(['fn', e.data]);
    const object = { handleEvent: (e: { data: unknown }) => seen.push(['object', e.data]) };
    endpoint.addEventListener('message', fn);
    endpoint.addEventListener('message', object);
    endpoint.addEventListener('message', fn); // twice: still once
    a.send(1);
    await new Promise((r) => setImmediate(r));
    endpoint.removeEventListener('message', fn);
    a.send(2);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(seen, [['fn', 1], ['object', 1], ['object', 2]]);
  });

  it('refuses transfer lists, which a text link cannot carry', () => {
    const [a] = linkedPair();
    assert.throws(() => endpointFromLink(a).postMessage({}, [{}]), /cannot transfer/);
  });
});

for (const [name, pair] of [['in-memory link', linkedPair], ['JSON text link', jsonPair]] as const) {
  describe(`comlink over a ${name}`, () => {
    it('calls methods and returns results', async () => {
      const [server, client] = pair();
      exposeOnLink(calculator, server);
      const remote = wrapLink<Calculator>(client);
      assert.equal(await remote.add(2, 3), 5);
      assert.deepEqual(await remote.echo({ nested: [1, 'two', null, true] }), { nested: [1, 'two', null, true] });
    });

    it('rejects with the thrown error', async () => {
      const [server, client] = pair();
      exposeOnLink(calculator, server);
      const remote = wrapLink<Calculator>(client);
      await assert.rejects(remote.fail('out of range'), (error: Error) => error.message === 'out of range');
    });

    it('carries both directions on one link: requests one way, events the other', async () => {
      const [host, page] = pair();
      const events: string[] = [];
      exposeOnLink({ onDidPing: (text: string) => void events.push(text) }, page);
      const toPage = wrapLink<{ onDidPing(text: string): void }>(host);
      exposeOnLink({ ping: async (text: string) => { await toPage.onDidPing(`event for ${text}`); return `pong ${text}`; } }, host);
      const toHost = wrapLink<{ ping(text: string): string }>(page);
      const answers = await Promise.all([toHost.ping('a'), toHost.ping('b')]);
      assert.deepEqual(answers, ['pong a', 'pong b']);
      assert.deepEqual(events.sort(), ['event for a', 'event for b']);
    });
  });
}

describe('comlink over a real WebSocket', () => {
  it('round-trips calls between a ws server link and a ws client link', async () => {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((r) => server.once('listening', r));
    server.on('connection', (socket) => exposeOnLink(calculator, webSocketLink(socket)));
    const socket = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
    await new Promise((r) => socket.once('open', r));
    try {
      const remote = wrapLink<Calculator>(webSocketLink(socket));
      assert.equal(await remote.add(40, 2), 42);
      await assert.rejects(remote.fail('no'), /no/);
    } finally {
      socket.close();
      server.close();
    }
  });

  it('ignores frames that are not JSON', async () => {
    const [a, b] = jsonPair();
    const seen: unknown[] = [];
    b.listen((m) => seen.push(m));
    a.send({ ok: true });
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(seen, [{ ok: true }]);
  });
});
