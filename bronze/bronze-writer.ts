/**
 * Lands batches into the bronze tables (`records`, `dead_letter`) exactly once:
 * encode what is new (positions above the watermarks) -> DuckDB writes Parquet into a private staging
 * directory -> files uploaded under unique names (invisible) -> one conditional commit of the next version
 * naming them, with the advanced watermarks. Losing the commit race to another writer means: reload, and
 * if that writer landed some of the same positions, drop the files and encode again without them.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, readdir, rm, writeFile } from 'node:fs/promises';
import { existsSync, rmSync } from 'node:fs';
import { availableParallelism, hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ObjectStore } from '../store/object-store.js';
import { openDuckDb, quotedString, sqlFile, type DuckDb, type DuckDBConnection } from '../lib/duckdb.js';
import { PreconditionFailedError, TransientError } from '../lib/errors.js';
import { silentLogger, type Logger } from '../lib/log.js';
import { TableLog, type Versioned } from '../lib/table-log.js';
import { bronzeManifestSchema, emptyBronzeManifest, type BronzeManifest, type DataFile } from './manifest.js';
import { busPositionKey, encodeBatch, filePositionKey, type DeadLetterRow, type EncodedBatch, type LandingBatch } from './encode-batch.js';
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
  /** Default: one fewer than the cores, at least one. */
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
  /** Landings may overlap (one writes Parquet while the previous one uploads and commits); commits go in call order. */
  private commitTurn: Promise<boolean> = Promise.resolve(true);
  private landing = 0;
  /** Connections free for a COPY: the instance's own, and more when landings overlap. */
  private readonly idleConnections: DuckDBConnection[];
  /** Staging slot files not in use by a landing (see stage()); named `<slotPrefix>-<n>.csv` in the staging directory. */
  private readonly freeSlots: string[] = [];
  private readonly slotPrefix = `${stagingOwner}-slot-${randomUUID()}`;
  private slotCount = 0;

  private constructor(
    private readonly options: Required<Omit<BronzeWriterOptions, 'logger' | 'clock' | 'duckdbThreads'>> & { logger: Logger; clock: () => number },
    private readonly log: TableLog<BronzeManifest>,
    private readonly db: DuckDb,
  ) {
    this.idleConnections = [db.connection];
  }

  static async open(options: BronzeWriterOptions): Promise<BronzeWriter> {
    const root = options.root ?? 'bronze';
    const full = {
      store: options.store, root,
      stagingDir: options.stagingDir ?? join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'lakehouse-staging'),
      compression: options.compression ?? 'zstd', maxRecordBytes: options.maxRecordBytes ?? 1_048_576,
      maxCommitAttempts: options.maxCommitAttempts ?? 50,
      logger: (options.logger ?? silentLogger).child({ module: 'bronze' }), clock: options.clock ?? Date.now,
    };
    // The consumer's own thread (kafkajs, or the file reader) needs a core of its own: DuckDB gets the rest.
    const db = await openDuckDb({ threads: options.duckdbThreads ?? Math.max(1, availableParallelism() - 1) });
    const writer = new BronzeWriter(full, bronzeLog(options.store, root), db);
    await removeLeftovers(full.stagingDir);
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
    const encoded = encodeBatch(batch, this.watermarks(), this.options.clock());
    return this.landEncoded(encoded, batch.kind === 'bus'
      ? { kind: 'bus', bus: batch.bus, source: batch.source }
      : { kind: 'file', source: batch.source, path: batch.path, sha256: batch.sha256 });
  }

  /**
   * Lands records already encoded (the bus ingest encodes them as they arrive). Positions that bronze has by the
   * time of the commit are left out in SQL, so losing the commit race costs a COPY again, not a re-encode.
   * Consumes `encoded`: its staging chunks are released. Calls may overlap: each stages and writes its Parquet at
   * once, and commits after every earlier call has committed or failed, so versions follow the call order.
   */
  async landEncoded(encoded: EncodedBatch, origin: LandingOrigin): Promise<LandResult> {
    // A failure holds back only the landings called while it was under way; once all have settled, a new call starts afresh.
    const previousTurn = this.landing === 0 ? Promise.resolve(true) : this.commitTurn;
    let endTurn!: (ok: boolean) => void;
    this.commitTurn = new Promise((resolve) => { endTurn = resolve; });
    this.landing += 1;
    let ok = false;
    try {
      const result = await this.landInTurn(encoded, origin, previousTurn);
      ok = true;
      return result;
    } finally {
      this.landing -= 1;
      endTurn(ok);
    }
  }

  private async landInTurn(encoded: EncodedBatch, origin: LandingOrigin, previousTurn: Promise<boolean>): Promise<LandResult> {
    const batchId = randomUUID();
    const log = this.options.logger;
    const result: LandResult = { version: this.version, batchId, landed: 0, deadLettered: 0, alreadyLanded: encoded.alreadyLanded, files: 0 };
    if (encoded.encoder.rows + encoded.deadLetters.length === 0) {
      encoded.encoder.release();
      return result;
    }
    const dir = join(this.options.stagingDir, `${stagingOwner}-${batchId}`);
    await mkdir(dir, { recursive: true });
    const slots: string[] = [];
    try {
      const t0 = performance.now();
      const staged = await this.stage(encoded, slots);
      encoded.encoder.release();
      for (let attempt = 1; ; attempt++) {
        const base = this.current;
        const ingestMs = this.options.clock();
        const t1 = performance.now();
        const written = await this.writeFiles(origin, staged, encoded, base?.manifest.watermarks ?? {}, dir, `${batchId}-${attempt}`, ingestMs);
        const t2 = performance.now();
        failpoint('bronze.after-upload');
        // A watermark says "everything up to here has landed": committing past an earlier batch that failed would skip it for good.
        if (!(await previousTurn)) {
          await this.discard(written.files);
          throw new TransientError('an earlier batch failed to land; this one is not committed either', { batchId });
        }
        const landed = { ...result, landed: written.rows, deadLettered: written.deadLettered, alreadyLanded: encoded.alreadyLanded + encoded.encoder.rows - written.rows + encoded.deadLetters.length - written.deadLettered };
        for (let retry = 0; ; retry++) {
          // The files hold what was new against `base`. If a writer has since landed some of it (another process, after a
          // rebalance), they must be written again without that; commits of our own earlier batches never reach into it.
          if (takenSince(encoded.firstPositions, base, this.current)) {
            log.info({ batchId }, 'another writer landed part of this batch first; writing it again without those');
            await this.discard(written.files);
            break;
          }
          const next = nextManifest(this.current, written.files, encoded.watermarks, landed, batchId, ingestMs);
          try {
            await this.log.commit(next.version, next);
            this.current = { version: next.version, manifest: next };
            failpoint('bronze.after-commit');
            const ms = (a: number, b: number) => Math.round(b - a);
            log.debug({ version: next.version, landed: landed.landed, deadLettered: landed.deadLettered, files: written.files.length,
              stageMs: ms(t0, t1), writeMs: ms(t1, t2), commitMs: ms(t2, performance.now()) }, 'bronze batch committed');
            return { ...landed, version: next.version, files: written.files.length };
          } catch (err) {
            if (!(err instanceof PreconditionFailedError)) {
              await this.discard(written.files);
              throw err;
            }
            await this.refresh();
            if (retry + attempt > this.options.maxCommitAttempts) {
              await this.discard(written.files);
              throw new TransientError('bronze commit kept losing to other writers', { attempts: retry + attempt });
            }
            // Another writer committed first: checked at the top of the loop.
          }
        }
      }
    } finally {
      encoded.encoder.release();
      this.freeSlots.push(...slots);
      await rm(dir, { recursive: true, force: true });
    }
  }

  /**
   * Writes the staging files once; they are re-read if the commit has to be redone. Each goes into a slot file of
   * this writer, written over in place from batch to batch: a new file on tmpfs pays for every page (allocated,
   * zeroed, freed again on delete), ~0.2 s of system time per million records. `slots` receives the slots taken.
   */
  private async stage(encoded: EncodedBatch, slots: string[]): Promise<{ path: string; topic: string; dt: string; rows: number }[]> {
    const out = [];
    for (const staged of encoded.encoder.all()) {
      if (staged.rows === 0) continue; // its rows were taken back (encodeBusSegment)
      const path = this.freeSlots.pop() ?? join(this.options.stagingDir, `${this.slotPrefix}-${this.slotCount++}.csv`);
      slots.push(path);
      const fh = await open(path, 'r+').catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return open(path, 'w');
        throw err;
      });
      try {
        const bytes = staged.bytes;
        await fh.writev(staged.contents(), 0);
        await fh.truncate(bytes);
      } finally {
        await fh.close();
      }
      out.push({ path, topic: staged.topic, dt: staged.dt, rows: staged.rows });
    }
    return out;
  }

  private async writeFiles(origin: LandingOrigin, staged: { path: string; topic: string; dt: string }[], encoded: EncodedBatch, watermarks: Record<string, string>, dir: string, fileId: string, ingestMs: number): Promise<{ files: DataFile[]; rows: number; deadLettered: number }> {
    const common = {
      ingested_at: quotedString(new Date(ingestMs).toISOString()), batch_id: quotedString(fileId),
      // Payloads are unique strings: trying a dictionary for them first costs ~15% of the COPY and saves nothing.
      compression: `${this.options.compression === 'zstd' ? 'zstd, COMPRESSION_LEVEL 1' : this.options.compression}, PARQUET_VERSION V2, DICTIONARY_SIZE_LIMIT 1`,
    };
    const files: DataFile[] = [];
    let rows = 0;
    try {
      for (const [i, s] of staged.entries()) {
        const file = await this.copy(`records/topic=${s.topic}/dt=${s.dt}/part-${fileId}.parquet`, sqlFile('bronze/land_records', {
          ...common, staging_file: quotedString(s.path), out_file: quotedString(join(dir, `${fileId}-${i}.parquet`)),
          csv_options: stagingCsvOptions(this.options.maxRecordBytes), dt: quotedString(s.dt),
          source: quotedString(origin.source),
          file_sha256: origin.kind === 'file' ? quotedString(origin.sha256) : 'NULL::VARCHAR',
          line: origin.kind === 'file' ? '("offset" + 1)::BIGINT' : 'NULL::BIGINT',
          position_filter: positionFilter(origin, s.topic, encoded.firstPositions, watermarks),
        }), { topic: s.topic, dt: s.dt, fileId });
        if (file !== null) {
          files.push(file);
          rows += file.rows;
        }
      }
      const dead = encoded.deadLetters.filter((d) => isNew(origin, d, watermarks));
      if (dead.length > 0) {
        const staging = join(dir, `${fileId}-dead_letter.jsonl`);
        await writeFile(staging, dead.map((d) => JSON.stringify(d)).join('\n') + '\n');
        const dt = new Date(ingestMs).toISOString().slice(0, 10);
        const file = await this.copy(`dead_letter/dt=${dt}/part-${fileId}.parquet`, sqlFile('bronze/land_dead_letter', {
          ...common, staging_file: quotedString(staging), out_file: quotedString(join(dir, `${fileId}-dead_letter.parquet`)), dt: quotedString(dt),
        }), { topic: null, dt, fileId });
        if (file !== null) files.push(file);
      }
      return { files, rows, deadLettered: dead.length };
    } catch (err) {
      await this.discard(files);
      throw err;
    }
  }

  /** Runs one COPY into a local Parquet file and uploads it under `path` (relative to the bronze root); null when no row is new. */
  private async copy(path: string, sql: string, meta: { topic: string | null; dt: string; fileId: string }): Promise<DataFile | null> {
    const connection = this.idleConnections.pop() ?? await this.db.connect();
    let reader;
    try {
      reader = await connection.runAndReadAll(sql);
    } finally {
      this.idleConnections.push(connection);
    }
    const [stats] = reader.getRowObjectsJson() as { filename: string; count: string; file_size_bytes: string }[];
    if (Number(stats.count) === 0) {
      await rm(stats.filename, { force: true });
      return null;
    }
    await this.options.store.putFile(`${this.options.root}/${path}`, stats.filename, { move: true });
    return { path, rows: Number(stats.count), bytes: Number(stats.file_size_bytes), topic: meta.topic, dt: meta.dt, batchId: meta.fileId };
  }

  private async discard(files: DataFile[]): Promise<void> {
    await Promise.all(files.map((f) => this.options.store.delete(`${this.options.root}/${f.path}`).catch(() => undefined)));
  }

  close(): void {
    for (let i = 0; i < this.slotCount; i++) rmSync(join(this.options.stagingDir, `${this.slotPrefix}-${i}.csv`), { force: true });
    for (const c of this.idleConnections.splice(0)) if (c !== this.db.connection) c.closeSync();
    this.db.close();
  }
}

/**
 * What a writer puts in the staging directory is named `w-<host>-<pid>-...`: whether its writer is gone can only be
 * told on the same host (and pid namespace).
 */
const hostTag = createHash('sha256').update(hostname()).digest('hex').slice(0, 8);
const stagingOwner = `w-${hostTag}-${process.pid}`;

/** Deletes what writers whose process has died (killed, so nothing was cleaned up) left in the staging directory: tmpfs is memory. */
async function removeLeftovers(stagingDir: string): Promise<void> {
  const names = await readdir(stagingDir).catch(() => [] as string[]);
  for (const name of names) {
    const [, host, pid] = /^w-([0-9a-f]{8})-(\d+)-/.exec(name) ?? [];
    if (host !== hostTag || processAlive(Number(pid))) continue;
    await rm(join(stagingDir, name), { recursive: true, force: true });
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function nextManifest(head: Versioned<BronzeManifest> | null, files: DataFile[], covered: Record<string, string>, counts: { landed: number; deadLettered: number }, batchId: string, nowMs: number): BronzeManifest {
  const prev = head?.manifest ?? emptyBronzeManifest();
  const watermarks = { ...prev.watermarks };
  for (const [key, value] of Object.entries(covered)) {
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
    totals: { records: prev.totals.records + counts.landed, deadLettered: prev.totals.deadLettered + counts.deadLettered },
  };
}

/** True when `now` has landed positions of this batch (from `first` on) that `base`, which its files were written against, had not. */
function takenSince(first: Record<string, string>, base: Versioned<BronzeManifest> | null, now: Versioned<BronzeManifest> | null): boolean {
  if (now === base) return false;
  for (const [key, from] of Object.entries(first)) {
    const wm = now?.manifest.watermarks[key];
    if (wm !== undefined && wm !== base?.manifest.watermarks[key] && BigInt(wm) >= BigInt(from)) return true;
  }
  return false;
}

export type LandingOrigin =
  | { kind: 'bus'; bus: 'kafka' | 'eventlog'; source: string }
  | { kind: 'file'; source: string; path: string; sha256: string };

/**
 * SQL keeping the staged rows of one topic that bronze does not have yet. Only sources whose committed watermark
 * reaches the batch's first position need a condition (another writer landed some of it): a CASE over every
 * partition cost the COPY ~15% although it removed nothing.
 */
function positionFilter(origin: LandingOrigin, topic: string, first: Record<string, string>, watermarks: Record<string, string>): string {
  if (origin.kind === 'file') {
    const key = filePositionKey(origin.sha256);
    const wm = watermarks[key];
    return wm === undefined || (first[key] !== undefined && BigInt(wm) < BigInt(first[key])) ? 'true' : `"offset" + 1 > ${BigInt(wm)}`;
  }
  const cases: string[] = [];
  const prefix = `${origin.bus}:${topic}/`;
  for (const [key, from] of Object.entries(first)) {
    const wm = watermarks[key];
    if (wm !== undefined && key.startsWith(prefix) && BigInt(wm) >= BigInt(from)) cases.push(`WHEN ${Number(key.slice(prefix.length))} THEN ${BigInt(wm)}`);
  }
  return cases.length === 0 ? 'true' : `"offset" > CASE "partition" ${cases.join(' ')} ELSE -1 END`;
}

function isNew(origin: LandingOrigin, d: DeadLetterRow, watermarks: Record<string, string>): boolean {
  if (origin.kind === 'file') {
    const wm = watermarks[filePositionKey(origin.sha256)];
    return wm === undefined || (d.line ?? 0) > Number(wm);
  }
  const wm = watermarks[busPositionKey(origin.bus, d.topic ?? '', d.partition ?? 0)];
  return wm === undefined || BigInt(d.offset ?? '-1') > BigInt(wm);
}
