// `npm start`: the desktop app when Electron can start here, otherwise the same workbench in web
// mode (`weir serve notebooks`), said in one line. Builds first, and emits the engine's
// declarations that the editor's completion and hovers read.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, statSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildDist } from './build.mjs';
import { electronBinary } from './electron-binary.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
// `npm start -- [folder] [--port N]`; the port applies to web mode.
const { values, positionals } = parseArgs({ args: process.argv.slice(2), allowPositionals: true, options: { port: { type: 'string' } } });
const folder = positionals[0] ?? 'notebooks';

await buildDist({ quiet: true });
emitEngineTypes();

const electron = electronBinary();
if (electron.missing) {
  console.log(`Electron is not available here: ${electron.missing}. Starting web mode instead: weir serve ${folder}`);
  webMode();
} else {
  const started = Date.now();
  const child = spawn(electron.binary, [root, folder], { cwd: root, stdio: 'inherit' });
  child.on('error', (error) => fallBack(`it could not start: ${error.message}`));
  child.on('exit', (code, signal) => {
    // A failure in the first seconds is Electron failing to start (missing libraries, no GPU
    // process, sandbox trouble), not the user closing the app.
    if (code !== 0 && Date.now() - started < 10_000) fallBack(`it exited with ${signal ?? `code ${code}`}`);
    else process.exit(code ?? 0);
  });
}

function fallBack(why) {
  console.log(`Electron could not start here: ${why}. Starting web mode instead: weir serve ${folder}`);
  webMode();
}

function webMode() {
  const port = values.port === undefined ? [] : ['--port', values.port];
  const serve = spawn(process.execPath, [path.join(root, 'bin', 'weir.mjs'), 'serve', folder, ...port], { cwd: root, stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => serve.kill(signal));
  serve.on('exit', (code) => process.exit(code ?? 0));
}

/** `tsc -b engine/tsconfig.json` when its declarations are missing or older than the sources. */
function emitEngineTypes() {
  const declarations = path.join(root, 'dist', 'types', 'engine', 'api', 'index.d.ts');
  const built = existsSync(declarations) ? statSync(declarations).mtimeMs : 0;
  if (built >= newest(path.join(root, 'engine'))) return;
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  spawnSync(process.execPath, [tsc, '-b', path.join(root, 'engine', 'tsconfig.json')], { cwd: root, stdio: 'inherit' });
}

function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) latest = Math.max(latest, newest(full));
    else if (entry.name.endsWith('.ts')) latest = Math.max(latest, statSync(full).mtimeMs);
  }
  return latest;
}
