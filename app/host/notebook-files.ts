/**
 * The notebooks under one folder: listing, reading, atomic writing, creating and renaming.
 * Every path the renderer sends is relative to the folder and is checked to stay inside it, so
 * a page (or a crafted request) cannot read or write elsewhere: first as written, then as it
 * really is on disk, since a symbolic link inside the folder may point out of it. Notebooks are
 * UTF-8; any other file is refused with the offset of its first byte that is not.
 */
import { createHash, randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { checkNotebookEncoding } from '../shared/notebook/encoding.ts';
import type { DiskVersion, NotebookEntry } from '../shared/workbench/protocol.ts';
import { realPathEscape } from './real-path.ts';

/** Folders never searched for notebooks. */
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'out', 'test-results', 'release']);
/** How deep below the folder notebooks are listed. */
const MAX_DEPTH = 4;
/** How much of a file is read to decide whether it is a notebook. */
const SNIFF_BYTES = 64 * 1024;
const MARKER_LINE = /^\uFEFF?\/\/[ \t]*%%(?=[ \t]|$)/m;

/** A file's text with the version it was read at. */
export interface VersionedText {
  text: string;
  version: DiskVersion;
}

/** A write that found the file changed since `baseVersion`. */
export class ChangedOnDiskError extends Error {
  override name = 'ChangedOnDiskError';
  constructor(readonly disk: DiskVersion) {
    super('the file changed on disk since it was opened');
  }
}

/**
 * Notebook files under `root`.
 *
 * @example
 * const files = new NotebookFiles('/home/me/notebooks');
 * const { text, version } = await files.read('sensors.ts');
 * await files.write('sensors.ts', text + '\n// %%\n', version);
 */
export class NotebookFiles {
  readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  /**
   * The absolute path of a notebook given relative to the folder. Throws for paths that leave
   * the folder, absolute paths, and names that are not `.ts` files.
   */
  resolve(relative: string): string {
    if (typeof relative !== 'string' || relative === '' || relative.includes('\0')) throw new Error('a notebook path is required');
    const normalised = relative.replace(/\\/g, '/');
    if (normalised.startsWith('/') || /^[A-Za-z]:/.test(normalised)) throw new Error(`not a path inside the folder: ${relative}`);
    const full = path.resolve(this.root, normalised);
    const inside = path.relative(this.root, full);
    if (inside === '' || inside.startsWith('..') || path.isAbsolute(inside)) throw new Error(`not a path inside the folder: ${relative}`);
    if (!full.endsWith('.ts') || full.endsWith('.d.ts')) throw new Error(`a notebook is a .ts file: ${relative}`);
    return full;
  }

  /**
   * `resolve(relative)`, checked on disk too: the real path of the file (or of its deepest
   * existing folder, for a file yet to be made) must be inside the folder's real path.
   */
  async resolveOnDisk(relative: string): Promise<string> {
    const full = this.resolve(relative);
    const escape = realPathEscape(this.root, full);
    if (escape) throw new Error(`not a path inside the folder: ${relative} (a symbolic link ${escape})`);
    return full;
  }

  /**
   * Throws unless `full` (a path the host is about to write, such as a savepoint directory) is
   * inside the folder as it really is on disk: its deepest existing part, links resolved, and no
   * link that leads nowhere.
   */
  assertInsideOnDisk(full: string, what: string): void {
    const escape = realPathEscape(this.root, full);
    if (escape) throw new Error(`${what} must be inside the folder, but ${this.relative(full)} ${escape} (a symbolic link)`);
  }

  /** The folder-relative path of an absolute path, with `/` separators. */
  relative(full: string): string {
    return path.relative(this.root, full).split(path.sep).join('/');
  }

  /** Notebooks (`.ts` files with a `// %%` line) under the folder, sorted by path. */
  async list(): Promise<NotebookEntry[]> {
    const entries: NotebookEntry[] = [];
    const walk = async (dir: string, depth: number): Promise<void> => {
      let children;
      try {
        children = await readdir(dir, { withFileTypes: true });
      } catch {
        return; // Unreadable folders are left out rather than failing the whole list.
      }
      for (const child of children) {
        if (child.name.startsWith('.')) continue;
        const full = path.join(dir, child.name);
        if (child.isDirectory()) {
          if (depth < MAX_DEPTH && !SKIPPED_DIRS.has(child.name)) await walk(full, depth + 1);
        } else if (child.isFile() && child.name.endsWith('.ts') && !child.name.endsWith('.d.ts')) {
          const entry = await this.entryIfNotebook(full);
          if (entry) entries.push(entry);
        }
      }
    };
    await walk(this.root, 0);
    return entries.sort((a, b) => a.path.localeCompare(b.path));
  }

  /** Reads a notebook with its version. */
  async read(relative: string): Promise<VersionedText> {
    const full = await this.resolveOnDisk(relative);
    const [content, info] = await Promise.all([readFile(full), stat(full)]);
    checkNotebookEncoding(content, this.relative(full));
    return { text: content.toString('utf8'), version: versionOf(content, info) };
  }

  /** The file's current version, or undefined when it does not exist. */
  async version(relative: string): Promise<DiskVersion | undefined> {
    const full = await this.resolveOnDisk(relative);
    try {
      const [content, info] = await Promise.all([readFile(full), stat(full)]);
      return versionOf(content, info);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  /**
   * Writes a notebook atomically: a temporary file next to it, flushed, then renamed over it,
   * so a crash leaves the old or the new file and never half of one. With `baseVersion`, the
   * write is refused (`ChangedOnDiskError`) when the content on disk is not that version.
   */
  async write(relative: string, text: string, baseVersion?: DiskVersion): Promise<DiskVersion> {
    const full = await this.resolveOnDisk(relative);
    if (baseVersion) {
      const current = await this.version(relative);
      if (current && current.sha256 !== baseVersion.sha256) throw new ChangedOnDiskError(current);
    }
    const temporary = path.join(path.dirname(full), `.${path.basename(full)}.${randomBytes(6).toString('hex')}.tmp`);
    const mode = await stat(full).then((s) => s.mode & 0o777, () => 0o644);
    const handle = await open(temporary, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, mode);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } catch (error) {
      await handle.close();
      await rm(temporary, { force: true });
      throw error;
    }
    await handle.close();
    try {
      await rename(temporary, full);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
    const content = Buffer.from(text, 'utf8');
    return versionOf(content, await stat(full));
  }

  /** Creates a notebook with `text`; fails when the file exists. */
  async create(relative: string, text: string): Promise<DiskVersion> {
    const full = await this.resolveOnDisk(relative);
    await mkdir(path.dirname(full), { recursive: true });
    await this.resolveOnDisk(relative); // the folders just made hold no link
    await writeFile(full, text, { flag: 'wx' });
    return versionOf(Buffer.from(text, 'utf8'), await stat(full));
  }

  /** Renames a notebook; fails when `to` exists. Returns the entry at its new path. */
  async rename(from: string, to: string): Promise<NotebookEntry> {
    const source = await this.resolveOnDisk(from);
    const target = await this.resolveOnDisk(to);
    await stat(source);
    const taken = await lstat(target).then(() => true, () => false);
    if (taken) throw new Error(`a file named ${to} exists already`);
    await mkdir(path.dirname(target), { recursive: true });
    await rename(source, target);
    const info = await stat(target);
    return { path: this.relative(target), name: path.basename(target), mtimeMs: info.mtimeMs, size: info.size };
  }

  private async entryIfNotebook(full: string): Promise<NotebookEntry | undefined> {
    try {
      const handle = await open(full, 'r');
      try {
        const buffer = Buffer.alloc(SNIFF_BYTES);
        const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0);
        if (!MARKER_LINE.test(buffer.subarray(0, bytesRead).toString('utf8'))) return undefined;
        const info = await handle.stat();
        return { path: this.relative(full), name: path.basename(full), mtimeMs: info.mtimeMs, size: info.size };
      } finally {
        await handle.close();
      }
    } catch {
      return undefined;
    }
  }
}

/** The version of content read or written with the given stat. */
export function versionOf(content: Buffer, info: { mtimeMs: number; size: number }): DiskVersion {
  return { mtimeMs: info.mtimeMs, size: info.size, sha256: createHash('sha256').update(content).digest('hex') };
}
