/**
 * The guard in front of a served object, over an in-memory link (as the desktop app's
 * MessagePort carries structured data, not JSON): only calls of the object's own methods with
 * plain data reach it, and errors come back short and without stack frames.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judgeRequest, serviceMethods, boundedReply, redactInstallPaths, MAX_ERROR_MESSAGE, MAX_MESSAGE_BYTES } from '../../../../app/shared/rpc/call-guard.ts';
import { exposeOnLink } from '../../../../app/shared/rpc/comlink-link.ts';
import { linkedPair } from '../../../../app/shared/rpc/endpoint.ts';
import { until } from '../../../harness/until.ts';

describe('call guard', () => {
  const service = Object.freeze({ echo: async (x: unknown) => x, fail: async () => Promise.reject(new Error(`boom ${'x'.repeat(10_000)}`)) });
  const methods = serviceMethods(service);

  it('knows the service methods, and nothing inherited', () => {
    assert.deepEqual([...methods].sort(), ['echo', 'fail']);
  });

  it('accepts calls of own methods with plain data, refuses everything else', () => {
    const call = (path: unknown[], ...values: unknown[]) => ({ id: '1', type: 'APPLY', path, argumentList: values.map((value) => ({ type: 'RAW', value })) });
    assert.deepEqual(judgeRequest(call(['echo'], { a: [1, 'b', null, { c: true }] }), methods), { accept: true });
    assert.deepEqual(judgeRequest({ id: 'r', type: 'RAW', value: 1 }, methods), { accept: false, ignore: true }, 'a reply is not for the served object');
    const refused = [
      call(['toString']),
      call(['constructor']),
      call(['echo', 'call']),
      call([]),
      call(['echo'], new Date(0)),
      call(['echo'], new Map()),
      call(['echo'], JSON.parse('{"__proto__": {"x": 1}}')),
      call(['echo'], { deep: { constructor: { prototype: 1 } } }),
      { id: '1', type: 'GET', path: ['echo'] },
      { id: '1', type: 'SET', path: ['__proto__', 'x'], value: { type: 'RAW', value: 1 } },
      { id: '1', type: 'RELEASE' },
    ];
    for (const request of refused) {
      const verdict = judgeRequest(request, methods);
      assert.equal(verdict.accept, false, JSON.stringify(request));
      assert.ok(!verdict.accept && !verdict.ignore && verdict.id === '1' && verdict.reason.length < 300, JSON.stringify(verdict));
    }
  });

  it('bounds thrown errors and drops their stacks', () => {
    const reply = boundedReply({ id: '1', type: 'HANDLER', name: 'throw', value: { isError: true, value: { name: 'Error', message: 'm'.repeat(100_000), stack: 'Error: m\n    at /opt/weir/app/host/x.ts:1:1' } } }) as { value: { value: { message: string; stack: string } } };
    assert.ok(reply.value.value.message.length < MAX_ERROR_MESSAGE + 100);
    assert.doesNotMatch(reply.value.value.stack, /\n\s+at /);
  });

  it('serves over a link: a prototype walk is answered with an error, the process untouched, calls still work', async () => {
    const [host, client] = linkedPair();
    exposeOnLink(service, host);
    const replies = new Map<string, unknown>();
    client.listen((m) => replies.set(String((m as { id: unknown }).id), m));
    const reply = (id: string): Promise<Record<string, unknown>> => until(`reply ${id}`, () => replies.get(id) as Record<string, unknown> | undefined, 120_000);
    client.send({ id: 'p', type: 'SET', path: ['__proto__', 'polluted'], value: { type: 'RAW', value: 'yes' } });
    client.send({ id: 'q', type: 'SET', path: ['echo', 'constructor', 'prototype', 'polluted'], value: { type: 'RAW', value: 'yes' } });
    assert.equal((await reply('p')).name, 'throw');
    assert.equal((await reply('q')).name, 'throw');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal((function () {} as unknown as Record<string, unknown>).polluted, undefined);
    client.send({ id: 'e', type: 'APPLY', path: ['echo'], argumentList: [{ type: 'RAW', value: { ok: 1 } }] });
    assert.deepEqual((await reply('e')).value, { ok: 1 });
    client.send({ id: 'f', type: 'APPLY', path: ['fail'], argumentList: [] });
    const failed = (await reply('f')) as { value: { value: { message: string; stack: string } } };
    assert.match(failed.value.value.message, /^boom x+… \(\d+ more characters\)$/);
    assert.doesNotMatch(failed.value.value.stack, /\n\s+at /);
  });
  it('refuses each kind of property walk, naming it in a short reason', () => {
    const call = (path: unknown[], ...values: unknown[]) => ({ id: '1', type: 'APPLY', path, argumentList: values.map((value) => ({ type: 'RAW', value })) });
    const cases: [string, unknown][] = [
      ['__proto__', call(['__proto__'])],
      ['constructor', call(['constructor'])],
      ['toString', call(['toString'])],
      ['inherited hasOwnProperty', call(['hasOwnProperty'], 'echo')],
      ['inherited valueOf', call(['valueOf'])],
      ['inherited __defineGetter__', call(['__defineGetter__'], 'x')],
      ['inherited isPrototypeOf', call(['isPrototypeOf'])],
      ['a dotted name', call(['echo.constructor'])],
      ['a walk through a method', call(['echo', 'constructor'])],
      ['a walk through the prototype', call(['__proto__', 'constructor', 'constructor'], 'return process')],
      ['a path that is not a list', { id: '1', type: 'APPLY', path: 'echo', argumentList: [] }],
      ['a name that is not a string', call([0])],
      ['GET of a method', { id: '1', type: 'GET', path: ['echo', 'name'] }],
      ['SET through a method', { id: '1', type: 'SET', path: ['echo', 'prototype', 'x'], value: { type: 'RAW', value: 1 } }],
      ['CONSTRUCT', { id: '1', type: 'CONSTRUCT', path: ['echo'], argumentList: [] }],
      ['ENDPOINT', { id: '1', type: 'ENDPOINT' }],
    ];
    for (const [what, request] of cases) {
      const verdict = judgeRequest(request, methods);
      assert.ok(!verdict.accept && !verdict.ignore, what);
      assert.ok(!verdict.accept && !verdict.ignore && verdict.id === '1' && verdict.reason.length < 300, `${what}: ${JSON.stringify(verdict)}`);
    }
    assert.match((judgeRequest(call(['echo.constructor']), methods) as { reason: string }).reason, /no such method: echo\.constructor/);
    assert.match((judgeRequest(call(['echo', 'constructor']), methods) as { reason: string }).reason, /no such method: echo\.constructor/);
  });

  it('accepts only plain data as arguments: no functions, class instances, symbols or big integers, at any depth', () => {
    const call = (...values: unknown[]) => ({ id: '1', type: 'APPLY', path: ['echo'], argumentList: values.map((value) => ({ type: 'RAW', value })) });
    class Point {
      x = 1;
    }
    const cases: [string, unknown, RegExp][] = [
      ['a function', () => 1, /argument 1 holds a function, which is not plain data/],
      ['a function inside', { cells: [{ source: 'x', run: () => 1 }] }, /argument 1 holds a function/],
      ['a class instance', new Point(), /argument 1 holds an object that is not plain data/],
      ['a symbol', Symbol('s'), /holds a symbol/],
      ['a big integer', 10n, /holds a bigint/],
      ['a prototype key', JSON.parse('{"a": {"__proto__": {"polluted": 1}}}'), /holds the key '__proto__'/],
      ['a constructor key', { constructor: { prototype: { polluted: 1 } } }, /holds the key 'constructor'/],
      ['very deep nesting', JSON.parse(`${'['.repeat(100)}${']'.repeat(100)}`), /nests deeper than 64 levels/],
    ];
    for (const [what, value, reason] of cases) {
      const verdict = judgeRequest(call('fine', value), methods);
      assert.ok(!verdict.accept && !verdict.ignore, what);
      assert.match((verdict as { reason: string }).reason, new RegExp(reason.source.replace('argument 1', 'argument 2')), what);
    }
    // A handler-encoded argument (comlink's proxy marker) is not plain data either.
    assert.equal(judgeRequest({ id: '1', type: 'APPLY', path: ['echo'], argumentList: [{ type: 'HANDLER', name: 'proxy', value: 1 }] }, methods).accept, false);
    assert.deepEqual(judgeRequest(call({ a: [1, 'b', null, true, { c: -0.5 }] }, Object.create(null)), methods), { accept: true });
  });

  it('refuses a call larger than the limit, over all its arguments, and judges it without walking all of it', () => {
    const call = (...values: unknown[]) => ({ id: '1', type: 'APPLY', path: ['echo'], argumentList: values.map((value) => ({ type: 'RAW', value })) });
    assert.deepEqual(judgeRequest(call('x'.repeat(1000)), methods, 2000), { accept: true });
    for (const request of [call('x'.repeat(3000)), call('x'.repeat(1000), 'y'.repeat(1000)), call(Array.from({ length: 500 }, () => 1))]) {
      const verdict = judgeRequest(request, methods, 2000);
      assert.ok(!verdict.accept && !verdict.ignore);
      assert.match((verdict as { reason: string }).reason, /^echo: the call is larger than 0 MB, the most a call may carry$/);
    }
    // A long array is refused after the first items that spend the budget: the rest is not read.
    let read = 0;
    const long = new Proxy(Array.from({ length: 100_000 }, () => ({ a: 1 })), {
      get(target, key, receiver) {
        if (typeof key === 'string' && /^\d+$/.test(key)) read++;
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    assert.equal(judgeRequest(call(long), methods, 1000).accept, false);
    assert.ok(read > 10 && read < 200, `${read} items read`);
  });

  it('names no install path in an error reply, but the user\'s files in full', () => {
    const install = ['/opt/weir', '/opt/node_modules'];
    const keep = ['/opt/weir/notebooks/'];
    assert.equal(
      redactInstallPaths("Cannot find package 'x' imported from /opt/weir/dist/kernel.mjs (file:///opt/weir/app/kernel/run.ts:3:1) in /opt/node_modules/duckdb", install, keep),
      "Cannot find package 'x' imported from <weir>/dist/kernel.mjs (<weir>/app/kernel/run.ts:3:1) in <weir>/duckdb",
    );
    assert.equal(redactInstallPaths('no file matches /opt/weir/notebooks/data/x.csv, /opt/weird/y and /opt/weir', install, keep), 'no file matches /opt/weir/notebooks/data/x.csv, /opt/weird/y and <weir>');
    const reply = boundedReply(
      { id: '1', type: 'HANDLER', name: 'throw', value: { isError: true, value: { name: 'Error', message: 'failed in /opt/weir/dist/host.mjs', stack: 'Error: failed\n    at /opt/weir/dist/host.mjs:1:1' } } },
      { installPaths: install },
    ) as { value: { value: { message: string; stack: string } } };
    assert.deepEqual(reply.value.value, { name: 'Error', message: 'failed in <weir>/dist/host.mjs', stack: 'Error: failed in <weir>/dist/host.mjs' });
  });

  it('refuses a 100 MB argument over a port-like link with a short reply, and serves the next call on the same link', async () => {
    const [host, client] = linkedPair();
    let calls = 0;
    exposeOnLink(Object.freeze({ echo: async (x: unknown) => (calls++, x) }), host, { maxBytes: MAX_MESSAGE_BYTES });
    const replies = new Map<string, unknown>();
    client.listen((m) => replies.set(String((m as { id: unknown }).id), m));
    const reply = (id: string): Promise<Record<string, unknown>> => until(`reply ${id}`, () => replies.get(id) as Record<string, unknown> | undefined, 120_000);
    client.send({ id: 'big', type: 'APPLY', path: ['echo'], argumentList: [{ type: 'RAW', value: 'x'.repeat(100 * 1024 * 1024) }] });
    const refused = (await reply('big')) as { name: string; value: { value: { message: string } } };
    assert.equal(refused.name, 'throw');
    assert.equal(refused.value.value.message, 'echo: the call is larger than 16 MB, the most a call may carry');
    assert.ok(JSON.stringify(refused).length < 500, 'a short reply, no echo of the argument');
    assert.equal(calls, 0);
    client.send({ id: 'next', type: 'APPLY', path: ['echo'], argumentList: [{ type: 'RAW', value: 'small' }] });
    assert.equal((await reply('next')).value, 'small');
  });
});
