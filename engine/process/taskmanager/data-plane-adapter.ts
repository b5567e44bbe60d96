import type { DataPlane } from './task-manager.ts';

/** Temporary: a data plane without remote channels (one taskmanager only). */
export async function createDataPlane(): Promise<DataPlane> {
  const none = () => {
    throw new Error('remote channels are not available yet');
  };
  return { address: '', writer: none, reader: none, release() {}, async close() {} };
}
