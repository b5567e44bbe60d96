import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readdir, readFile, rm, stat, truncate, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CorruptStateError, FsCheckpointStorage, fileSafeName, parseMetadata, serializeMetadata } from '../../../../engine/process/checkpoint/fs-storage.ts';
import { decodeSnapshot, encodeSnapshot } from '../../../../engine/checkpoint/snapshot-format.ts';
import type { CheckpointMetadata, SubtaskStateHandle } from '../../../../engine/checkpoint/types.ts';

/** A fresh temp directory per test, removed afterwards. */
async function withDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'weir-fs-storage-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const OPERATORS: CheckpointMetadata['operators'] = [
  { uid: 'source-1', name: 'Source: Collection', parallelism: 1, maxParallelism: 128 },
  { uid: 'window-2', name: 'Window', parallelism: 2, maxParallelism: 128 },
];

function metadataOf(id: number, states: SubtaskStateHandle[], kind: 'checkpoint' | 'savepoint' = 'checkpoint', timestamp = Date.UTC(2025, 2, 4, 5, 6, 7)): CheckpointMetadata {
  return { version: 1, kind, jobName: 'orders', checkpointId: id, timestamp, operators: OPERATORS, states };
}

function stateBytes(id: number, subtask: number): Uint8Array {
  return encodeSnapshot({ keyed: { states: { count: { kind: 'value', entries: [[subtask, `key-${id}`, 0, { checkpoint: id, subtask, big: 10n ** 20n }]] } } } });
}

/** Writes every subtask's state the way taskmanagers do, then completes it as the jobmanager does. */
async function takeCheckpoint(storage: FsCheckpointStorage, id: number, kind: 'checkpoint' | 'savepoint' = 'checkpoint'): Promise<{ location: string; handles: SubtaskStateHandle[] }> {
  const handles = await Promise.all([
    storage.writeState(id, kind, 'source-1', 0, encodeSnapshot({ operator: { lists: { offset: { mode: 'list', items: [id * 100] } } } })),
    storage.writeState(id, kind, 'window-2', 0, stateBytes(id, 0)),
    storage.writeState(id, kind, 'window-2', 1, stateBytes(id, 1)),
  ]);
  const location = await storage.complete(metadataOf(id, handles, kind));
  return { location, handles };
}

/** Makes a directory look as if an earlier process left it a minute ago. */
async function age(dir: string): Promise<void> {
  const past = new Date(Date.now() - 60_000);
  await utimes(dir, past, past);
}

test('written states and a completed checkpoint: latest() finds it and reads every state back', async (t) => {
  const dir = await withDir(t);
  const storage = new FsCheckpointStorage({ checkpointDir: dir, jobName: 'orders' });
  assert.equal(await storage.latest(), undefined);
  const { location, handles } = await takeCheckpoint(storage, 1);
  assert.equal(location, path.join(dir, 'orders', 'chk-1'));
  assert.deepStrictEqual((await readdir(location)).sort(), ['_metadata', 'source-1', 'window-2']);
  assert.deepStrictEqual((await readdir(path.join(location, 'window-2'))).sort(), ['0.state', '1.state']);
  assert.equal(handles[1]!.file, 'window-2/0.state');
  assert.match(handles[1]!.checksum, /^[0-9a-f]{8}$/);

  const latest = await storage.latest();
  assert.ok(latest);
  assert.equal(latest.location, location);
  assert.deepStrictEqual(latest.metadata, metadataOf(1, handles));
  const back = decodeSnapshot(await storage.readState(latest, handles[2]!));
  assert.deepStrictEqual(back, decodeSnapshot(stateBytes(1, 1)));

  // Another process (a taskmanager) opens the same directories and reads the same state.
  const other = new FsCheckpointStorage({ checkpointDir: dir, jobName: 'orders' });
  assert.deepStrictEqual(await other.latest(), latest);
  // Newer checkpoints win.
  await takeCheckpoint(storage, 2);
  assert.equal((await storage.latest())?.metadata.checkpointId, 2);
});

test('_metadata is indented JSON with a checksum over its canonical form; damage is named', async (t) => {
  const dir = await withDir(t);
  const storage = new FsCheckpointStorage({ checkpointDir: dir, jobName: 'orders' });
  const { location, handles } = await takeCheckpoint(storage, 3);
  const text = await readFile(path.join(location, '_metadata'), 'utf8');
  const json = JSON.parse(text) as Record<string, unknown>;
  assert.match(String(json.checksum), /^[0-9a-f]{8}$/);
  assert.deepStrictEqual(parseMetadata(text), metadataOf(3, handles));
  assert.equal(serializeMetadata(metadataOf(3, handles)), text);
  // Key order does not matter (canonical JSON); a changed value does.
  const reordered = JSON.stringify(Object.fromEntries(Object.entries(json).reverse()));
  assert.deepStrictEqual(parseMetadata(reordered), metadataOf(3, handles));
  assert.throws(() => parseMetadata(text.replace('"checkpointId": 3', '"checkpointId": 4')), /checksum does not match \(recorded [0-9a-f]{8}, computed [0-9a-f]{8}\)/);
  assert.throws(() => parseMetadata(text.slice(0, text.length / 2)), /not valid JSON \(truncated or damaged\)/);
  assert.throws(() => parseMetadata('{}'), /no 'checksum' field/);
  const escaping = serializeMetadata(metadataOf(3, [{ ...handles[0]!, file: '../../etc/passwd' }]));
  assert.throws(() => parseMetadata(escaping), /'..\/..\/etc\/passwd' leaves the checkpoint directory/);
});

test('a directory without metadata (a jobmanager killed mid-checkpoint) is never used, and is cleaned up', async (t) => {
  const dir = await withDir(t);
  const before = new FsCheckpointStorage({ checkpointDir: dir, jobName: 'orders' });
  await takeCheckpoint(before, 1);
  // Checkpoint 2: every task wrote its state, but the jobmanager died before the metadata; its
  // temp file may even be there, half-written.
  await before.writeState(2, 'checkpoint', 'window-2', 0, stateBytes(2, 0));
  await before.writeState(2, 'checkpoint', 'window-2', 1, stateBytes(2, 1));
  const chk2 = before.checkpointLocation(2);
  await writeFile(path.join(chk2, '_metadata.123-abcd.tmp'), '{"version": 1, "kind": "chec');
  await age(chk2);

  const storage = new FsCheckpointStorage({ checkpointDir: dir, jobName: 'orders' });
  assert.equal((await storage.latest())?.metadata.checkpointId, 1);
  const scanned = await storage.scan();
  assert.match(scanned.find((c) => c.id === 2)!.problem!, /has no _metadata file: it is not a completed checkpoint/);
  await assert.rejects(storage.load(chk2), /Cannot load .*chk-2: .* has no _metadata file/);
  await storage.cleanup(1);
  assert.deepStrictEqual(await readdir(storage.jobDir), ['chk-1']);
});

test('cleanup keeps a newer directory without metadata of this process: it may be in progress', async (t) => {
  const dir = await withDir(t);
  const storage = new FsCheckpointStorage({ checkpointDir: dir, jobName: 'orders' });
  await takeCheckpoint(storage, 1);
  await storage.writeState(2, 'checkpoint', 'window-2', 0, stateBytes(2, 0)); // in progress
  await storage.cleanup(1);
  assert.deepStrictEqual((await readdir(storage.jobDir)).sort(), ['chk-1', 'chk-2']);
  // Once a newer checkpoint completed, the older incomplete one can never complete.
  await takeCheckpoint(storage, 3);
  await storage.cleanup(1);
  assert.deepStrictEqual(await readdir(storage.jobDir), ['chk-3']);
  // retained 0 (the job ended) removes everything, and the job's directory.
  await storage.writeState(4, 'checkpoint', 'window-2', 0, stateBytes(4, 0));
  await storage.cleanup(0);
  assert.deepStrictEqual(await readdir(dir), []);
});

test('a truncated metadata file is never used, load() says why, and it is cleaned up', async (t) => {
  const dir = await withDir(t);
  const storage = new FsCheckpointStorage({ checkpointDir: dir, jobName: 'orders' });
  await takeCheckpoint(storage, 1);
  const { location } = await takeCheckpoint(storage, 2);
  const file = path.join(location, '_metadata');
  await truncate(file, (await stat(file)).size - 20);
  assert.equal((await storage.latest())?.metadata.checkpointId, 1);
  await assert.rejects(storage.load(location), /Cannot load .*chk-2: .*_metadata cannot be used: it is not valid JSON \(truncated or damaged\)/);
  await storage.cleanup(5);
  assert.deepStrictEqual(await readdir(storage.jobDir), ['chk-1']);
});

test('a state file whose bytes were flipped: readState names the file, and the checkpoint is passed over and cleaned up', async (t) => {
  const dir = await withDir(t);
  const storage = new FsCheckpointStorage({ checkpointDir: dir, jobName: 'orders' });
  await takeCheckpoint(storage, 1);
  const { location, handles } = await takeCheckpoint(storage, 2);
  const victim = path.join(location, 'window-2', '1.state');
  const bytes = await readFile(victim);
  bytes[bytes.length - 5]! ^= 0x40; // same size, different content
  await writeFile(victim, bytes);

  // Sizes still match, so the cheap check cannot tell; the deep one can.
  const cheap = await storage.latest();
  assert.equal(cheap?.metadata.checkpointId, 2);
  await assert.rejects(storage.readState(cheap!, handles[2]!), (e: Error) => {
    assert.ok(e instanceof CorruptStateError);
    assert.ok(e.message.includes(victim), e.message);
    assert.match(e.message, /is corrupt: its CRC-32 is [0-9a-f]{8}, but the metadata records [0-9a-f]{8}/);
    return true;
  });
  // The read marked it: from now on (in any process) it is passed over, then removed.
  assert.equal((await storage.latest())?.metadata.checkpointId, 1);
  assert.match((await storage.scan())[0]!.problem!, /found corrupt: State file .*1\.state/);
  await storage.cleanup(5);
  assert.deepStrictEqual(await readdir(storage.jobDir), ['chk-1']);
});

test('latest({ verifyChecksums }) reads everything and passes over a corrupt checkpoint without a prior read', async (t) => {
  const dir = await withDir(t);
  const storage = new FsCheckpointStorage({ checkpointDir: dir, jobName: 'orders' });
  await takeCheckpoint(storage, 1);
  const { location } = await takeCheckpoint(storage, 2);
  const victim = path.join(location, 'source-1', '0.state');
  const bytes = await readFile(victim);
  bytes[9]! ^= 1;
  await writeFile(victim, bytes);
  assert.equal((await storage.latest({ verifyChecksums: true }))?.metadata.checkpointId, 1);
});

test('missing or resized state files: latest() skips the checkpoint, readState and complete() name the file', async (t) => {
  const dir = await withDir(t);
  const storage = new FsCheckpointStorage({ checkpointDir: dir, jobName: 'orders' });
  await takeCheckpoint(storage, 1);
  const { location, handles } = await takeCheckpoint(storage, 2);
  const stored = await storage.load(location);
  await writeFile(path.join(location, 'window-2', '0.state'), new Uint8Array(3));
  assert.equal((await storage.latest())?.metadata.checkpointId, 1);
  assert.match((await storage.scan())[0]!.problem!, /checkpoint 2: state file .*window-2\/0\.state has 3 bytes, but \d+ are recorded/);
  await assert.rejects(storage.readState(stored, handles[1]!), /State file .*window-2\/0\.state of checkpoint 2 has 3 bytes, but the metadata records \d+: it was truncated or replaced/);

  // The jobmanager refuses to complete a checkpoint whose acknowledged file is not there.
  const h = await storage.writeState(3, 'checkpoint', 'window-2', 0, stateBytes(3, 0));
  await rm(path.join(storage.checkpointLocation(3), h.file));
  await assert.rejects(storage.complete(metadataOf(3, [h])), /Cannot complete checkpoint 3: state file .*chk-3\/window-2\/0\.state is missing/);
  await assert.rejects(stat(path.join(storage.checkpointLocation(3), '_metadata')), /ENOENT/);
});

test('retention keeps the newest N completed checkpoints', async (t) => {
  const dir = await withDir(t);
  const storage = new FsCheckpointStorage({ checkpointDir: dir, jobName: 'orders' });
  for (let id = 1; id <= 5; id++) await takeCheckpoint(storage, id);
  await storage.cleanup(2);
  assert.deepStrictEqual((await readdir(storage.jobDir)).sort(), ['chk-4', 'chk-5']);
  await storage.cleanup(1);
  assert.deepStrictEqual(await readdir(storage.jobDir), ['chk-5']);
  assert.equal((await storage.latest())?.metadata.checkpointId, 5);
  // Ids compare as numbers, not strings.
  for (const id of [9, 10, 11]) await takeCheckpoint(storage, id);
  await storage.cleanup(2);
  assert.deepStrictEqual((await readdir(storage.jobDir)).sort(), ['chk-10', 'chk-11']);
  await storage.discard(11, 'checkpoint');
  assert.equal((await storage.latest())?.metadata.checkpointId, 10);
});

test('savepoints: named savepoint-<job>-<id>-<time>, complete once visible, loadable by directory or _metadata', async (t) => {
  const dir = await withDir(t);
  const savepointDir = path.join(dir, 'savepoints');
  const storage = new FsCheckpointStorage({ checkpointDir: path.join(dir, 'checkpoints'), savepointDir, jobName: 'orders' });
  await storage.writeState(7, 'savepoint', 'window-2', 0, stateBytes(7, 0));
  // While in progress, nothing named savepoint-* exists.
  assert.deepStrictEqual(await readdir(savepointDir), ['.savepoint-orders-7.inprogress']);
  const { location, handles } = await takeCheckpoint(storage, 7, 'savepoint');
  assert.equal(location, path.join(savepointDir, 'savepoint-orders-7-20250304050607'));
  assert.deepStrictEqual(await readdir(savepointDir), ['savepoint-orders-7-20250304050607']);

  for (const where of [location, path.join(location, '_metadata'), path.relative(process.cwd(), location)]) {
    const loaded = await storage.load(where);
    assert.equal(loaded.location, location);
    assert.equal(loaded.metadata.kind, 'savepoint');
    assert.deepStrictEqual(decodeSnapshot(await storage.readState(loaded, handles[1]!)), decodeSnapshot(stateBytes(7, 0)));
  }
  // A new job (another storage) resumes from it.
  const resumed = new FsCheckpointStorage({ checkpointDir: path.join(dir, 'checkpoints'), jobName: 'orders-v2' });
  assert.equal((await resumed.load(location)).metadata.checkpointId, 7);
  // Savepoints are not checkpoints: latest() and cleanup() leave them alone.
  assert.equal(await storage.latest(), undefined);
  await storage.cleanup(0);
  assert.deepStrictEqual(await readdir(savepointDir), ['savepoint-orders-7-20250304050607']);
  // The same id in the same second does not overwrite it.
  const again = await takeCheckpoint(storage, 7, 'savepoint');
  assert.equal(again.location, `${location}-2`);
});

test('a failed savepoint is discarded; one left in progress by an earlier process is cleaned up', async (t) => {
  const dir = await withDir(t);
  const savepointDir = path.join(dir, 'sp');
  const storage = new FsCheckpointStorage({ checkpointDir: dir, savepointDir, jobName: 'orders' });
  await storage.writeState(3, 'savepoint', 'window-2', 0, stateBytes(3, 0));
  await storage.discard(3, 'savepoint');
  assert.deepStrictEqual(await readdir(savepointDir), []);

  await storage.writeState(4, 'savepoint', 'window-2', 0, stateBytes(4, 0));
  await storage.cleanup(1); // this process's: may be in progress
  assert.deepStrictEqual(await readdir(savepointDir), ['.savepoint-orders-4.inprogress']);
  await age(path.join(savepointDir, '.savepoint-orders-4.inprogress'));
  await new FsCheckpointStorage({ checkpointDir: dir, savepointDir, jobName: 'orders' }).cleanup(1);
  assert.deepStrictEqual(await readdir(savepointDir), []);
});

test('load() errors say what is wrong with the path', async (t) => {
  const dir = await withDir(t);
  const storage = new FsCheckpointStorage({ checkpointDir: dir, jobName: 'orders' });
  await assert.rejects(storage.load(path.join(dir, 'nope')), /Cannot load .*nope: no such file or directory/);
  await writeFile(path.join(dir, 'notes.txt'), 'hello');
  await assert.rejects(storage.load(path.join(dir, 'notes.txt')), /expected a checkpoint or savepoint directory, or its _metadata file/);
  await mkdir(path.join(dir, 'empty'));
  await assert.rejects(storage.load(path.join(dir, 'empty')), /has no _metadata file/);
  const { location } = await takeCheckpoint(storage, 1);
  await rm(path.join(location, 'source-1'), { recursive: true });
  await assert.rejects(storage.load(location), /Cannot load .*chk-1: state file .*source-1\/0\.state is missing/);
});

test('a savepoint needs a savepoint directory', async (t) => {
  const dir = await withDir(t);
  const storage = new FsCheckpointStorage({ checkpointDir: dir, jobName: 'orders' });
  await assert.rejects(storage.writeState(1, 'savepoint', 'a', 0, new Uint8Array(1)), /No savepoint directory is configured for job 'orders': pass --savepoint-dir DIR/);
});

test('job names and uids are made safe for the file system without two sharing a directory', async (t) => {
  assert.equal(fileSafeName('orders'), 'orders');
  assert.equal(fileSafeName('Orders-v2.1_x'), 'Orders-v2.1_x');
  assert.match(fileSafeName('orders/eu 1'), /^orders_eu_1-[0-9a-f]{8}$/);
  assert.notEqual(fileSafeName('a/b'), fileSafeName('a_b'));
  assert.notEqual(fileSafeName('a/b'), fileSafeName('a b'));
  assert.match(fileSafeName('..'), /^_-[0-9a-f]{8}$/);
  assert.match(fileSafeName(''), /^-[0-9a-f]{8}$/);
  assert.ok(fileSafeName('x'.repeat(500)).length < 100);

  const dir = await withDir(t);
  const storage = new FsCheckpointStorage({ checkpointDir: dir, jobName: '../Sales: EU/2025 ☃' });
  assert.equal(path.dirname(storage.jobDir), dir);
  const h = await storage.writeState(1, 'checkpoint', 'my op/with:chars', 0, stateBytes(1, 0));
  assert.match(h.file, /^my_op_with_chars-[0-9a-f]{8}\/0\.state$/);
  const location = await storage.complete(metadataOf(1, [h]));
  assert.ok(location.startsWith(dir + path.sep));
  assert.equal((await storage.latest())?.location, location);
});
