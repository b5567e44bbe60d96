/**
 * The taskmanager process: `weir-taskmanager`. Serves `TaskManagerApi` to the jobmanager over
 * IPC, runs subtasks, and ends with its parent.
 */
import * as Comlink from 'comlink';
import { TaskManager } from './task-manager.ts';
import { exitWithParent } from '../launcher.ts';
import { ipcEndpoint } from '../rpc/endpoints.ts';
import type { TaskManagerEvents } from '../protocol.ts';
import { createDataPlane } from './data-plane-adapter.ts';
import { registerNodeConnectors } from '../../connectors/register.ts';

process.title = 'weir-taskmanager';
exitWithParent();
// Stack traces of user functions then point into the notebook, as in the client.
process.setSourceMapsEnabled(true);
registerNodeConnectors();
const events = Comlink.wrap<TaskManagerEvents>(ipcEndpoint(process, 'tm-events'));
const dataPlane = await createDataPlane();
Comlink.expose(new TaskManager(events, dataPlane), ipcEndpoint(process, 'taskmanager'));
