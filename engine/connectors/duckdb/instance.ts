/**
 * The DuckDB databases this process reads through: one in-memory instance shared by every
 * reader and SQL cell (files are read directly, so most queries need no database), plus one
 * instance per database file asked for. Instances open lazily on first use.
 *
 * Each reader takes its own connection (a connection runs one query at a time, and temporary
 * tables such as `reject_errors` are per connection) and closes it when done. Open instances
 * hold no event-loop handles, so a process that forgets to call `closeDuckDB()` still exits;
 * tests and hosts call it to release files.
 */
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

const MEMORY = ':memory:';

interface OpenInstance {
  instance: Promise<DuckDBInstance>;
  connections: Set<DuckDBConnection>;
}

const instances = new Map<string, OpenInstance>();

/** The key of a database: ':memory:' or an absolute file path. */
export function databaseKey(database: string | undefined): string {
  if (!database || database === MEMORY) return MEMORY;
  return path.resolve(database);
}

function openInstance(key: string): OpenInstance {
  let open = instances.get(key);
  if (!open) {
    const instance = DuckDBInstance.create(key === MEMORY ? MEMORY : key);
    open = { instance, connections: new Set() };
    instances.set(key, open);
    // A failed open must not be cached: the next caller retries (e.g. after the file appears).
    instance.catch(() => {
      if (instances.get(key) === open) instances.delete(key);
    });
  }
  return open;
}

/**
 * A new connection to the shared in-memory database, or to the database file `database`.
 *
 * @example
 * const conn = await connectDuckDB();
 * try { await conn.run("SELECT 1"); } finally { releaseConnection(conn); }
 */
export async function connectDuckDB(database?: string): Promise<DuckDBConnection> {
  const open = openInstance(databaseKey(database));
  const conn = await (await open.instance).connect();
  open.connections.add(conn);
  return conn;
}

/**
 * Closes a connection from `connectDuckDB` (idempotent).
 *
 * @example
 * releaseConnection(conn);
 */
export function releaseConnection(conn: DuckDBConnection): void {
  for (const open of instances.values()) {
    if (open.connections.delete(conn)) {
      conn.closeSync();
      return;
    }
  }
}

/**
 * Closes every connection and instance this process opened (tests, host shutdown). Readers
 * still running fail; call it when no job runs.
 *
 * @example
 * after(async () => { await closeDuckDB(); });
 */
export async function closeDuckDB(): Promise<void> {
  const all = [...instances.values()];
  instances.clear();
  for (const open of all) {
    for (const conn of open.connections) conn.closeSync();
    open.connections.clear();
    try {
      (await open.instance).closeSync();
    } catch {
      // It never opened: nothing to close.
    }
  }
}
