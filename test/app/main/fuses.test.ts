/**
 * Electron's fuses in the desktop package: electron-builder.yml flips the ones that would let the
 * app binary run as plain Node (RunAsNode, NODE_OPTIONS, --inspect) or load app code from outside
 * its checked asar archive, with names @electron/fuses knows (a misspelt key flips nothing), and
 * nothing in the app relies on ELECTRON_RUN_AS_NODE. A packaged app, when `npm run dist` has
 * made one, is read for the fuses it really has; without one that test skips, saying why.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');

/** The security fuses and the value each must have. */
const REQUIRED = {
  runAsNode: false,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  enableEmbeddedAsarIntegrityValidation: true,
  onlyLoadAppFromAsar: true,
  grantFileProtocolExtraPrivileges: false,
} as const;

/** The `electronFuses:` block of electron-builder.yml as key → boolean. */
function configuredFuses(): Record<string, boolean> {
  const lines = readFileSync(path.join(ROOT, 'electron-builder.yml'), 'utf8').split('\n');
  const start = lines.findIndex((l) => /^electronFuses:\s*$/.test(l));
  assert.ok(start >= 0, 'electron-builder.yml has an electronFuses block');
  const fuses: Record<string, boolean> = {};
  for (const line of lines.slice(start + 1)) {
    if (/^\S/.test(line)) break;
    const entry = /^\s+(\w+):\s*(true|false)\s*(#.*)?$/.exec(line);
    if (entry) fuses[entry[1]!] = entry[2] === 'true';
    else assert.match(line, /^\s*(#.*)?$/, `an electronFuses line reads key: true|false: ${line}`);
  }
  return fuses;
}

/** Source files under `dir` (no node_modules, no build output). */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' || e.name === 'dist' ? [] : sources(full);
    return /\.(ts|mts|mjs|js|cjs)$/.test(e.name) ? [full] : [];
  });
}

describe('Electron fuses', () => {
  it('electron-builder.yml flips the security fuses, under names @electron/fuses knows', async () => {
    const fuses = configuredFuses();
    for (const [name, value] of Object.entries(REQUIRED)) assert.equal(fuses[name], value, `${name}: ${value}`);
    const { FuseV1Options } = await import('@electron/fuses');
    const known = new Set(Object.keys(FuseV1Options).filter((k) => Number.isNaN(Number(k))).map((k) => k[0]!.toLowerCase() + k.slice(1)));
    for (const name of Object.keys(fuses)) assert.ok(known.has(name), `${name} is a fuse of @electron/fuses (${[...known].join(', ')})`);
  });

  it('nothing in the app or the engine runs Electron as Node (RunAsNode is off)', () => {
    const users = ['app', 'engine', 'bin'].flatMap((d) => sources(path.join(ROOT, d))).filter((f) => readFileSync(f, 'utf8').includes('ELECTRON_RUN_AS_NODE'));
    assert.deepEqual(users.map((f) => path.relative(ROOT, f)), []);
  });

  it('the packaged app has them flipped', async (t) => {
    const release = path.join(ROOT, 'release');
    const unpacked = existsSync(release) ? readdirSync(release).filter((d) => d.endsWith('-unpacked')).map((d) => path.join(release, d)) : [];
    const binary = unpacked.flatMap((d) => readdirSync(d).map((f) => path.join(d, f))).find((f) => /^weir(\.exe)?$/i.test(path.basename(f)) && statSync(f).isFile());
    if (!binary) {
      const reason = 'no packaged app in release/ (npm run dist makes one where the Electron binary can be downloaded)';
      console.log(`skipped: ${reason}`);
      t.skip(reason);
      return;
    }
    const { FuseV1Options, getCurrentFuseWire } = await import('@electron/fuses');
    const wire = await getCurrentFuseWire(binary);
    const fuse = (option: number): boolean => wire[option as keyof typeof wire] === 49; // '1'
    assert.equal(fuse(FuseV1Options.RunAsNode), false, 'RunAsNode');
    assert.equal(fuse(FuseV1Options.EnableNodeOptionsEnvironmentVariable), false, 'NODE_OPTIONS');
    assert.equal(fuse(FuseV1Options.EnableNodeCliInspectArguments), false, '--inspect');
    assert.equal(fuse(FuseV1Options.OnlyLoadAppFromAsar), true, 'only from the asar');
  });
});
