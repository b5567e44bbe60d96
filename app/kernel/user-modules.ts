/**
 * The user's own script files that a notebook imports (`./helpers.ts`), each compiled once to
 * its own module next to the cell modules.
 *
 * Bundling a helper into every cell that imports it would give each cell a private copy, with
 * its own module state: a counter, a cache or a class would no longer be the same across cells.
 * One module per file keeps ES module semantics: one instance, shared by every importer.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** A user file waiting to be compiled. */
export interface PendingUserModule {
  /** Absolute path of the source file. */
  source: string;
  /** Absolute path of the module to write. */
  output: string;
}

/**
 * Assigns output modules to user files as imports of them are found, and queues each file
 * for compilation the first time.
 *
 * @example
 * const graph = new UserModuleGraph('/tmp/weir-kernel-x');
 * graph.request('/home/me/nb/helpers.ts'); // 'file:///tmp/weir-kernel-x/modules/helpers-1.mjs'
 * graph.takePending(); // [{ source: '/home/me/nb/helpers.ts', output: '/tmp/.../helpers-1.mjs' }]
 */
export class UserModuleGraph {
  private readonly outputs = new Map<string, string>();
  private pending: PendingUserModule[] = [];

  constructor(private readonly outDir: string) {}

  /** The file URL of the module compiled from `source` (absolute path). */
  request(source: string): string {
    let output = this.outputs.get(source);
    if (output === undefined) {
      const stem = path.basename(source).replace(/\.[^.]*$/, '').replace(/[^\w.-]/g, '_');
      output = path.join(this.outDir, 'modules', `${stem}-${this.outputs.size + 1}.mjs`);
      this.outputs.set(source, output);
      this.pending.push({ source, output });
    }
    return pathToFileURL(output).href;
  }

  /** The files requested since the last call, to compile now. */
  takePending(): PendingUserModule[] {
    const taken = this.pending;
    this.pending = [];
    return taken;
  }

  /** Absolute paths of all user files seen so far: frames in them are the user's own code. */
  sources(): string[] {
    return [...this.outputs.keys()];
  }
}
