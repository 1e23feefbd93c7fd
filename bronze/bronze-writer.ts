/**
 * Lands batches into the bronze tables (`records`, `dead_letter`) exactly once:
 * encode what is new (positions above the watermarks) -> DuckDB writes Parquet into a private staging
 * directory -> files uploaded under unique names (invisible) -> one conditional commit of the next version
 * naming them, with the advanced watermarks. Losing the commit race to another writer means: reload, and
 * if that writer landed some of the same positions, drop the files and encode again without them.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, open, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { ObjectStore } from '../store/object-store.js';
import { openDuckDb, quotedString, sqlFile, type DuckDb } from '../lib/duckdb.js';
import { PreconditionFailedError, TransientError } from '../lib/errors.js';
import { silentLogger, type Logger } from '../lib/log.js';
import { TableLog, type Versioned } from '../lib/table-log.js';
import { bronzeManifestSchema, emptyBronzeManifest, type BronzeManifest, type DataFile } from './manifest.js';
import { encodeBatch, type EncodedBatch, type LandingBatch } from './encode-batch.js';
import { stagingCsvOptions } from './staging-encoder.js';
import { mapLimited } from '../lib/concurrency.js';
import { failpoint } from '../lib/failpoint.js';

export interface BronzeWriterOptions {
  store: ObjectStore;
  /** Key prefix of the bronze tables in the store. */
  root?: string;
  /** Scratch space for staging files; tmpfs when the machine has it. */
  stagingDir?: string;
  compression?: 'zstd' | 'snappy' | 'uncompressed';
  maxRecordBytes?: number;
  duckdbThreads?: number;
  maxCommitAttempts?: number;
  uploadConcurrency?: number;
  logger?: Logger;
  clock?: () => number;
}

export interface LandResult {
  version: number | null;
  batchId: string;
  landed: number;
  deadLettered: number;
  alreadyLanded: number;
  files: number;
}

export function bronzeLog(store: ObjectStore, root = 'bronze'): TableLog<BronzeManifest> {
  return new TableLog(store, root, bronzeManifestSchema);
}

export class BronzeWriter {
  private current: Versioned<BronzeManifest> | null = null;

  private constructor(
    private readonly options: Required<Omit<BronzeWriterOptions, 'logger' | 'clock' | 'duckdbThreads'>> & { logger: Logger; clock: () => number },
    private readonly log: TableLog<BronzeManifest>,
    private readonly db: DuckDb,
  ) {}

  static async open(options: BronzeWriterOptions): Promise<BronzeWriter> {
    const root = options.root ?? 'bronze';
    const full = {
      store: options.store, root,
      stagingDir: options.stagingDir ?? join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'lakehouse-staging'),
      compression: options.compression ?? 'zstd', maxRecordBytes: options.maxRecordBytes ?? 1_048_576,
      maxCommitAttempts: options.maxCommitAttempts ?? 50, uploadConcurrency: options.uploadConcurrency ?? 4,
      logger: (options.logger ?? silentLogger).child({ module: 'bronze' }), clock: options.clock ?? Date.now,
    };
    const db = await openDuckDb({ threads: options.duckdbThreads });
    const writer = new BronzeWriter(full, bronzeLog(options.store, root), db);
    await writer.refresh();
    return writer;
  }

  /** Reloads the newest committed version (another process may have committed). */
  async refresh(): Promise<void> {
    this.current = await this.log.latest();
  }

  get version(): number | null {
    return this.current?.version ?? null;
  }

  watermarks(): Record<string, string> {
    return this.current?.manifest.watermarks ?? {};
  }

  async land(batch: LandingBatch): Promise<LandResult> {
    const batchId = randomUUID();
    const log = this.options.logger;
    for (let attempt = 1; ; attempt++) {
      const base = this.current;
      const ingestMs = this.options.clock();
      const encoded = encodeBatch(batch, base?.manifest.watermarks ?? {}, ingestMs);
      const result: LandResult = { version: base?.version ?? null, batchId, landed: encoded.landed, deadLettered: encoded.deadLettered, alreadyLanded: encoded.alreadyLanded, files: 0 };
      if (encoded.landed + encoded.deadLettered === 0) return result;

      const files = await this.writeFiles(batch, encoded, `${batchId}-${attempt}`, ingestMs);
      failpoint('bronze.after-upload');
      for (let retry = 0; ; retry++) {
        const head = this.current;
        const next = nextManifest(head, files, encoded, batchId, ingestMs);
        try {
          await this.log.commit(next.version, next);
          this.current = { version: next.version, manifest: next };
          failpoint('bronze.after-commit');
          log.debug({ version: next.version, landed: encoded.landed, deadLettered: encoded.deadLettered, files: files.length }, 'bronze batch committed');
          return { ...result, version: next.version, files: files.length };
        } catch (err) {
          if (!(err instanceof PreconditionFailedError)) {
            await this.discard(files);
            throw err;
          }
          await this.refresh();
          if (retry + attempt > this.options.maxCommitAttempts) {
            await this.discard(files);
            throw new TransientError('bronze commit kept losing to other writers', { attempts: retry + attempt });
          }
          // Another writer committed first. If it landed none of our positions, our files still hold; commit on top of it.
          if (!overlaps(encoded, base, this.current)) continue;
          log.info({ batchId }, 'another writer landed part of this batch first; encoding it again');
          await this.discard(files);
          break;
        }
      }
    }
  }

  private async writeFiles(batch: LandingBatch, encoded: EncodedBatch, fileId: string, ingestMs: number): Promise<DataFile[]> {
    const dir = join(this.options.stagingDir, fileId);
    await mkdir(dir, { recursive: true });
    try {
      const common = {
        ingested_at: quotedString(new Date(ingestMs).toISOString()), batch_id: quotedString(fileId),
        compression: this.options.compression, file_pattern: quotedString(`part-${fileId}-{i}`),
      };
      const files: DataFile[] = [];
      if (encoded.encoder.rows > 0) {
        const staging = join(dir, 'records.csv');
        const fh = await open(staging, 'w');
        try {
          await fh.writev(encoded.encoder.contents());
        } finally {
          await fh.close();
        }
        files.push(...await this.copy('records', sqlFile('bronze/land_records', {
          ...common, staging_file: quotedString(staging), out_dir: quotedString(join(dir, 'records')),
          csv_options: stagingCsvOptions(this.options.maxRecordBytes),
          source: quotedString(batch.source),
          file_sha256: batch.kind === 'file' ? quotedString(batch.sha256) : 'NULL::VARCHAR',
          line: batch.kind === 'file' ? '("offset" + 1)::BIGINT' : 'NULL::BIGINT',
        }), dir, fileId));
      }
      if (encoded.deadLetters.length > 0) {
        const staging = join(dir, 'dead_letter.jsonl');
        await writeFile(staging, encoded.deadLetters.map((d) => JSON.stringify(d)).join('\n') + '\n');
        files.push(...await this.copy('dead_letter', sqlFile('bronze/land_dead_letter', {
          ...common, staging_file: quotedString(staging), out_dir: quotedString(join(dir, 'dead_letter')),
        }), dir, fileId));
      }
      return files;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  private async copy(table: 'records' | 'dead_letter', sql: string, dir: string, fileId: string): Promise<DataFile[]> {
    const reader = await this.db.connection.runAndReadAll(sql);
    const stats = reader.getRowObjectsJson() as { filename: string; count: string; file_size_bytes: string; partition_keys: { key: string; value: string }[] }[];
    const files = stats.map((s) => {
      const keys = Object.fromEntries(s.partition_keys.map((p) => [p.key, p.value]));
      return {
        local: s.filename,
        file: {
          path: `${table}/${relative(join(dir, table), s.filename).split('\\').join('/')}`,
          rows: Number(s.count), bytes: Number(s.file_size_bytes),
          topic: keys.topic ?? null, dt: keys.dt ?? null, batchId: fileId,
        } satisfies DataFile,
      };
    });
    await mapLimited(files, this.options.uploadConcurrency, ({ local, file }) => this.options.store.putFile(`${this.options.root}/${file.path}`, local, { move: true }));
    return files.map((f) => f.file);
  }

  private async discard(files: DataFile[]): Promise<void> {
    await Promise.all(files.map((f) => this.options.store.delete(`${this.options.root}/${f.path}`).catch(() => undefined)));
  }

  close(): void {
    this.db.close();
  }
}

function nextManifest(head: Versioned<BronzeManifest> | null, files: DataFile[], encoded: EncodedBatch, batchId: string, nowMs: number): BronzeManifest {
  const prev = head?.manifest ?? emptyBronzeManifest();
  const watermarks = { ...prev.watermarks };
  for (const [key, value] of Object.entries(encoded.watermarks)) {
    const old = watermarks[key];
    watermarks[key] = old !== undefined && BigInt(old) >= BigInt(value) ? old : value;
  }
  return {
    format: 1,
    version: (head?.version ?? 0) + 1,
    committedAt: new Date(nowMs).toISOString(),
    batchId,
    tables: {
      records: [...prev.tables.records, ...files.filter((f) => f.path.startsWith('records/'))],
      dead_letter: [...prev.tables.dead_letter, ...files.filter((f) => f.path.startsWith('dead_letter/'))],
    },
    watermarks,
    totals: { records: prev.totals.records + encoded.landed, deadLettered: prev.totals.deadLettered + encoded.deadLettered },
  };
}

/** True when `now` landed positions of this batch that `base` (what the batch was encoded against) had not. */
function overlaps(encoded: EncodedBatch, base: Versioned<BronzeManifest> | null, now: Versioned<BronzeManifest> | null): boolean {
  for (const key of Object.keys(encoded.watermarks)) {
    if ((base?.manifest.watermarks[key] ?? null) !== (now?.manifest.watermarks[key] ?? null)) return true;
  }
  return false;
}
