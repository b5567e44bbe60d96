/**
 * The guard in front of a served object, over an in-memory link (as the desktop app's
 * MessagePort carries structured data, not JSON): only calls of the object's own methods with
 * plain data reach it, and errors come back short and without stack frames.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judgeRequest, serviceMethods, boundedReply, MAX_ERROR_MESSAGE } from '../../../../app/shared/rpc/call-guard.ts';
import { exposeOnLink } from '../../../../app/shared/rpc/comlink-link.ts';
import { linkedPair } from '../../../../app/shared/rpc/endpoint.ts';

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
    const reply = async (id: string): Promise<Record<string, unknown>> => {
      for (let i = 0; i < 200 && !replies.has(id); i++) await new Promise((r) => setTimeout(r, 5));
      return replies.get(id) as Record<string, unknown>;
    };
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
});
