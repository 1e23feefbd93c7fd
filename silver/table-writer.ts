/** What silver's builds share: the bucket of a row, the entity key of a raw record, and the writer of table files. */
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { quotedList, quotedString, type DuckDBConnection } from '../lib/duckdb.js';
import type { ObjectStore } from '../store/object-store.js';
import type { SilverFile, SilverTable } from './manifest.js';
import { rows } from './entities/rows.js';

/** The entity key of a raw record of a topic keyed by `keyFields`, from its payload; NULL when not JSON or no key. */
export function recordKeySql(keyFields: string[], value = '"value"'): string {
  const json = `CASE WHEN json_valid(${value}) THEN ${value} END`;
  return keyFields.map((f) => `json_extract_string(${json}, ${quotedString(`$.${JSON.stringify(f)}`)})`).join(` || '|' || `);
}

/** How messages name a raw record: its topic, partition and offset, or its line of a record file (as topic_records.sql). */
export const recordPositionSql = `CASE WHEN file_sha256 IS NULL THEN topic || '/' || "partition" || '@' || "offset"
  ELSE 'line ' || line || ' of file ' || left(file_sha256, 12) END`;

/**
 * A row's bucket: a stable hash (MD5) of its entity key, or, for records and quarantine rows (`byPosition`), of the
 * record's position when it has no key. md5_number_upper (64 bits) gives the buckets md5_number gave for 16 of them;
 * md5_number's 128-bit remainder cost ~5 µs a row.
 */
export function bucketSql(key: string, buckets: number, byPosition = false): string {
  const position = `'@' || topic || '/' || coalesce(CAST("partition" AS VARCHAR), '') || '/' || coalesce(CAST("offset" AS VARCHAR), '') || '/' || coalesce(file_sha256, '') || '/' || coalesce(CAST(line AS VARCHAR), '')`;
  return `CAST(md5_number_upper(${byPosition ? `coalesce(${key}, ${position})` : key}) % ${buckets} AS INTEGER)`;
}

const fastWrite = 'COMPRESSION_LEVEL 1, DICTIONARY_SIZE_LIMIT 1, ROW_GROUP_SIZE 32768';

/** Where a file sits in its table: one topic's rows (`records`, `quarantine`), one bucket, one part (trades_history). */
export interface FileMeta {
  topic?: string;
  bucket?: number;
  part?: SilverFile['part'];
  /** trades_history's live segments: the version that wrote the rows (silver/trades-live.ts). */
  seg?: number;
}

/**
 * Writes table files under names nobody else uses and remembers them, so that an unpublished build can remove them.
 * Parquet with zstd; no dictionary attempts (`dictionary`: false) where most string columns are unique or the table is
 * rewritten often: building the dictionaries cost half of a COPY of trade rows. Those files are also compressed at
 * zstd's level 1 (a third faster than the default 3, 5% larger) and have row groups of 32,768 rows, not 122,880: DuckDB
 * reads a file a row group per thread, and a bucket's file is read and written whole.
 */
export class TableWriter {
  constructor(
    private readonly db: DuckDBConnection,
    private readonly store: ObjectStore,
    private readonly dir: string,
    readonly version: number,
    private readonly written: SilverFile[],
  ) {}

  /** One file per bucket of `source` (which has a `_bucket` column), for the given buckets; none for an empty bucket. */
  async buckets(table: SilverTable, source: string, buckets: number[], meta: FileMeta): Promise<SilverFile[]> {
    const out: SilverFile[] = [];
    for (const bucket of [...buckets].sort((a, b) => a - b)) {
      const file = await this.write(table, `SELECT * EXCLUDE (_bucket) FROM ${source} WHERE _bucket = ${bucket}`, { ...meta, bucket });
      if (file !== null) out.push(file);
    }
    return out;
  }

  async whole(table: SilverTable, source: string): Promise<SilverFile[]> {
    const file = await this.write(table, `SELECT * FROM ${source}`, {});
    return file === null ? [] : [file];
  }

  /**
   * One file per bucket (and part) of the rows `select` gives, in one statement: `select` has a `_bucket` column (and
   * `_part` when `byPart`), which the files leave out. A bucket without rows gets no file.
   */
  async partitioned(table: SilverTable, select: string, meta: { topic?: string; byPart?: boolean; seg?: number }): Promise<SilverFile[]> {
    const dir = join(this.dir, randomUUID());
    const stats = await rows(this.db, `COPY (${select}) TO ${quotedString(dir)}
      (FORMAT parquet, COMPRESSION zstd, ${fastWrite}, PARTITION_BY (${meta.byPart ? '_part, ' : ''}_bucket), RETURN_STATS true)`);
    const out: SilverFile[] = [];
    for (const st of stats.sort((a, b) => String(a.filename).localeCompare(String(b.filename)))) {
      const local = String(st.filename);
      const bucket = Number(/\/_bucket=(\d+)\//.exec(local)?.[1]);
      const part = meta.byPart ? /\/_part=([a-z]+)\//.exec(local)?.[1] as SilverFile['part'] : undefined;
      if (!Number.isInteger(bucket) || (meta.byPart && part === undefined)) throw new Error(`silver: unexpected partition file ${local}`);
      out.push(await this.place(table, local, { topic: meta.topic, bucket, part, seg: meta.seg }, Number(st.count), Number(st.file_size_bytes)));
    }
    await rm(dir, { recursive: true, force: true });
    return out;
  }

  /** One file of the rows `select` gives; null when there are none and the file is a bucket's (or `skipEmpty`). */
  async write(table: SilverTable, select: string, meta: FileMeta, options: { skipEmpty?: boolean; dictionary?: boolean } = {}): Promise<SilverFile | null> {
    const local = join(this.dir, `${randomUUID()}.parquet`);
    const dictionary = options.dictionary === false ? `, ${fastWrite}` : '';
    const [stats] = await rows(this.db, `COPY (${select}) TO ${quotedString(local)} (FORMAT parquet, COMPRESSION zstd${dictionary}, RETURN_STATS true)`);
    if (Number(stats.count) === 0 && (meta.bucket !== undefined || options.skipEmpty)) {
      await rm(local, { force: true });
      return null;
    }
    return this.place(table, local, meta, Number(stats.count), Number(stats.file_size_bytes));
  }

  /** Moves a written file into the store under a name of its own, and remembers it. */
  private async place(table: SilverTable, local: string, meta: FileMeta, count: number, bytes: number): Promise<SilverFile> {
    const where = [meta.part === undefined ? '' : `${meta.part}/`, meta.topic === undefined ? '' : `${meta.topic}/`, meta.bucket === undefined ? '' : `b${String(meta.bucket).padStart(3, '0')}/`].join('');
    const name = `${table}/${where}v${String(this.version).padStart(6, '0')}-${randomUUID()}.parquet`;
    await this.store.putFile(`silver/${name}`, local, { move: true });
    const file: SilverFile = { path: name, rows: count, bytes, ...Object.fromEntries(Object.entries(meta).filter(([, v]) => v !== undefined)) };
    this.written.push(file);
    return file;
  }
}

/** A bucket holding this many segments of an append-only part merges the small ones. */
export const maxSegments = 8;

/**
 * The files of an append-only table part (one topic's, or one part's) after a build added its segments: a bucket
 * holding more than maxSegments of them merges all but its largest into one. `local` gives the files' local paths.
 */
export async function compactSegments(
  writer: TableWriter, local: (files: SilverFile[]) => Promise<string[]>, table: SilverTable, files: SilverFile[], meta: Omit<FileMeta, 'bucket'> = {},
): Promise<SilverFile[]> {
  const byBucket = new Map<number, SilverFile[]>();
  const out: SilverFile[] = [];
  for (const f of files) {
    if (f.bucket === undefined) out.push(f);
    else byBucket.set(f.bucket, [...(byBucket.get(f.bucket) ?? []), f]);
  }
  for (const [bucket, here] of [...byBucket].sort((a, b) => a[0] - b[0])) {
    if (here.length <= maxSegments) {
      out.push(...here);
      continue;
    }
    const largest = here.reduce((x, y) => (y.rows > x.rows ? y : x));
    const merged = await writer.write(table, `SELECT * FROM read_parquet(${quotedList(await local(here.filter((f) => f !== largest)))})`, { ...meta, bucket }, { dictionary: false });
    out.push(largest, ...(merged === null ? [] : [merged]));
  }
  return out;
}
