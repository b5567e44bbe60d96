/**
 * The jobmanager process: `weir-jobmanager`. Started by the client with the cluster options as
 * JSON in argv[2]; serves `JobManagerApi` over IPC and ends with its parent.
 */
import * as Comlink from 'comlink';
import { JobManager } from './job-manager.ts';
import { NodeProcessLauncher, exitWithParent } from '../launcher.ts';
import { ipcEndpoint } from '../rpc/endpoints.ts';
import type { ClusterOptions } from '../protocol.ts';

process.title = 'weir-jobmanager';
exitWithParent();
const options = JSON.parse(process.argv[2] ?? '{}') as ClusterOptions;
const jobManager = new JobManager(options, new NodeProcessLauncher());
const ready = jobManager.startCluster();
Comlink.expose(
  {
    ready: () => ready.then(() => true),
    submit: (s: Parameters<JobManager['submit']>[0]) => ready.then(() => jobManager.submit(s)),
    status: (id: string) => jobManager.status(id),
    cancel: (id: string) => jobManager.cancel(id),
    triggerSavepoint: (id: string) => jobManager.triggerSavepoint(id),
    stopWithSavepoint: (id: string) => jobManager.stopWithSavepoint(id),
    shutdown: () => jobManager.shutdown(),
  },
  ipcEndpoint(process, 'jobmanager'),
);
