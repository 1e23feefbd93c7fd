/**
 * A query result written as Parquet without unlocking the analyst's database: the result's chunks are appended
 * to a table in a separate, private in-memory DuckDB (same column types), which writes the file. The file
 * appears whole or not at all (written beside the target, then renamed).
 */
import { renameSync, rmSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { type DuckDBAppender, type DuckDBDataChunk, type DuckDBType } from '@duckdb/node-api';
import { openDuckDb, quotedIdentifier, quotedString, type DuckDb } from '../lib/duckdb.js';
import type { ChunkSink, ResultColumn } from './read-only-query.js';

export class ParquetSink implements ChunkSink {
  private db: DuckDb | null = null;
  private appender: DuckDBAppender | null = null;

  async start(columns: ResultColumn[], types: DuckDBType[]): Promise<void> {
    this.db = await openDuckDb({ threads: 1 });
    // Same names (made unique) and types as the result, so its chunks append as they are.
    const defs = columns.map((c, i) => `${quotedIdentifier(c.name)} ${types[i].toString()}`);
    await this.db.connection.run(`CREATE TABLE result (${defs.join(', ')})`);
    this.appender = await this.db.connection.createAppender('result');
  }

  chunk(chunk: DuckDBDataChunk): void {
    this.appender!.appendDataChunk(chunk);
  }

  /** Writes the collected rows to `path` (zstd Parquet). */
  async finish(path: string): Promise<void> {
    const db = this.db;
    if (db === null) throw new Error('ParquetSink.finish before start');
    this.appender?.flushSync();
    this.appender?.closeSync();
    this.appender = null;
    const partial = join(dirname(path), `.${basename(path)}.${process.pid}.partial`);
    try {
      await db.connection.run(`COPY result TO ${quotedString(partial)} (FORMAT parquet, COMPRESSION zstd)`);
      renameSync(partial, path);
    } catch (err) {
      rmSync(partial, { force: true });
      throw err;
    }
  }

  close(): void {
    try {
      this.appender?.closeSync();
    } catch {
      /* closing after a failed append */
    }
    this.db?.close();
    this.db = null;
  }
}
