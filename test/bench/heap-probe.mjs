/**
 * Preloaded into every process of a soak run (`NODE_OPTIONS=--import heap-probe.mjs`, set by
 * soak.bench.ts only): every WEIR_HEAP_PROBE_MS it collects garbage fully and appends one JSON
 * line to WEIR_HEAP_PROBE_FILE with the process's role, heap after GC (with array buffers, which
 * hold columns of data off the JS heap) and RSS. It is bench code:
 * nothing in Weir's own processes knows about it.
 */
import { appendFileSync } from 'node:fs';
import process from 'node:process';
import v8 from 'node:v8';
import vm from 'node:vm';
import { setInterval, setTimeout } from 'node:timers';

const file = process.env.WEIR_HEAP_PROBE_FILE;
const every = Number(process.env.WEIR_HEAP_PROBE_MS || 60000);
if (file) {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc');
  const started = Date.now();
  // The role is known only once the process's entry has set its title (weir-jobmanager, ...).
  const role = () => {
    if (process.title.startsWith('weir-')) return process.title;
    const args = process.argv.slice(1).map((a) => a.split('/').pop());
    const i = args.indexOf('weir.mjs');
    return i >= 0 ? `weir ${args[i + 1] ?? ''}`.trim() : args[0] ?? 'node';
  };
  const sample = () => {
    gc();
    gc();
    const m = process.memoryUsage();
    const line = { role: role(), pid: process.pid, at: Date.now(), sinceStartMs: Date.now() - started, heapAfterGc: m.heapUsed + m.arrayBuffers, external: m.external, rss: m.rss };
    try {
      appendFileSync(file, JSON.stringify(line) + '\n');
    } catch {
      // The bench has gone; nothing to report to.
    }
  };
  setTimeout(sample, 1000).unref();
  setInterval(sample, every).unref();
}
