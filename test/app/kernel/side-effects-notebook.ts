/**
 * A notebook whose cells have side effects at top level (a file write, a timer, a print, an
 * assertion between two execute() calls) and whose job captures values computed in the kernel
 * (its pid, a number from an environment variable): the fixture of the slice tests.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

/** Run it with SLICE_OFFSET=100 in the environment; it writes effects.log and out/stamped/. */
export const SIDE_EFFECTS_NOTEBOOK = `// %% Effects
import { StreamExecutionEnvironment, Sinks } from 'weir';
import { appendFileSync, rmSync } from 'node:fs';
import assert from 'node:assert/strict';
rmSync('out', { recursive: true, force: true });
appendFileSync('effects.log', \`write \${process.pid}\\n\`);
setTimeout(() => appendFileSync('effects.log', \`timer \${process.pid}\\n\`), 0);
console.log('printed at top level');
const kernelPid = process.pid;
const offset = Number(process.env.SLICE_OFFSET ?? '0');
// %% Jobs
const env = StreamExecutionEnvironment.create({ parallelism: 2 });
const doubled = Sinks.collect<number>();
env.fromElements(1, 2, 3).map((x) => x * 2).sinkTo(doubled);
await env.execute('part-forward');
assert.notEqual(process.title, 'weir-taskmanager', 'this assertion ran in a taskmanager');
appendFileSync('effects.log', \`asserted \${process.pid}\\n\`);
env
  .fromElements(1, 2, 3)
  .map((x) => ({ x: x + offset, pid: kernelPid, worker: process.pid }))
  .sinkTo(Sinks.jsonl('out/stamped/'));
await env.execute('stamped');
`;

/** The effects the notebook logged, sorted. */
export function effects(dir: string): string[] {
  return readFileSync(path.join(dir, 'effects.log'), 'utf8').trim().split('\n').sort();
}

/** The records the 'stamped' job wrote. */
export function stamped(dir: string): { x: number; pid: number; worker: number }[] {
  const out = path.join(dir, 'out/stamped');
  return readdirSync(out)
    .filter((f) => f.endsWith('.jsonl'))
    .flatMap((f) => readFileSync(path.join(out, f), 'utf8').trim().split('\n').filter(Boolean))
    .map((line) => JSON.parse(line) as { x: number; pid: number; worker: number })
    .sort((a, b) => a.x - b.x);
}
