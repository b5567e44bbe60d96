/**
 * The jobmanager process: `weir-jobmanager`. Started by the client with the cluster options as
 * JSON in argv[2]; serves `JobManagerApi` over IPC and ends with its parent.
 */
import * as Comlink from 'comlink';
import { JobManager } from './job-manager.ts';
import { NodeProcessLauncher } from '../launcher.ts';
import { exitWithParent, parentChannel } from '../parent-channel.ts';
import { RelayedProcessLauncher } from '../relayed-launcher.ts';
import { ipcEndpoint } from '../rpc/endpoints.ts';
import type { ClusterOptions, JobManagerApi } from '../protocol.ts';
import type { ReplayAction } from '../../runtime/job-replays.ts';
import type { StopOptions } from '../../runtime/job.ts';

process.title = 'weir-jobmanager';
exitWithParent();
const parent = parentChannel();
const options = JSON.parse(process.argv[2] ?? '{}') as ClusterOptions;
const launcher = options.launchTaskManagers === 'parent' ? new RelayedProcessLauncher(parent) : new NodeProcessLauncher();
const jobManager = new JobManager(options, launcher);
process.on('exit', () => jobManager.killTaskManagers());
const ready = jobManager.startCluster();
Comlink.expose(
  {
    ready: () => ready.then(() => true),
    submit: (s: Parameters<JobManager['submit']>[0]) => ready.then(() => jobManager.submit(s)),
    status: (id: string) => jobManager.status(id),
    cancel: (id: string) => jobManager.cancel(id),
    listTaskManagers: () => jobManager.listTaskManagers(),
    triggerSavepoint: (id: string) => jobManager.triggerSavepoint(id),
    stopWithSavepoint: (id: string, stop?: StopOptions) => jobManager.stopWithSavepoint(id, stop),
    controlReplay: (id: string, name: string, action: ReplayAction) => jobManager.controlReplay(id, name, action),
    shutdown: () => jobManager.shutdown(),
  } satisfies JobManagerApi & { ready(): Promise<boolean> },
  ipcEndpoint(parent, 'jobmanager'),
);
