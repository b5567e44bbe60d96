/**
 * Where the kernel process's code is: `main.ts` next to this file when running from
 * sources, `dist/kernel.mjs` in the build.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { roleEntry } from '../../../engine/process/launcher.ts';

/**
 * The entry module of kernel processes.
 *
 * @example
 * new NodeProcessLauncher({ kernel: kernelEntry() }).launch('kernel', [config]);
 */
export function kernelEntry(from: string = import.meta.url): string {
  return roleEntry('kernel', from, path.join(path.dirname(fileURLToPath(from)), 'main.ts'));
}
