/**
 * The analysts' database, opened read-only for real. The catalog's views and macros (catalog.ts builds them in
 * memory over the files of each table's newest committed version) are copied into a DuckDB database file in a
 * private temporary directory, and that file is reopened with access_mode READ_ONLY: no statement can change a
 * view, a macro or a schema, whatever gets past the statement check (DuckDB answers "attached in read-only
 * mode"). The instance is then locked down (read-only-query.ts lockDown): file access only inside the lake's
 * directories, no extension loading, configuration frozen. What read-only mode leaves open, the temporary schema
 * (CREATE TEMP ...) and COPY ... TO into an allowed directory, is closed by the statement check
 * (read-only-check.ts), which accepts queries only.
 *
 * liveAnalystCatalog keeps one open for a server or a shell and swaps in a fresh one when a layer publishes a
 * new table version; queries still running on the old one finish on it (it is closed when the last one ends).
 */
import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { ObjectStore } from '../store/object-store.js';
import type { Logger } from '../lib/log.js';
import { openDuckDb, quotedIdentifier, quotedString, type DuckDb } from '../lib/duckdb.js';
import { openCatalog } from './catalog.js';
import { lockDown } from './read-only-query.js';
import { tableMacros } from './read-only-check.js';

export interface AnalystCatalog {
  /** The read-only, locked-down database. `db.connect()` opens another connection (one per concurrent query). */
  db: DuckDb;
  /** The table version per layer the views show (bronze, silver, ...; null: never committed). */
  versions: Record<string, number | null>;
  /** Directories DuckDB may read: the lake (or the S3 download cache) and its own spill directory. */
  readDirs: string[];
  /** The catalog's table macros (silver.trades_as_of, ...), which the statement check lets analysts call. */
  macros: Set<string>;
  /** The database file, removed with its directory on close. */
  path: string;
  close(): void;
}

export async function openAnalystCatalog(options: { store: ObjectStore; threads?: number; tempDir?: string }): Promise<AnalystCatalog> {
  const dir = mkdtempSync(join(options.tempDir ?? tmpdir(), 'lakehouse-sql-'));
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  process.once('exit', removeDir);
  let db: DuckDb | undefined;
  try {
    const path = join(dir, 'lakehouse.duckdb');
    const spill = join(dir, 'spill');
    mkdirSync(spill);
    const built = await openCatalog({ store: options.store, threads: options.threads });
    try {
      const c = built.db.connection;
      const source = String((await c.runAndReadAll('SELECT current_database()')).getRows()[0][0]);
      await c.run(`ATTACH ${quotedString(path)} AS analyst_catalog`);
      await c.run(`COPY FROM DATABASE ${quotedIdentifier(source)} TO analyst_catalog`);
      await c.run('DETACH analyst_catalog');
    } finally {
      built.close();
    }
    db = await openDuckDb({
      path,
      threads: options.threads,
      config: { access_mode: 'READ_ONLY', temp_directory: spill },
    });
    // For every connection, also those opened after the lock-down (which cannot SET it any more).
    await db.connection.run("SET GLOBAL TimeZone = 'UTC'");
    const readDirs = [...built.readDirs, `${spill}/`];
    await lockDown({ db, readDirs });
    const macros = await tableMacros(db.connection);
    const instance = db.instance;
    const opened = db;
    return {
      // Connections opened after the lock-down cannot SET TimeZone; the global setting above holds for them.
      db: { ...opened, connect: (): Promise<DuckDBConnection> => instance.connect() },
      versions: built.versions,
      readDirs,
      macros,
      path,
      close() {
        opened.close();
        removeDir();
        process.removeListener('exit', removeDir);
      },
    };
  } catch (err) {
    db?.close();
    removeDir();
    process.removeListener('exit', removeDir);
    throw err;
  }
}

/** One use of a live catalog: release it when the query is done. */
export interface CatalogLease {
  catalog: AnalystCatalog;
  release(): void;
}

export interface LiveCatalog {
  /** The current catalog, reopened first when a layer has published a version since it was opened. */
  lease(): Promise<CatalogLease>;
  close(): Promise<void>;
}

interface Entry {
  catalog: AnalystCatalog;
  users: number;
  retired: boolean;
}

/**
 * Keeps the analysts' catalog open, checking at most every `recheckMs` (default 1000) whether any layer the
 * catalog shows has committed a newer version (one HEAD of `<layer>/_log/<next version>.json` per layer).
 */
export function liveAnalystCatalog(options: {
  store: ObjectStore;
  logger?: Logger;
  recheckMs?: number;
  threads?: number;
  open?: () => Promise<AnalystCatalog>;
  /** Whether the catalog is out of date (default lakeMovedOn: a layer committed a newer version). */
  moved?: (catalog: AnalystCatalog) => Promise<boolean>;
}): LiveCatalog {
  const { store, logger, recheckMs = 1000 } = options;
  const open = options.open ?? (() => openAnalystCatalog({ store, threads: options.threads }));
  const moved = options.moved ?? ((catalog: AnalystCatalog) => lakeMovedOn(store, catalog.versions));
  let current: Entry | null = null;
  let opening: Promise<void> | null = null;
  let checking: Promise<void> | null = null;
  let lastCheck = 0;
  let closed = false;

  const retire = (entry: Entry) => {
    entry.retired = true;
    if (entry.users === 0) entry.catalog.close();
  };

  const reopen = (): Promise<void> => {
    opening ??= open()
      .then((catalog) => {
        if (closed) {
          catalog.close();
          return;
        }
        const old = current;
        current = { catalog, users: 0, retired: false };
        lastCheck = Date.now();
        if (old !== null) retire(old);
        logger?.debug({ versions: catalog.versions }, 'sql catalog opened');
      })
      .finally(() => {
        opening = null;
      });
    return opening;
  };

  const check = (): Promise<void> => {
    checking ??= (async () => {
      lastCheck = Date.now();
      const entry = current;
      if (entry === null) return;
      try {
        if (await moved(entry.catalog)) await reopen();
      } catch (err) {
        // Keep answering from the version we have; the next check tries again.
        logger?.error({ err }, 'sql catalog: checking for or opening a new table version failed; serving the previous version');
      }
    })().finally(() => {
      checking = null;
    });
    return checking;
  };

  return {
    async lease() {
      if (closed) throw new Error('the SQL catalog is closed');
      if (current === null) await reopen();
      else if (Date.now() - lastCheck >= recheckMs) await check();
      const entry = current;
      if (entry === null) throw new Error('the SQL catalog is closed');
      entry.users += 1;
      let released = false;
      return {
        catalog: entry.catalog,
        release() {
          if (released) return;
          released = true;
          entry.users -= 1;
          if (entry.retired && entry.users === 0) entry.catalog.close();
        },
      };
    },
    async close() {
      closed = true;
      await opening?.catch(() => undefined);
      if (current !== null) retire(current);
      current = null;
    },
  };
}

/** Whether any layer in `versions` has committed the version after the one shown (its log is `<layer>/_log/`). */
export async function lakeMovedOn(store: ObjectStore, versions: Record<string, number | null>): Promise<boolean> {
  const next = await Promise.all(
    Object.entries(versions).map(([layer, v]) => store.head(`${layer}/_log/${String((v ?? 0) + 1).padStart(20, '0')}.json`)),
  );
  return next.some((info) => info !== null);
}
