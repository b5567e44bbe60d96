import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createBridge, type BridgeIpc } from '../../../app/preload/bridge.ts';
import { BRIDGE_CHANNELS, type WeirBridge } from '../../../app/shared/workbench/bridge.ts';

/** A stand-in for ipcRenderer that records what the bridge sends and lets the test reply. */
function fakeIpc() {
  const sent: unknown[][] = [];
  const listeners = new Map<string, Set<(event: { ports: readonly unknown[] }, ...args: unknown[]) => void>>();
  const ipc: BridgeIpc = {
    send: (channel, ...args) => void sent.push([channel, ...args]),
    invoke: async (channel) => (channel === BRIDGE_CHANNELS.chooseFolder ? '/home/me/notebooks' : undefined),
    on(channel, listener) {
      if (!listeners.has(channel)) listeners.set(channel, new Set());
      listeners.get(channel)!.add(listener);
    },
    removeListener: (channel, listener) => void listeners.get(channel)?.delete(listener),
  };
  const reply = (channel: string, ports: unknown[], ...args: unknown[]) => listeners.get(channel)?.forEach((l) => l({ ports }, ...args));
  return { ipc, sent, reply, listenerCount: (channel: string) => listeners.get(channel)?.size ?? 0 };
}

const versions = { electron: '45.0.0', chrome: '140', node: '22.0.0' };
const NONCE = '0123456789abcdef0123';

describe('preload bridge', () => {
  it('exposes exactly the members of WeirBridge, with plain data and functions only', () => {
    const bridge = createBridge(fakeIpc().ipc, () => {}, versions);
    // Listing the contract's members here makes a change to WeirBridge fail this test until both agree.
    const members: Record<keyof WeirBridge, 'string' | 'object' | 'function'> = { shell: 'string', versions: 'object', requestHostPort: 'function', chooseFolder: 'function' };
    assert.deepEqual(Object.keys(bridge).sort(), Object.keys(members).sort());
    for (const [name, type] of Object.entries(members)) assert.equal(typeof bridge[name as keyof WeirBridge], type, name);
    assert.equal(bridge.shell, 'desktop');
    assert.deepEqual(bridge.versions, versions);
  });

  it('asks main for a port and hands the page only the port carrying its nonce, once', () => {
    const { ipc, sent, reply, listenerCount } = fakeIpc();
    const posted: [string, readonly unknown[]][] = [];
    const bridge = createBridge(ipc, (nonce, ports) => posted.push([nonce, ports]), versions);
    bridge.requestHostPort(NONCE);
    assert.deepEqual(sent, [[BRIDGE_CHANNELS.requestHostPort, NONCE]]);
    reply(BRIDGE_CHANNELS.hostPort, ['someone else\'s port'], 'another-nonce-0000000');
    assert.deepEqual(posted, []);
    reply(BRIDGE_CHANNELS.hostPort, ['the port'], NONCE);
    assert.deepEqual(posted, [[NONCE, ['the port']]]);
    assert.equal(listenerCount(BRIDGE_CHANNELS.hostPort), 0, 'the listener is gone after the port arrived');
    reply(BRIDGE_CHANNELS.hostPort, ['a second port'], NONCE);
    assert.equal(posted.length, 1);
  });

  it('refuses a nonce that is not random-looking', () => {
    const bridge = createBridge(fakeIpc().ipc, () => {}, versions);
    assert.throws(() => bridge.requestHostPort('x'), /nonce/);
    assert.throws(() => bridge.requestHostPort(42 as unknown as string), /nonce/);
  });

  it('chooses a folder through main', async () => {
    const bridge = createBridge(fakeIpc().ipc, () => {}, versions);
    assert.equal(await bridge.chooseFolder(), '/home/me/notebooks');
  });
});
