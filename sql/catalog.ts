/**
 * The analysts' catalog: an in-memory DuckDB whose schemas (bronze, later silver and gold) hold views over
 * the files of each table's newest committed version. Readers see one committed version per table, never a
 * half-written batch, because only files a committed manifest names are in the views.
 */
import type { ObjectStore } from '../store/object-store.js';
import { openDuckDb, quotedList, quotedString, sqlFile, type DuckDb } from '../lib/duckdb.js';
import { bronzeLog } from '../bronze/bronze-writer.js';
import { silverLog, silverViewTables, type SilverManifest } from '../silver/manifest.js';
import { tradesRowsSql } from '../silver/trades-live.js';
import { goldLog } from '../gold/manifest.js';
import { goldViewsSql } from '../gold/views.js';
import { mapLimited } from '../lib/concurrency.js';
import { TerminalError } from '../lib/errors.js';
import { createMetricsViews } from '../metrics/views.js';

export interface Catalog {
  db: DuckDb;
  versions: Record<string, number | null>;
  /** Local directories the views read from (the lake, or the S3 download cache). */
  readDirs: string[];
  /** bronze.records' files in the order the bronze manifest lists them (appended batch by batch): names and local paths. */
  bronzeRecordFiles: { path: string; local: string }[];
  /** Bronze's per-source watermarks (highest landed position per topic/partition or file) at that version. */
  bronzeWatermarks: Record<string, string>;
  /** The silver version the silver views read (null before the first silver build). */
  silverManifest: SilverManifest | null;
  close(): void;
}

const bronzeTables = ['records', 'dead_letter'] as const;

export interface OpenCatalogOptions {
  store: ObjectStore;
  threads?: number;
  /** Silver at this version rather than the newest (a report reproduced from the inputs it was made from). */
  silverVersion?: number;
  /** The gold views (default true); a gold build reads silver only. */
  gold?: boolean;
  /** The bronze views and record files (default true); a gold build or report reads silver only. */
  bronze?: boolean;
  /** metrics.runs (the run log) and the views over it (default true). */
  metrics?: boolean;
}

export async function openCatalog(options: OpenCatalogOptions): Promise<Catalog> {
  const { store } = options;
  const db = await openDuckDb({ threads: options.threads });
  try {
    const bronze = options.bronze === false ? null : await bronzeLog(store).latest();
    await db.connection.run('CREATE SCHEMA IF NOT EXISTS bronze');
    const readDirs = new Set<string>();
    const bronzeRecordFiles: Catalog['bronzeRecordFiles'] = [];
    for (const table of options.bronze === false ? [] : bronzeTables) {
      const files = bronze?.manifest.tables[table] ?? [];
      const paths = await mapLimited(files, 8, (f) => store.localPath(`bronze/${f.path}`));
      if (table === 'records') bronzeRecordFiles.push(...files.map((f, i) => ({ path: f.path, local: paths[i] })));
      for (const p of paths) readDirs.add(p.slice(0, p.lastIndexOf('/bronze/') + 1) || p);
      const source = paths.length === 0 ? sqlFile(`bronze/${table}.empty`) : `read_parquet(${quotedList(paths)})`;
      await db.connection.run(sqlFile(`bronze/${table}`, { source }));
    }
    const silver = options.silverVersion === undefined ? await silverLog(store).latest() : await silverAt(store, options.silverVersion);
    if (silver !== null) {
      await db.connection.run('CREATE SCHEMA IF NOT EXISTS silver');
      const sources: Record<string, string> = {};
      for (const table of silverViewTables) {
        const files = silver.manifest.tables[table] ?? [];
        const paths = await mapLimited(files, 8, (f) => store.localPath(`silver/${f.path}`));
        for (const p of paths) readDirs.add(p.slice(0, p.lastIndexOf('/silver/') + 1) || p);
        // trades' live rows are merged on read (their segments less the deletes). A version written before the table
        // existed: an empty view until the next build.
        const trades = table === 'trades_history' || table === 'trades_current' ? tradesRowsSql(files.map((file, i) => ({ file, local: paths[i] }))) : null;
        sources[table] = trades ?? (paths.length === 0 ? '(SELECT NULL AS not_built WHERE false)' : `read_parquet(${quotedList(paths)})`);
      }
      await db.connection.run(sqlFile('silver/views', { ...sources, business_date: `DATE ${quotedString(silver.manifest.businessDate)}` }));
    }
    const gold = options.gold === false ? null : await goldLog(store).latest();
    if (gold !== null) {
      const local = async (path: string) => {
        const p = await store.localPath(`gold/${path}`);
        readDirs.add(p.slice(0, p.lastIndexOf('/gold/') + 1) || p);
        return p;
      };
      for (const sql of await goldViewsSql(gold.manifest, local)) await db.connection.run(sql);
    }
    if (options.metrics !== false) await createMetricsViews(db.connection, store);
    return { db, versions: { bronze: bronze?.version ?? null, silver: silver?.version ?? null, gold: gold?.version ?? null }, readDirs: [...readDirs], bronzeRecordFiles, bronzeWatermarks: bronze?.manifest.watermarks ?? {}, silverManifest: silver?.manifest ?? null, close: () => db.close() };
  } catch (err) {
    db.close();
    throw err;
  }
}

async function silverAt(store: ObjectStore, version: number) {
  const manifest = await silverLog(store).read(version);
  if (manifest === null) throw new TerminalError(`silver has no version ${version}`, { silverVersion: version });
  return { version, manifest };
}
