/**
 * Bundles one module of notebook code (a cell, or a user file it imports) with esbuild into a
 * self-contained ES module with an inline source map.
 */
import { build, type Message, type Plugin } from 'esbuild';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** What to bundle. */
export interface BundleInput {
  /** Absolute path of the source file; relative imports and `import.meta.url` refer to it. */
  file: string;
  /** The module's code when it is not the file's content (a cell's generated module). */
  contents?: string;
  /** Absolute path the module will be written to; source map paths are relative to it. */
  outfile: string;
  /** Resolves imports (see `kernelResolvePlugin`). */
  resolver: Plugin;
}

/** The bundled module, or esbuild's errors (with absolute files and character columns). */
export type BundleOutcome = { ok: true; code: string } | { ok: false; errors: Message[] };

/**
 * Bundles `input`. Rejects only on failures of esbuild itself, not on errors in the code.
 *
 * @example
 * const out = await bundleModule({ file: '/nb/sensors.ts', contents: 'console.log(1)', outfile: '/tmp/k/cell-1.mjs', resolver });
 * if (out.ok) await writeFile('/tmp/k/cell-1.mjs', out.code);
 */
export async function bundleModule(input: BundleInput): Promise<BundleOutcome> {
  const dir = path.dirname(input.file);
  const entry =
    input.contents === undefined
      ? { entryPoints: [input.file] }
      : { stdin: { contents: input.contents, resolveDir: dir, sourcefile: input.file, loader: 'ts' as const } };
  try {
    const result = await build({
      ...entry,
      absWorkingDir: dir,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      sourcemap: 'inline',
      write: false,
      outfile: input.outfile,
      logLevel: 'silent',
      plugins: [input.resolver],
      // The module runs from a temporary directory; code that locates files next to itself
      // (`new URL('./data.csv', import.meta.url)`) must still find them next to the notebook.
      define: {
        'import.meta.url': JSON.stringify(pathToFileURL(input.file).href),
        'import.meta.filename': JSON.stringify(input.file),
        'import.meta.dirname': JSON.stringify(dir),
      },
    });
    const output = result.outputFiles.find((file) => file.path.endsWith('.mjs')) ?? result.outputFiles[0];
    return { ok: true, code: output!.text };
  } catch (error) {
    if (isBuildFailure(error)) return { ok: false, errors: error.errors.map((message) => withAbsoluteLocation(message, dir)) };
    throw error;
  }
}

/**
 * esbuild reports a file relative to the working directory and a column in UTF-8 bytes; the
 * kernel reports absolute paths and columns in characters, as editors and V8 count them.
 */
function withAbsoluteLocation(message: Message, dir: string): Message {
  const location = message.location;
  if (!location) return message;
  const column = Buffer.from(location.lineText, 'utf8').subarray(0, location.column).toString('utf8').length;
  return { ...message, location: { ...location, file: path.resolve(dir, location.file), column } };
}

function isBuildFailure(error: unknown): error is { errors: Message[] } {
  return typeof error === 'object' && error !== null && Array.isArray((error as { errors?: unknown }).errors);
}
