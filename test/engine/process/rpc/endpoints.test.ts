import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { EventEmitter } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as Comlink from 'comlink';
import { electronPortEndpoint, ipcEndpoint } from '../../../../engine/process/rpc/endpoints.ts';

const here = path.dirname(fileURLToPath(import.meta.url));

interface Echo {
  add(a: number, b: number): number;
  echo(v: unknown): unknown;
  fail(message: string): never;
  callBack(s: string): Promise<string>;
}

test('comlink over child-process IPC: calls, structured values, errors, and calls back on another channel', async () => {
  const child = fork(path.join(here, '../fixtures/echo-service.ts'), [], { serialization: 'advanced', execArgv: ['--import', 'tsx'] });
  try {
    const notes: string[] = [];
    Comlink.expose({ note: (s: string) => void notes.push(s) }, ipcEndpoint(child, 'callbacks'));
    const api = Comlink.wrap<Echo>(ipcEndpoint(child, 'service'));
    assert.equal(await api.add(2, 3), 5);
    const value = { n: 1n, when: new Date(5), m: new Map([['k', [1, 2]]]), inf: Infinity };
    assert.deepEqual(await api.echo(value), value);
    await assert.rejects(api.fail('no such job'), /no such job/);
    assert.equal(await api.callBack('hi'), 'called');
    assert.deepEqual(notes, ['from child: hi']);
  } finally {
    child.kill();
  }
});

test('messages of other channels on the same IPC pipe are ignored', async () => {
  const peer = new EventEmitter() as EventEmitter & { send(m: unknown): boolean };
  const sent: unknown[] = [];
  peer.send = (m) => (sent.push(m), true);
  const seen: unknown[] = [];
  const ep = ipcEndpoint(peer, 'a');
  ep.addEventListener('message', ((e: { data: unknown }) => seen.push(e.data)) as never);
  peer.emit('message', { weirChannel: 'b', data: 'not for a' });
  peer.emit('message', { weirChannel: 'a', data: 'for a' });
  peer.emit('message', 'raw');
  assert.deepEqual(seen, ['for a']);
  ep.postMessage('out');
  assert.deepEqual(sent, [{ weirChannel: 'a', data: 'out' }]);
});

test('comlink over an Electron-style port (parentPort / MessagePortMain shape)', async () => {
  // Two fake MessagePortMain ends: `postMessage` on one emits `{ data }` on the other.
  class FakePort extends EventEmitter {
    other!: FakePort;
    started = false;
    postMessage(data: unknown) {
      setImmediate(() => this.other.emit('message', { data: structuredClone(data) }));
    }
    start() {
      this.started = true;
    }
  }
  const a = new FakePort();
  const b = new FakePort();
  a.other = b;
  b.other = a;
  Comlink.expose({ twice: (x: number) => x * 2 }, electronPortEndpoint(b, 'kernel'));
  const api = Comlink.wrap<{ twice(x: number): number }>(electronPortEndpoint(a, 'kernel'));
  assert.equal(await api.twice(21), 42);
  assert.ok(a.started && b.started, 'ports are started, as MessagePortMain requires');
});
