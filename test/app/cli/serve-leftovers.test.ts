/**
 * `weir serve` leaves no temp folder behind: after a clean exit (Ctrl+C) nothing of it is left in
 * the temp directory, and after `kill -9` of the server the next start removes what it left. The
 * server is driven as the browser drives it, over its WebSocket, and runs a cell whose job runs on
 * a taskmanager, so that kernels, compiled cells, sockets and checkpoints all made their folders.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { webSocketLink } from '../../../app/host/websocket-link.ts';
import { exposeOnLink, wrapLink } from '../../../app/shared/rpc/comlink-link.ts';
import { WORKBENCH_CLIENT_EVENTS, type WorkbenchClient, type WorkbenchService } from '../../../app/shared/workbench/service.ts';
import { alive, descendants } from '../../harness/processes.ts';
import { until } from '../../harness/until.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const weirBin = path.join(root, 'bin/weir.mjs');

const NOTEBOOK = [
  '// %%',
  "import { StreamExecutionEnvironment } from 'weir';",
  'const env = StreamExecutionEnvironment.create({ parallelism: 2 });',
  'env.enableCheckpointing(100);',
  'env.fromGenerator(Number(process.env.WEIR_TEST_RECORDS ?? 3000), (i) => i, { recordsPerSecond: 3000 }).map((x) => x * 2).print();',
  "await env.execute('counting');",
  '',
].join('\n');

/** A `weir serve` process with a connected client that ran the notebook's cell. */
interface Served {
  child: ChildProcess;
  exited: Promise<number | null>;
  output(): string;
  /** Resolves once the cell's job has printed and, for a bounded job, the cell has ended. */
  ran: Promise<void>;
  socket: WebSocket;
}

function serve(dir: string, tmp: string, records: number): Promise<Served> {
  const child = spawn(process.execPath, [weirBin, 'serve', dir, '--port', '0', '--taskmanagers', '1'], {
    cwd: root,
    env: { ...process.env, TMPDIR: tmp, WEIR_TEST_RECORDS: String(records) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return until(`the URL from weir serve:\n${out}`, () => /open (http:\/\/\S+)/.exec(out)?.[1], 60_000).then(async (url) => {
    const u = new URL(url);
    const socket = new WebSocket(`ws://${u.host}/rpc?token=${u.searchParams.get('token')}`);
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    const link = webSocketLink(socket);
    let printed!: () => void;
    let ended!: () => void;
    const sawOutput = new Promise<void>((r) => (printed = r));
    const sawEnd = new Promise<void>((r) => (ended = r));
    const client = Object.fromEntries(WORKBENCH_CLIENT_EVENTS.map((name) => [name, () => {}])) as unknown as WorkbenchClient;
    client.onDidWriteOutput = (e) => {
      if (e.output.kind === 'text') printed();
    };
    client.onDidChangeCellState = (e) => {
      if (e.status === 'done' || e.status === 'failed') ended();
    };
    exposeOnLink(client, link);
    const service = wrapLink<WorkbenchService>(link);
    const doc = await service.openNotebook('count.ts');
    void service.runCells({ path: 'count.ts', cells: doc.cells, run: 'all' }).catch(() => {});
    return { child, exited, output: () => out, socket, ran: Promise.all([sawOutput, records === Infinity ? Promise.resolve() : sawEnd]).then(() => {}) };
  });
}

/** Weir's folders in `tmp` (the test's own private temp dir). */
function weirFolders(tmp: string): string[] {
  return readdirSync(tmp).filter((n) => n.startsWith('weir-'));
}

describe('weir serve leaves no temp folder behind', () => {
  let scratch: string;
  let dir: string;
  before(() => {
    scratch = mkdtempSync(path.join(os.tmpdir(), 'weir-serve-leftovers-test-'));
    dir = path.join(scratch, 'notebooks');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'count.ts'), NOTEBOOK);
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('after a clean exit (Ctrl+C), once the next start has run', async (t) => {
    const tmp = path.join(scratch, 'tmp-clean');
    mkdirSync(tmp);
    const served = await serve(dir, tmp, 3000);
    await served.ran;
    assert.ok(weirFolders(tmp).length > 0, 'the workbench made temp folders while it ran');
    served.socket.close();
    served.child.kill('SIGINT');
    assert.equal(await served.exited, 0, served.output());
    await until('the workers to end', () => (descendants(served.child.pid!).length === 0 ? true : undefined), 20_000);
    // Workers the jobmanager ends with SIGKILL cannot clean up; the next start does.
    t.diagnostic(`left at exit: ${weirFolders(tmp).join(', ') || 'nothing'}`);
    const next = spawnSync(process.execPath, [weirBin, 'serve', '--help'], { cwd: root, env: { ...process.env, TMPDIR: tmp }, encoding: 'utf8' });
    assert.equal(next.status, 0, next.stderr);
    assert.deepEqual(weirFolders(tmp), []);
  });

  it('after kill -9 of the server, once the next start has run', async () => {
    const tmp = path.join(scratch, 'tmp-killed');
    mkdirSync(tmp);
    const served = await serve(dir, tmp, Infinity);
    await served.ran;
    const pid = served.child.pid!;
    const workers = descendants(pid);
    assert.ok(workers.length > 0, 'kernel and cluster processes run');
    served.child.kill('SIGKILL');
    await served.exited;
    served.socket.terminate();
    // The workers end with it (their IPC channel closes).
    await until('the workers to end', () => (workers.every((w) => !alive(w.pid)) ? true : undefined), 20_000);
    assert.ok(weirFolders(tmp).length > 0, 'the killed server left folders');
    const next = spawnSync(process.execPath, [weirBin, 'serve', '--help'], { cwd: root, env: { ...process.env, TMPDIR: tmp }, encoding: 'utf8' });
    assert.equal(next.status, 0, next.stderr);
    assert.deepEqual(weirFolders(tmp), []);
  });
});
