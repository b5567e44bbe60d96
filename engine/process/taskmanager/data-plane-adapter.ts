import { DataPlaneServer } from '../data-plane/index.ts';
import type { DataPlane } from './task-manager.ts';
import type { ChannelReader, ChannelWriter } from '../../runtime/network/local-channel.ts';

/**
 * The taskmanager's data plane: a `DataPlaneServer` on a private Unix socket, with the channel
 * ends of each job kept so that they can be released when the job ends.
 */
export async function createDataPlane(): Promise<DataPlane> {
  const server = await DataPlaneServer.start();
  const ends = new Map<string, { abort?(reason?: string): void; release?(reason?: string): void }>();
  return {
    address: server.address,
    writer(peerAddress: string, key: string, onWritable: () => void): ChannelWriter {
      const w = server.createWriter(peerAddress, key);
      w.onWritable = onWritable;
      ends.set(`w:${key}`, w);
      return w;
    },
    reader(peerAddress: string, key: string, onData: () => void): ChannelReader {
      const r = server.createReader(peerAddress, key);
      r.onData = onData;
      ends.set(`r:${key}`, r);
      return r;
    },
    release(prefix: string, abort: boolean) {
      for (const [k, end] of ends) {
        if (!k.slice(2).startsWith(prefix)) continue;
        if (abort) {
          end.abort?.('job stopped');
          end.release?.('job stopped');
        }
        ends.delete(k);
      }
    },
    close: () => server.close(),
  };
}
