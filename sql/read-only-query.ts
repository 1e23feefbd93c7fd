/**
 * Runs one analyst query, read-only for real: the statement is checked first (read-only-check.ts: one statement,
 * a query or EXPLAIN of one, no file-reading or settings-changing functions), then run with a time limit (the
 * query is interrupted) and a row limit, on a connection whose database is locked down (lockDown: no file access
 * outside the lake's directories, no configuration change; the analysts' catalog is also opened read-only,
 * analyst-catalog.ts).
 */
import { JsonDuckDBValueConverter, type DuckDBConnection, type DuckDBDataChunk, type DuckDBType } from '@duckdb/node-api';
import { quotedList, type DuckDb } from '../lib/duckdb.js';
import { LakehouseError } from '../lib/errors.js';
import { prepareReadOnly, tableMacros } from './read-only-check.js';

export { QueryRefusedError } from './read-only-check.js';

export interface ResultColumn {
  name: string;
  type: string;
}

export interface QueryResult {
  columns: ResultColumn[];
  rows: Record<string, unknown>[];
  truncated: boolean;
}

export interface QueryOptions {
  /** Stop the query (check, run and read) after this long; default 300000. */
  timeoutMs?: number;
  /** Return at most this many rows; `truncated` says whether there were more. Default 1000000. */
  maxRows?: number;
  /** The connection to run on (one per concurrent query, so a time limit interrupts only its own); default the catalog's. */
  connection?: DuckDBConnection;
}

/** What a query runs against: the analysts' catalog (analyst-catalog.ts) or any catalog holding the views. */
export interface QueryTarget {
  db: DuckDb;
  /** The catalog's table macros, when known (looked up otherwise). */
  macros?: Set<string>;
}

/** Receives a result chunk by chunk: the column names (made unique) and types first, then the rows. */
export interface ChunkSink {
  start(columns: ResultColumn[], types: DuckDBType[]): void | Promise<void>;
  chunk(chunk: DuckDBDataChunk): void | Promise<void>;
}

/** The query ran past its time limit and was interrupted: exit 1 on the command line, 504 over HTTP. */
export class QueryTimeoutError extends LakehouseError {}

/** The query was accepted but failed while running (a bad cast, out of memory): exit 1, 400 over HTTP. */
export class QueryFailedError extends LakehouseError {}

/** Freezes a database: reads only from the given directories, no extension loading, no configuration change after this. */
export async function lockDown(target: { db: DuckDb; readDirs: string[] }): Promise<void> {
  const c = target.db.connection;
  await c.run('SET autoinstall_known_extensions = false');
  await c.run('SET autoload_known_extensions = false');
  if (target.readDirs.length > 0) await c.run(`SET allowed_directories = ${quotedList(target.readDirs)}`);
  await c.run('SET enable_external_access = false');
  await c.run('SET lock_configuration = true');
}

const macroCache = new WeakMap<DuckDb, Set<string>>();

/** Runs the query and streams its result into `sink`. */
export async function streamReadOnlyQuery(target: QueryTarget, sql: string, options: QueryOptions, sink: ChunkSink): Promise<{ rowCount: number; truncated: boolean }> {
  const { timeoutMs = 300_000, maxRows = 1_000_000 } = options;
  const c = options.connection ?? target.db.connection;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    c.interrupt();
  }, timeoutMs);
  const stopped = () => new QueryTimeoutError(`query stopped: it ran longer than its time limit of ${timeoutMs} ms`);
  try {
    let macros = target.macros ?? macroCache.get(target.db);
    if (macros === undefined) {
      macros = await tableMacros(c);
      macroCache.set(target.db, macros);
    }
    const prepared = await prepareReadOnly(c, sql, macros);
    try {
      const result = await prepared.stream();
      const names = result.deduplicatedColumnNames();
      const types = result.columnTypes();
      await sink.start(names.map((name, i) => ({ name, type: types[i].toString() })), types);
      let rowCount = 0;
      let truncated = false;
      for (;;) {
        const chunk = await result.fetchChunk();
        if (chunk === null || chunk.rowCount === 0) break;
        if (rowCount >= maxRows) {
          truncated = true;
          break;
        }
        if (rowCount + chunk.rowCount > maxRows) {
          chunk.rowCount = maxRows - rowCount;
          truncated = true;
        }
        rowCount += chunk.rowCount;
        await sink.chunk(chunk);
        if (truncated) break;
      }
      return { rowCount, truncated };
    } finally {
      prepared.destroySync();
    }
  } catch (err) {
    if (timedOut) throw stopped();
    if (err instanceof LakehouseError) throw err;
    throw new QueryFailedError(`query failed: ${(err as Error).message.split('\n')[0]}`);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs the query and returns its rows as JSON values (timestamps ISO-8601, DECIMALs and BIGINTs as strings). */
export async function runReadOnlyQuery(target: QueryTarget, sql: string, options: QueryOptions = {}): Promise<QueryResult> {
  const sink = new JsonRowsSink();
  const { truncated } = await streamReadOnlyQuery(target, sql, options, sink);
  return { columns: sink.columns, rows: sink.rows, truncated };
}

/** Collects a result as JSON row objects keyed by (unique) column name. */
export class JsonRowsSink implements ChunkSink {
  columns: ResultColumn[] = [];
  rows: Record<string, unknown>[] = [];

  start(columns: ResultColumn[]): void {
    this.columns = columns;
  }

  chunk(chunk: DuckDBDataChunk): void {
    const names = this.columns.map((c) => c.name);
    const types = this.columns.map((c) => c.type);
    for (const values of chunk.convertRows(JsonDuckDBValueConverter)) {
      const row: Record<string, unknown> = {};
      for (let i = 0; i < names.length; i++) row[names[i]] = jsonValue(values[i], types[i]);
      this.rows.push(row);
    }
  }
}

/** Timestamps as ISO-8601 (the catalog runs in UTC). */
function jsonValue(v: unknown, type: string): unknown {
  if (typeof v !== 'string') return v;
  if (type === 'TIMESTAMP WITH TIME ZONE') return v.replace(' ', 'T').replace(/\+00(?::00)?$/, 'Z');
  if (type.startsWith('TIMESTAMP')) return v.replace(' ', 'T');
  return v;
}
