/**
 * The kernel process of one notebook: `weir-kernel`. It compiles and evaluates the notebook's
 * cells (session.ts) away from the workbench host, so that a cell stuck in
 * `while (true) {}` or calling `process.exit()` takes down only this process: the host restarts
 * it and every other notebook goes on. The jobs cells start are handed to the host, which runs
 * them on its cluster (hosted-job-client.ts, jobs.ts).
 *
 * Started by the host (remote-kernel.ts) with a `KernelConfig` as JSON in argv[2]; serves
 * `KernelApi` on its parent channel and ends with its parent.
 */
import * as Comlink from 'comlink';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { exitWithParent, parentChannel } from '../../../engine/process/parent-channel.ts';
import { ipcEndpoint } from '../../../engine/process/rpc/endpoints.ts';
import { CapturedValues } from '../../../engine/process/captured-values.ts';
import { installCellBodyHook } from '../../../engine/process/cell-body.ts';
import { installExecutionHost } from '../../../engine/runtime/host.ts';
import { cellContext } from '../../host/cell-context.ts';
import { noteToCell, routeProcessToCells } from '../../host/cell-seams.ts';
import { hostedJobClient } from './hosted-job-client.ts';
import { KERNEL_CHANNEL, KERNEL_HOST_CHANNEL, type KernelApi, type KernelConfig, type KernelHostApi } from './protocol.ts';
import { KernelSession } from './session.ts';

process.title = 'weir-kernel';
exitWithParent();
const config = JSON.parse(process.argv[2] ?? '{}') as KernelConfig;
// The notebook runs in its own folder: relative paths in its cells resolve there, as in
// `weir run`, whatever folder the workbench serves.
const baseDir = path.dirname(config.file);
process.chdir(baseDir);
const parent = parentChannel();
const host = Comlink.wrap<KernelHostApi>(ipcEndpoint(parent, KERNEL_HOST_CHANNEL));

// The engine the cells import, loaded once so that every cell shares it.
const loaded = import(pathToFileURL(config.weirModule).href);
// Cells tell the kernel how to read the values their jobs capture (engine/process/cell-body.ts).
const values = new CapturedValues();
installCellBodyHook((cell, info) => values.enter(cell, info));
installExecutionHost({
  headless: false,
  defaults: { baseDir },
  submitJob: (job) => {
    const context = cellContext.getStore();
    // A job started by no cell (none can be, short of code outside the notebook) runs here.
    if (!context?.code) return undefined;
    const { code } = context;
    const { occurrence } = code.calls.next(job.graph.name);
    // At execute(): the values as the cells have them when the job is submitted.
    const captured = values.capture(code.cell, job.graph.name);
    // Statements that build the graph and also have effects run again on the taskmanagers: say so under the cell.
    for (const note of values.keptEffects(code.cell, job.graph.name)) noteToCell(note);
    return hostedJobClient(host, { path: context.path, cellId: context.cellId, graph: job.graph, modulePath: code.modulePath, cell: code.cell, occurrence, baseDir, captured });
  },
  note: noteToCell,
});
routeProcessToCells('weir kernel');

const session = new KernelSession({
  path: config.path,
  file: config.file,
  weirModule: config.weirModule,
  tempRoot: config.tempRoot,
  events: {
    cellState: (event) => quietly(host.cellState(event)),
    output: (event) => quietly(host.output(event)),
  },
  cancelJobsOf: (notebook, cellId) => quietly(host.cancelJobsOf(notebook, cellId)),
});

/** A call to the host whose answer nobody waits for; it fails only when the host has gone. */
function quietly(call: Promise<unknown>): void {
  call.catch(() => {});
}

const api: KernelApi = {
  ready: () => loaded.then(() => true as const),
  run: (request) => loaded.then(() => session.run(request)),
  interrupt: () => session.interrupt(),
  dispose: () => session.dispose(),
};
Comlink.expose(api, ipcEndpoint(parent, KERNEL_CHANNEL));
