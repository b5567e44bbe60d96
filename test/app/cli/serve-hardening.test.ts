/**
 * What an authorised client cannot do to `weir serve`: walk the service's properties (comlink's
 * GET/SET), reach outside the folder through a symbolic link, or send a frame so large that the
 * host buffers and echoes it. Each is refused with a short reply, and the host keeps serving.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { startWebServer, type WebServer } from '../../../app/cli/serve.ts';
import { MAX_ERROR_MESSAGE, MAX_MESSAGE_BYTES } from '../../../app/shared/rpc/call-guard.ts';
import { wrapLink } from '../../../app/shared/rpc/comlink-link.ts';
import { boundedTransport, jsonLink } from '../../../app/shared/rpc/endpoint.ts';
import type { WorkbenchService } from '../../../app/shared/workbench/service.ts';

const TOKEN = 'test-token-hardening-0123';

/** A raw comlink client: sends request objects, returns the reply with the same id and its size. */
class RawClient {
  private next = 0;
  private readonly waiting = new Map<string, (reply: { message: Record<string, unknown>; bytes: number }) => void>();
  received = 0;
  constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const text = data.toString();
      this.received += text.length;
      const message = JSON.parse(text) as Record<string, unknown>;
      this.waiting.get(String(message.id))?.({ message, bytes: text.length });
    });
  }

  static async open(server: WebServer): Promise<RawClient> {
    const socket = new WebSocket(`ws://127.0.0.1:${server.port}/rpc?token=${TOKEN}`);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return new RawClient(socket);
  }

  request(message: Record<string, unknown>): Promise<{ message: Record<string, unknown>; bytes: number }> {
    const id = `raw-${++this.next}`;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.socket.send(JSON.stringify({ ...message, id }));
    });
  }

  call(method: string, ...args: unknown[]): Promise<{ message: Record<string, unknown>; bytes: number }> {
    return this.request({ type: 'APPLY', path: [method], argumentList: args.map((value) => ({ type: 'RAW', value })) });
  }
}

/** The error a reply carries, or undefined when it is a value. */
function thrown(reply: { message: Record<string, unknown> }): { message: string; stack: string } | undefined {
  const m = reply.message as { type?: string; name?: string; value?: { value?: { message: string; stack: string } } };
  return m.type === 'HANDLER' && m.name === 'throw' ? m.value!.value! : undefined;
}

describe('weir serve refuses what a client may not do', () => {
  let dir: string;
  let root: string;
  let outside: string;
  let server: WebServer;
  let client: RawClient;

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'weir-serve-hardening-'));
    root = path.join(dir, 'notebooks');
    outside = path.join(dir, 'outside');
    const renderer = path.join(dir, 'renderer');
    for (const d of [root, outside, renderer]) mkdirSync(d);
    writeFileSync(path.join(renderer, 'index.html'), '<!doctype html><title>page</title>');
    writeFileSync(path.join(root, 'a.ts'), '// %%\nconst a = 1;\n');
    writeFileSync(path.join(outside, 'secret.ts'), '// %%\nconst secret = 1;\n');
    symlinkSync(outside, path.join(root, 'outlink'), 'dir');
    symlinkSync(path.join(outside, 'secret.ts'), path.join(root, 'secret-link.ts'), 'file');
    symlinkSync(path.join(outside, 'nowhere.ts'), path.join(root, 'dangling.ts'), 'file');
    server = await startWebServer({ root, port: 0, rendererDir: renderer, token: TOKEN, taskManagers: 0 });
    client = await RawClient.open(server);
  });

  after(async () => {
    client?.socket.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers property walks and calls of anything but its own methods with a short error', async () => {
    const refused = [
      { type: 'SET', path: ['__proto__', 'polluted'], value: { type: 'RAW', value: 'yes' } },
      { type: 'SET', path: ['listNotebooks', '__proto__', 'polluted'], value: { type: 'RAW', value: 'yes' } },
      { type: 'GET', path: ['constructor', 'constructor'] },
      { type: 'APPLY', path: ['constructor', 'constructor'], argumentList: [{ type: 'RAW', value: 'return process' }] },
      { type: 'APPLY', path: ['__proto__', 'toString'], argumentList: [] },
      { type: 'APPLY', path: ['hasOwnProperty'], argumentList: [{ type: 'RAW', value: 'x' }] },
      { type: 'CONSTRUCT', path: ['listNotebooks'], argumentList: [] },
      { type: 'ENDPOINT' },
      { type: 'APPLY', path: ['saveNotebook'], argumentList: [{ type: 'RAW', value: JSON.parse('{"path":"a.ts","cells":[],"__proto__":{"polluted":"yes"}}') as unknown }] },
      { type: 'APPLY', path: ['openNotebook'], argumentList: [{ type: 'HANDLER', name: 'proxy', value: 1 }] },
    ];
    for (const request of refused) {
      const reply = await client.request(request);
      const error = thrown(reply);
      assert.ok(error, `refused: ${JSON.stringify(request)} → ${JSON.stringify(reply.message)}`);
      assert.ok(reply.bytes < 1000, `a short reply (${reply.bytes} bytes)`);
    }
    assert.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype is untouched');
    const listed = await client.call('listNotebooks');
    assert.equal(thrown(listed), undefined, 'the host keeps serving');
    assert.deepEqual((listed.message.value as { path: string }[]).map((n) => n.path), ['a.ts']);
  });

  it('refuses to open, save, create or rename through a symbolic link that leads out of the folder', async () => {
    const cell = { id: 'c1', kind: 'code', source: 'const written = 1;' };
    const attempts: [string, unknown[]][] = [
      ['saveNotebook', [{ path: 'outlink/written.ts', cells: [cell], force: true }]],
      ['createNotebook', ['outlink/created.ts']],
      ['createNotebook', ['outlink/deeper/created.ts']],
      ['openNotebook', ['outlink/secret.ts']],
      ['openNotebook', ['secret-link.ts']],
      ['saveNotebook', [{ path: 'secret-link.ts', cells: [cell], force: true }]],
      ['saveNotebook', [{ path: 'dangling.ts', cells: [cell], force: true }]],
      ['renameNotebook', ['a.ts', 'outlink/moved.ts']],
      ['planJobs', ['outlink/secret.ts']],
    ];
    for (const [method, args] of attempts) {
      const error = thrown(await client.call(method, ...args));
      assert.ok(error, `${method}(${JSON.stringify(args)}) is refused`);
      assert.match(error.message, /not a path inside the folder/, `${method}: ${error.message}`);
    }
    assert.equal(existsSync(path.join(outside, 'written.ts')), false);
    assert.equal(existsSync(path.join(outside, 'created.ts')), false);
    assert.equal(existsSync(path.join(outside, 'deeper')), false);
    assert.equal(existsSync(path.join(outside, 'moved.ts')), false);
    assert.equal(existsSync(path.join(outside, 'nowhere.ts')), false);
    assert.ok(existsSync(path.join(root, 'a.ts')));
    const opened = await client.call('openNotebook', 'a.ts');
    assert.equal(thrown(opened), undefined, 'a notebook inside still opens');
    // What the host writes itself (savepoints next to a notebook) is checked the same way.
    const files = server.workbench.files;
    assert.throws(() => files.assertInsideOnDisk(path.join(root, 'outlink', 'savepoints'), 'the savepoint directory'), /the savepoint directory must be inside the folder, but outlink\/savepoints leads out of it/);
    assert.doesNotThrow(() => files.assertInsideOnDisk(path.join(root, 'savepoints', 'new'), 'the savepoint directory'));
  });

  it('bounds error replies and sends no stack with install paths', async () => {
    const huge = `${'x'.repeat(1_000_000)}.ts`;
    const reply = await client.call('openNotebook', `../${huge}`);
    const error = thrown(reply);
    assert.ok(error);
    assert.ok(error.message.length <= MAX_ERROR_MESSAGE + 100, `message of ${error.message.length} characters`);
    assert.ok(reply.bytes < 2 * MAX_ERROR_MESSAGE + 1000, `reply of ${reply.bytes} bytes`);
    assert.doesNotMatch(error.stack, /\n\s+at /, 'no stack frames');
    const missing = thrown(await client.call('openNotebook', 'missing.ts'));
    assert.ok(missing);
    assert.doesNotMatch(missing.stack, /node_modules|app\/host|\n\s+at /);
  });

  it("the page's link refuses a 100 MB call before sending, naming the limit, and its connection keeps working", async () => {
    const socket = new WebSocket(`ws://127.0.0.1:${server.port}/rpc?token=${TOKEN}`);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    let closed = false;
    socket.once('close', () => (closed = true));
    // The transport the page uses (app/renderer/connection.ts), over a real socket to weir serve.
    const transport = boundedTransport(
      {
        send: (text) => socket.send(text),
        onText(listener) {
          const deliver = (data: WebSocket.RawData): void => listener(data.toString());
          socket.on('message', deliver);
          return () => socket.off('message', deliver);
        },
      },
      MAX_MESSAGE_BYTES,
    );
    const service = wrapLink<WorkbenchService>(jsonLink(transport));
    try {
      await assert.rejects(service.openNotebook(`${'é'.repeat(50 * 1024 * 1024)}.ts`), /This message to the workbench host is 100 MB, over the 16 MB a message may have; it was not sent/);
      // The connection is still the same open one, and it serves the next call.
      assert.deepEqual((await service.listNotebooks()).map((n) => n.path), ['a.ts']);
      assert.equal(closed, false, 'the socket was not closed');
    } finally {
      socket.close();
    }
  });

  it('closes a connection that sends a 100 MB frame with a short reason, and serves the next one', async () => {
    const flood = await RawClient.open(server);
    const closed = new Promise<{ code: number; reason: string }>((resolve) => flood.socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    flood.socket.on('error', () => {});
    flood.socket.send(JSON.stringify({ id: 'big', type: 'APPLY', path: ['openNotebook'], argumentList: [{ type: 'RAW', value: 'x'.repeat(100 * 1024 * 1024) }] }));
    const { code, reason } = await closed;
    assert.equal(code, 1009, `closed as too big (${code} ${reason})`);
    assert.ok(reason.length < 200);
    assert.ok(flood.received < 1000, `no echo of the frame (${flood.received} bytes received)`);
    const next = await RawClient.open(server);
    try {
      assert.equal(thrown(await next.call('listNotebooks')), undefined, 'the host keeps serving');
    } finally {
      next.socket.close();
    }
  });
});
