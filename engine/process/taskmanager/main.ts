/**
 * The taskmanager process: `weir-taskmanager`. Serves `TaskManagerApi` to the jobmanager over
 * IPC, runs subtasks, and ends with its parent.
 */
import * as Comlink from 'comlink';
import { TaskManager } from './task-manager.ts';
import { exitWithParent, parentChannel } from '../parent-channel.ts';
import { ipcEndpoint } from '../rpc/endpoints.ts';
import type { TaskManagerApi, TaskManagerEvents } from '../protocol.ts';
import { createDataPlane } from './data-plane-adapter.ts';
import { registerNodeConnectors } from '../../connectors/register.ts';
import { installJobOutput } from './job-output.ts';

process.title = 'weir-taskmanager';
exitWithParent();
const parent = parentChannel();
// Stack traces of user functions then point into the notebook, as in the client.
process.setSourceMapsEnabled(true);
registerNodeConnectors();
installJobOutput();
const events = Comlink.wrap<TaskManagerEvents>(ipcEndpoint(parent, 'tm-events'));
const dataPlane = createDataPlane();
const taskManager = dataPlane.then((dp) => new TaskManager(events, dp));

// Exposed at once, before the data plane listens: a request that arrived before `expose` would
// be lost. Each call waits for the taskmanager to be ready.
const api: TaskManagerApi = {
  hello: async (id) => (await taskManager).hello(id),
  deploy: async (d) => (await taskManager).deploy(d),
  start: async (jobId) => (await taskManager).start(jobId),
  cancel: async (jobId) => (await taskManager).cancel(jobId),
  mailsDelivered: async (jobId) => (await taskManager).mailsDelivered(jobId),
  resume: async (jobId) => (await taskManager).resume(jobId),
  metrics: async (jobId) => (await taskManager).metrics(jobId),
  controlReplay: async (jobId, name, action) => (await taskManager).controlReplay(jobId, name, action),
  triggerCheckpoint: async (jobId, barrier) => (await taskManager).triggerCheckpoint(jobId, barrier),
  notifyCheckpointComplete: async (jobId, id) => (await taskManager).notifyCheckpointComplete(jobId, id),
  heartbeat: async () => Date.now(),
  usage: async () => (await taskManager).usage(),
};
Comlink.expose(api, ipcEndpoint(parent, 'taskmanager'));

// A deliberate stop: say goodbye to peers and remove the socket directory on the way out.
process.on('SIGTERM', () => {
  void dataPlane.then((dp) => dp.close()).finally(() => process.exit(0));
  setTimeout(() => process.exit(0), 500).unref();
});
