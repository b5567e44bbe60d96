import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { serveCommand, startWebServer, type WebServer } from '../../../app/cli/serve.ts';
import { wrapLink } from '../../../app/shared/rpc/comlink-link.ts';
import type { WorkbenchService } from '../../../app/shared/workbench/service.ts';
import { webSocketLink } from '../../../app/host/websocket-link.ts';

/** A GET with full control of the headers (fetch would not let us set Host). */
function get(port: number, pathname: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: pathname, headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function upgrade(url: string, options: WebSocket.ClientOptions = {}): Promise<number | WebSocket> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, options);
    socket.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    socket.on('open', () => resolve(socket));
    socket.on('error', () => resolve(-1));
  });
}

describe('weir serve', () => {
  let dir: string;
  let renderer: string;
  let server: WebServer;
  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'weir-serve-test-'));
    renderer = path.join(dir, 'renderer');
    mkdirSync(renderer);
    writeFileSync(path.join(renderer, 'index.html'), '<!doctype html><title>page</title>');
    writeFileSync(path.join(renderer, 'app.js'), 'console.log(1)');
    mkdirSync(path.join(dir, 'notebooks'));
    writeFileSync(path.join(dir, 'notebooks', 'a.ts'), '// %%\nconst a = 1;\n');
    writeFileSync(path.join(dir, 'secret.txt'), 'secret');
    server = await startWebServer({ root: path.join(dir, 'notebooks'), port: 0, rendererDir: renderer, token: 'test-token-0123456789' });
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints a loopback URL with the token', () => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=test-token-0123456789$/);
  });

  it('refuses every request without the token', async () => {
    for (const pathname of ['/', '/index.html', '/app.js', '/?token=wrong', '/?notebook=a.ts']) {
      assert.equal((await get(server.port, pathname)).status, 403, pathname);
    }
  });

  it('serves the page with the token, sets a strict cookie and a CSP', async () => {
    const page = await get(server.port, '/?token=test-token-0123456789&notebook=a.ts');
    assert.equal(page.status, 200);
    assert.match(page.body, /<title>page/);
    assert.match(String(page.headers['set-cookie']), new RegExp(`weir-token-${server.port}=test-token-0123456789; Path=/; HttpOnly; SameSite=Strict`));
    assert.match(String(page.headers['content-security-policy']), /default-src 'none'; script-src 'self'/);
    assert.equal(page.headers['referrer-policy'], 'no-referrer');
    const script = await get(server.port, '/app.js', { cookie: `weir-token-${server.port}=test-token-0123456789` });
    assert.equal(script.status, 200, 'the cookie stands for the token');
  });

  it('refuses other Host names (DNS rebinding) even with the token', async () => {
    assert.equal((await get(server.port, '/?token=test-token-0123456789', { host: `evil.example:${server.port}` })).status, 403);
  });

  it('never serves files outside the renderer folder', async () => {
    const cookie = { cookie: `weir-token-${server.port}=test-token-0123456789` };
    for (const pathname of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt']) {
      const response = await get(server.port, pathname, cookie);
      assert.notEqual(response.body, 'secret', pathname);
    }
  });

  it('upgrades to the workbench WebSocket only with the token and from the served origin', async () => {
    const base = `ws://127.0.0.1:${server.port}/rpc`;
    assert.equal(await upgrade(base), 403);
    assert.equal(await upgrade(`${base}?token=test-token-0123456789`, { origin: 'http://evil.example' }), 403);
    const socket = await upgrade(`${base}?token=test-token-0123456789`, { origin: `http://127.0.0.1:${server.port}` });
    assert.ok(socket instanceof WebSocket);
    try {
      const service = wrapLink<WorkbenchService>(webSocketLink(socket));
      assert.deepEqual((await service.listNotebooks()).map((n) => n.path), ['a.ts']);
      assert.equal((await service.describe()).shell, 'web');
    } finally {
      socket.close();
    }
  });

  it('rejects bad arguments with usage errors', async () => {
    const out: string[] = [];
    const context = { stdout: (t: string) => out.push(t), stderr: (t: string) => out.push(t), cwd: dir };
    assert.equal(await serveCommand(['--port', 'x'], context), 2);
    assert.equal(await serveCommand(['missing-folder'], context), 2);
    assert.equal(await serveCommand(['--taskmanagers', '-1'], context), 2);
    assert.equal(await serveCommand(['--taskmanagers', 'two'], context), 2);
    assert.equal(await serveCommand(['--rewindable', '0'], context), 2);
    assert.equal(await serveCommand(['--help'], context), 0);
    assert.match(out.join(''), /--port must be an integer/);
    assert.match(out.join(''), /--taskmanagers must be an integer of at least 0, got 'two'/);
    assert.match(out.join(''), /--taskmanagers <n>/);
    assert.match(out.join(''), /--rewindable must be an integer of at least 1, got '0'/);
    assert.match(out.join(''), /--rewindable <n>/);
    assert.match(out.join(''), /not a folder: missing-folder/);
    assert.match(out.join(''), /Usage: weir serve/);
  });
});
