import { randomBytes } from 'node:crypto';
import { ownedTempDir, releaseTempDir } from '../temp-dirs.ts';
import { join } from 'node:path';

/** Where a data-plane server listens, and how to clean it up. */
export interface SocketAddress {
  /** A Unix domain socket path, or a Windows named pipe (`\\?\pipe\...`). */
  readonly path: string;
  /** Removes what `path` left on disk (the private directory); safe to call twice. */
  dispose(): void;
}

/**
 * A fresh address only this user can reach: on Unix a socket in a new temp directory with mode
 * 0700 (mkdtemp's default), so other users cannot connect; on Windows a named pipe with a
 * random name. Socket paths are limited to ~100 bytes, which a temp dir keeps well within.
 */
export function privateSocketAddress(prefix = 'weir-dp'): SocketAddress {
  if (process.platform === 'win32') {
    return { path: `\\\\?\\pipe\\${prefix}-${process.pid}-${randomBytes(8).toString('hex')}`, dispose: () => {} };
  }
  const dir = ownedTempDir(prefix);
  return {
    path: join(dir, 's'),
    dispose: () => releaseTempDir(dir),
  };
}
