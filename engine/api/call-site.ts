/**
 * Where in the user's code an operator was defined ("notebook.ts:12:5"), read from the stack
 * when the pipeline is built. Errors that cannot carry a user stack (a taskmanager stuck in a
 * loop) name the operator by it.
 */

/** Directory holding this engine's code (sources or build), to tell its frames from the user's. */
const ENGINE_ROOT = (() => {
  const file = frameFiles(new Error().stack ?? '')[0];
  if (!file) return undefined;
  const m = /^(.*[\\/](?:engine|dist)[\\/])/.exec(file);
  return m ? m[1] : undefined;
})();

function frameFiles(stack: string): string[] {
  const out: string[] = [];
  for (const line of stack.split('\n').slice(1)) {
    const m = /\(?((?:file:\/\/)?[^()\s]+):(\d+):(\d+)\)?\s*$/.exec(line.trim());
    if (m) out.push(`${m[1]}:${m[2]}:${m[3]}`);
  }
  return out;
}

/** The first stack frame outside the engine, as `file:line:column`, or undefined. */
export function userCallSite(): string | undefined {
  if (!ENGINE_ROOT) return undefined;
  const frames = frameFiles(new Error().stack ?? '');
  const user = frames.find((f) => !f.replace(/^file:\/\//, '').startsWith(ENGINE_ROOT.replace(/^file:\/\//, '')) && !f.startsWith('node:'));
  return user?.replace(/^file:\/\//, '');
}
