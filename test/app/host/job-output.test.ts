/**
 * The host's end of the taskmanagers' job output: messages of a job that nobody follows yet are
 * kept until it is followed, attempts belong to their job, and `drained` waits until every
 * taskmanager of the latest attempt has sent its last output.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { JobOutputServer, type DeliveredOutput } from '../../../app/host/job-output.ts';

/** A taskmanager's connection: writes JSON lines, split at awkward places as a socket may. */
async function taskManager(server: JobOutputServer): Promise<{ send(...messages: object[]): void; raw(text: string): void; close(): void }> {
  const socket = net.createConnection(server.address);
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return {
    send(...messages) {
      const text = messages.map((m) => JSON.stringify(m) + '\n').join('');
      const cut = Math.floor(text.length / 2);
      socket.write(text.slice(0, cut));
      socket.write(text.slice(cut));
    },
    raw: (text) => socket.write(text),
    close: () => socket.destroy(),
  };
}

function collect(server: JobOutputServer, jobId: string): { received: DeliveredOutput[]; stop(): void } {
  const received: DeliveredOutput[] = [];
  return { received, stop: server.follow(jobId, (m) => received.push(m)) };
}

const until = async (condition: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(condition(), 'condition not met within 2 s');
};

describe('JobOutputServer', () => {
  let server: JobOutputServer;
  before(async () => {
    server = JobOutputServer.listen();
    await server.ready;
  });
  after(() => server.close());

  it('keeps output that arrives before the job is followed, and delivers every attempt of the job', async () => {
    const tm = await taskManager(server);
    tm.send({ t: 'out', job: 'job-7@0', stream: 'stdout', text: 'early\n' }, { t: 'out', job: 'job-8@0', stream: 'stdout', text: 'other job\n' });
    // The other job's line came after job 7's: once it has arrived, job 7's is waiting too (a
    // fixed 50 ms was not always enough on a loaded machine).
    const job8 = collect(server, 'job-8');
    await until(() => job8.received.length === 1);
    job8.stop();
    const job7 = collect(server, 'job-7');
    assert.deepEqual(
      job7.received.map((m) => m.t === 'out' && m.text),
      ['early\n'],
    );
    tm.send({ t: 'sink', job: 'job-7@1', sink: 3, jobName: 'j', operator: 'Sink: chart', subtask: 0, parallelism: 1, options: { x: 'a', y: 'b' } }, { t: 'rows', job: 'job-7@1', sink: 3, rows: [{ a: 1, b: 2 }] });
    await until(() => job7.received.length === 3);
    assert.deepEqual(
      job7.received.map((m) => m.t),
      ['out', 'sink', 'rows'],
    );
    assert.ok(job7.received.every((m) => m.from === job7.received[0]!.from), 'messages name their connection');
    job7.stop();
    tm.close();
  });

  it('is drained once every taskmanager of the latest attempt has sent its last output', async () => {
    const [a, b] = [await taskManager(server), await taskManager(server)];
    a.send({ t: 'begin', job: 'job-9@0' }, { t: 'done', job: 'job-9@0' });
    a.send({ t: 'begin', job: 'job-9@1' });
    b.send({ t: 'begin', job: 'job-9@1' });
    await new Promise((r) => setTimeout(r, 50));
    let drained = false;
    const waiting = server.drained('job-9', 5000).then(() => (drained = true));
    a.send({ t: 'done', job: 'job-9@1' });
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(drained, false, 'one of the two taskmanagers of attempt 1 has not finished');
    b.send({ t: 'done', job: 'job-9@1' });
    await waiting;
    a.close();
    b.close();
  });

  it('gives up waiting after the timeout (a taskmanager that died sends nothing)', async () => {
    const started = performance.now();
    await server.drained('job-never', 100);
    assert.ok(performance.now() - started >= 90);
  });

  it('ignores lines that are not messages', async () => {
    const tm = await taskManager(server);
    const job = collect(server, 'job-10');
    tm.raw('not json\n');
    tm.send({ no: 'job' }, { t: 'out', job: 'job-10@0', stream: 'stderr', text: 'after\n' });
    await until(() => job.received.length === 1);
    assert.equal(job.received[0]!.t, 'out');
    job.stop();
    tm.close();
  });
});
