import fs from 'node:fs';
import path from 'node:path';
import type { SinkDescriptor, SinkFactoryContext } from '../runtime/connectors.ts';
import type { SinkFunction } from '../runtime/functions.ts';

const FLUSH_BYTES = 1 << 16;

/** JSON that survives bigints (as numbers when safe, else strings) and Maps. */
export function toJsonLine(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
    if (v instanceof Map) return Object.fromEntries(v);
    if (v instanceof Set) return [...v];
    return v;
  });
}

/** Where one subtask writes: a single file, or a part file in a directory. */
export function jsonlTarget(target: string, subtask: number, parallelism: number): { file: string; directory: boolean } {
  const isDir = target.endsWith('/') || target.endsWith(path.sep) || parallelism > 1 || (fs.existsSync(target) && fs.statSync(target).isDirectory());
  if (!isDir) return { file: path.resolve(target), directory: false };
  return { file: path.resolve(target, `part-${subtask}.jsonl`), directory: true };
}

/**
 * Writes JSON lines to `<file>.inprogress` (which does not end in `.jsonl`) and renames it to
 * the final name when the input ends, after an fsync: readers never see a half-written file
 * under the final name. In directory mode subtask 0 also removes part files of an earlier run
 * with higher parallelism, so a re-run leaves exactly this run's output.
 */
export function createJsonlSink(descriptor: SinkDescriptor, ctx: SinkFactoryContext): SinkFunction<unknown> {
  const { file, directory } = jsonlTarget(String(descriptor.options.path), ctx.subtask, ctx.parallelism);
  const pending = `${file}.inprogress`;
  let fd: number | undefined;
  let buffer: string[] = [];
  let bytes = 0;

  const flush = () => {
    if (fd === undefined || buffer.length === 0) return;
    fs.writeSync(fd, buffer.join(''));
    buffer = [];
    bytes = 0;
  };

  return {
    open() {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      if (directory && ctx.subtask === 0) {
        for (const name of fs.readdirSync(path.dirname(file))) {
          const m = /^part-(\d+)\.jsonl$/.exec(name);
          if (m && Number(m[1]) >= ctx.parallelism) fs.rmSync(path.join(path.dirname(file), name), { force: true });
        }
      }
      fd = fs.openSync(pending, 'w');
    },
    invoke(value: unknown) {
      const line = toJsonLine(value) + '\n';
      buffer.push(line);
      bytes += line.length;
      if (bytes >= FLUSH_BYTES) flush();
    },
    finish() {
      flush();
      if (fd !== undefined) {
        fs.fsyncSync(fd);
        fs.closeSync(fd);
        fd = undefined;
        fs.renameSync(pending, file);
      }
    },
    close() {
      // Not finished (failure or cancel): leave no in-progress file behind.
      if (fd !== undefined) {
        fs.closeSync(fd);
        fd = undefined;
        fs.rmSync(pending, { force: true });
      }
    },
  };
}
