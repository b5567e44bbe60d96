// Where the Electron binary is, or why it cannot be used. The `electron` package downloads its
// binary lazily, the first time `require('electron')` runs; offline that download fails (or
// hangs). So this looks for the binary without requiring the package.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

/** The binary's path, or { missing: reason }. */
export function electronBinary() {
  const dir = path.join(root, 'node_modules', 'electron');
  if (!existsSync(path.join(dir, 'package.json'))) return { missing: 'the electron package is not installed (run npm ci)' };
  const pathFile = path.join(dir, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : undefined;
  const binary = relative ? path.join(dir, 'dist', relative) : undefined;
  if (!binary || !existsSync(binary)) return { missing: 'its binary has not been downloaded (node_modules/electron/dist is missing; it downloads on first use, which needs the network)' };
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return { missing: 'there is no display (DISPLAY and WAYLAND_DISPLAY are unset)', binary };
  return { binary };
}
