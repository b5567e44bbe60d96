/**
 * The workbench half of the soak bench: a workbench host (as `weir serve` runs it, on two
 * taskmanagers) with a client connected, running three notebooks whose jobs checkpoint every
 * 100 ms until the bench ends this process (SIGTERM: the workbench is disposed, its workers end).
 * Usage: node --import tsx test/bench/soak-host.ts <notebook.ts> [<dir>/checkpoints]
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Workbench } from '../../app/host/workbench.ts';
import { exposeOnLink, wrapLink } from '../../app/shared/rpc/comlink-link.ts';
import { linkedPair } from '../../app/shared/rpc/endpoint.ts';
import { WORKBENCH_CLIENT_EVENTS, type WorkbenchClient, type WorkbenchService } from '../../app/shared/workbench/service.ts';

process.title = 'weir-host (soak)';
const source = readFileSync(process.argv[2]!, 'utf8');
// Inside the bench's own directory when given, so that the bench removes it even if this process is killed.
const dir = mkdtempSync(path.join(process.argv[3] ? path.dirname(process.argv[3]) : os.tmpdir(), 'weir-soak-host-'));
const notebooks = [1, 2, 3].map((n) => {
  const name = `soak-${n}.ts`;
  // Each job writes its own output and has its own name.
  const text = source.replace("process.env.WEIR_SOAK_OUT ?? 'out/soak'", JSON.stringify(path.join(dir, `out-${n}`))).replace("'checkpoint soak'", `'checkpoint soak ${n}'`);
  writeFileSync(path.join(dir, name), text);
  return name;
});
// Checkpoints go where the bench counts them (argument 2), else to the workbench's default place.
const checkpointDir = process.argv[3] ? path.dirname(process.argv[3]) : undefined;
const workbench = await Workbench.start({ root: dir, shell: 'web', taskManagers: 2, ...(checkpointDir ? { checkpointDir } : {}) });
const [hostSide, clientSide] = linkedPair();
const detach = workbench.connect(hostSide);
// A client like the renderer, which draws what it gets and keeps nothing.
let updates = 0;
exposeOnLink(Object.fromEntries(WORKBENCH_CLIENT_EVENTS.map((name) => [name, () => void updates++])) as unknown as WorkbenchClient, clientSide);
const service = wrapLink<WorkbenchService>(clientSide);
for (const name of notebooks) {
  const doc = await service.openNotebook(name);
  // The job cells never end; the run is not awaited.
  void service.runCells({ path: name, cells: doc.cells, run: 'all' }).catch((e: unknown) => console.error(`${name}: ${String(e)}`));
}
let closing = false;
process.on('SIGTERM', () => {
  if (closing) return;
  closing = true;
  detach();
  void workbench.dispose().finally(() => {
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  });
});
