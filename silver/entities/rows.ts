/** The rows of one query as JSON-ready objects: for the few small results silver reads back (counts, checks). */
import type { DuckDBConnection } from '../../lib/duckdb.js';

export type Row = Record<string, string | number | boolean | null>;

export async function rows(db: DuckDBConnection, sql: string): Promise<Row[]> {
  const reader = await db.runAndReadAll(sql);
  return reader.getRowObjectsJson() as Row[];
}
