#!/usr/bin/env node
// The `weir` command. In a clone whose dist/ is missing or older than the sources (a fresh
// checkout, or after an edit), it rebuilds first, so `npx weir ...` always runs the code you see.
import { existsSync, statSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const cli = path.join(root, 'dist', 'cli.mjs');

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(full));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

const isClone = existsSync(path.join(root, 'scripts', 'build.mjs')) && existsSync(path.join(root, 'engine'));
if (isClone) {
  const built = existsSync(cli) ? statSync(cli).mtimeMs : 0;
  if (built < Math.max(newestSource(path.join(root, 'engine')), newestSource(path.join(root, 'app')))) {
    const { buildDist } = await import(pathToFileURL(path.join(root, 'scripts', 'build.mjs')).href);
    await buildDist({ quiet: true });
  }
}
const { main } = await import(pathToFileURL(cli).href);
const code = await main(process.argv.slice(2));
process.exitCode = code;
// After a failure nothing the notebook left running (a job started without await, a timer)
// may keep the process alive. On success, jobs still running keep it alive, as they should.
if (code !== 0) process.exit(code);
