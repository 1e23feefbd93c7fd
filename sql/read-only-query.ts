/**
 * Runs one analyst query against the catalog, read-only for real: one statement, of a reading type only,
 * with file access outside the lake's directories and any configuration change switched off in DuckDB itself,
 * a time limit (the query is interrupted) and a row limit.
 */
import { StatementType } from '@duckdb/node-api';
import type { Catalog } from './catalog.js';
import { quotedList } from '../lib/duckdb.js';
import { LakehouseError, UsageError } from '../lib/errors.js';

export interface QueryResult {
  columns: { name: string; type: string }[];
  rows: Record<string, unknown>[];
  truncated: boolean;
}

const readingTypes = new Set<StatementType>([StatementType.SELECT, StatementType.EXPLAIN]);

/** Freezes the catalog's connection: reads only from its own directories, no configuration changes after this. */
export async function lockDown(catalog: Catalog): Promise<void> {
  const c = catalog.db.connection;
  if (catalog.readDirs.length > 0) await c.run(`SET allowed_directories = ${quotedList(catalog.readDirs)}`);
  await c.run('SET enable_external_access = false');
  await c.run('SET lock_configuration = true');
}

export async function runReadOnlyQuery(catalog: Catalog, sql: string, options: { timeoutMs?: number; maxRows?: number } = {}): Promise<QueryResult> {
  const { timeoutMs = 300_000, maxRows = 1_000_000 } = options;
  const c = catalog.db.connection;
  let extracted;
  try {
    extracted = await c.extractStatements(sql);
  } catch (err) {
    throw new UsageError(`query does not parse: ${(err as Error).message}`);
  }
  if (extracted.count === 0) throw new UsageError('the query is empty');
  if (extracted.count > 1) throw new UsageError(`one statement at a time: the query has ${extracted.count}`);
  let prepared;
  try {
    prepared = await extracted.prepare(0);
  } catch (err) {
    throw new UsageError(`query refused: ${(err as Error).message.split('\n')[0]}`);
  }
  if (!readingTypes.has(prepared.statementType)) {
    throw new UsageError(`read-only: ${StatementType[prepared.statementType]} statements are refused; use SELECT, WITH or EXPLAIN`);
  }
  const timer = setTimeout(() => c.interrupt(), timeoutMs);
  try {
    const reader = await prepared.runAndReadUntil(maxRows + 1);
    const names = reader.columnNames();
    const types = reader.columnTypes().map((t) => t.toString());
    const all = reader.getRowObjectsJson() as Record<string, unknown>[];
    const truncated = all.length > maxRows;
    const rows = (truncated ? all.slice(0, maxRows) : all).map((row) => normaliseRow(row, names, types));
    return { columns: names.map((name, i) => ({ name, type: types[i] })), rows, truncated };
  } catch (err) {
    const message = (err as Error).message;
    if (/interrupt/i.test(message)) throw new LakehouseError(`query stopped: it ran longer than ${timeoutMs} ms`, { timeoutMs });
    throw new LakehouseError(`query failed: ${message.split('\n')[0]}`);
  } finally {
    clearTimeout(timer);
  }
}

/** Timestamps as ISO-8601 (the catalog runs in UTC). */
function normaliseRow(row: Record<string, unknown>, names: string[], types: string[]): Record<string, unknown> {
  for (let i = 0; i < names.length; i++) {
    const v = row[names[i]];
    if (typeof v !== 'string') continue;
    if (types[i] === 'TIMESTAMP WITH TIME ZONE') row[names[i]] = v.replace(' ', 'T').replace(/\+00(?::00)?$/, 'Z');
    else if (types[i].startsWith('TIMESTAMP')) row[names[i]] = v.replace(' ', 'T');
  }
  return row;
}
