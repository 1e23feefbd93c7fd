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
import { join } from 'node:path';
import type { ObjectStore } from '../store/object-store.js';
import { openDuckDb, quotedString, sqlFile, type DuckDb } from '../lib/duckdb.js';
import { PreconditionFailedError, TransientError } from '../lib/errors.js';
import { silentLogger, type Logger } from '../lib/log.js';
import { TableLog, type Versioned } from '../lib/table-log.js';
import { bronzeManifestSchema, emptyBronzeManifest, type BronzeManifest, type DataFile } from './manifest.js';
import { encodeBatch, type EncodedBatch, type LandingBatch } from './encode-batch.js';
import { stagingCsvOptions } from './staging-encoder.js';
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
      maxCommitAttempts: options.maxCommitAttempts ?? 50,
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
      const t0 = performance.now();
      const encoded = encodeBatch(batch, base?.manifest.watermarks ?? {}, ingestMs);
      const t1 = performance.now();
      const result: LandResult = { version: base?.version ?? null, batchId, landed: encoded.landed, deadLettered: encoded.deadLettered, alreadyLanded: encoded.alreadyLanded, files: 0 };
      if (encoded.landed + encoded.deadLettered === 0) return result;

      let files: DataFile[];
      try {
        files = await this.writeFiles(batch, encoded, `${batchId}-${attempt}`, ingestMs);
      } finally {
        encoded.encoder.release();
      }
      const t2 = performance.now();
      failpoint('bronze.after-upload');
      for (let retry = 0; ; retry++) {
        const head = this.current;
        const next = nextManifest(head, files, encoded, batchId, ingestMs);
        try {
          await this.log.commit(next.version, next);
          this.current = { version: next.version, manifest: next };
          failpoint('bronze.after-commit');
          const ms = (a: number, b: number) => Math.round(b - a);
          log.debug({ version: next.version, landed: encoded.landed, deadLettered: encoded.deadLettered, files: files.length,
            encodeMs: ms(t0, t1), writeMs: ms(t1, t2), commitMs: ms(t2, performance.now()) }, 'bronze batch committed');
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
    const timing: Record<string, number> = { stageMs: 0, copyMs: 0, uploadMs: 0 };
    let mark = performance.now();
    const lap = (name: string) => { const now = performance.now(); timing[name] += Math.round(now - mark); mark = now; };
    const dir = join(this.options.stagingDir, fileId);
    await mkdir(dir, { recursive: true });
    const common = {
      ingested_at: quotedString(new Date(ingestMs).toISOString()), batch_id: quotedString(fileId),
      compression: this.options.compression === 'zstd' ? 'zstd, COMPRESSION_LEVEL 1' : this.options.compression,
    };
    const files: DataFile[] = [];
    try {
      for (const [i, staged] of encoded.encoder.all().entries()) {
        const staging = join(dir, `${i}.csv`);
        const fh = await open(staging, 'w');
        try {
          await fh.writev(staged.contents());
        } finally {
          await fh.close();
        }
        lap('stageMs');
        files.push(await this.copy(`records/topic=${staged.topic}/dt=${staged.dt}/part-${fileId}.parquet`, sqlFile('bronze/land_records', {
          ...common, staging_file: quotedString(staging), out_file: quotedString(join(dir, `${i}.parquet`)),
          csv_options: stagingCsvOptions(this.options.maxRecordBytes), dt: quotedString(staged.dt),
          source: quotedString(batch.source),
          file_sha256: batch.kind === 'file' ? quotedString(batch.sha256) : 'NULL::VARCHAR',
          line: batch.kind === 'file' ? '("offset" + 1)::BIGINT' : 'NULL::BIGINT',
        }), { topic: staged.topic, dt: staged.dt, fileId }, lap));
      }
      if (encoded.deadLetters.length > 0) {
        const staging = join(dir, 'dead_letter.jsonl');
        await writeFile(staging, encoded.deadLetters.map((d) => JSON.stringify(d)).join('\n') + '\n');
        const dt = new Date(ingestMs).toISOString().slice(0, 10);
        files.push(await this.copy(`dead_letter/dt=${dt}/part-${fileId}.parquet`, sqlFile('bronze/land_dead_letter', {
          ...common, staging_file: quotedString(staging), out_file: quotedString(join(dir, 'dead_letter.parquet')), dt: quotedString(dt),
        }), { topic: null, dt, fileId }, lap));
      }
      this.options.logger.debug({ ...timing, rows: encoded.encoder.rows, files: files.length }, 'bronze files written');
      return files;
    } catch (err) {
      await this.discard(files);
      throw err;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** Runs one COPY into a local Parquet file and uploads it under `path` (relative to the bronze root). */
  private async copy(path: string, sql: string, meta: { topic: string | null; dt: string; fileId: string }, lap: (name: string) => void): Promise<DataFile> {
    const reader = await this.db.connection.runAndReadAll(sql);
    lap('copyMs');
    const [stats] = reader.getRowObjectsJson() as { filename: string; count: string; file_size_bytes: string }[];
    await this.options.store.putFile(`${this.options.root}/${path}`, stats.filename, { move: true });
    lap('uploadMs');
    return { path, rows: Number(stats.count), bytes: Number(stats.file_size_bytes), topic: meta.topic, dt: meta.dt, batchId: meta.fileId };
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
