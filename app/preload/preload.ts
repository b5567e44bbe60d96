/**
 * The desktop window's preload (sandboxed, context-isolated): exposes `window.weir`, the typed
 * bridge of `app/shared/workbench/bridge.ts`, and nothing else.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { createBridge } from './bridge.ts';

contextBridge.exposeInMainWorld(
  'weir',
  createBridge(
    ipcRenderer,
    // Ports cannot cross the context bridge as values; a window message can carry them.
    (nonce, ports) => window.postMessage(nonce, window.location.origin, ports as MessagePort[]),
    { electron: process.versions.electron ?? '', chrome: process.versions.chrome ?? '', node: process.versions.node },
  ),
);
