/**
 * Issue 4's benchmark: `npm run bench -- silver-scd2 [--scale S]`. Silver's incremental build over 10,000,000 trade
 * versions already in history plus 1,000,000 new records (half new versions of existing trades, half new trade ids),
 * next to DuckDB running the plain SQL of the same SCD2 merge the way a dbt snapshot does it, in the same process.
 *
 * 1. Bronze is generated in DuckDB (not timed): ~5M trade ids with 1-3 versions each (10M versions over 20 booking
 *    days, Kafka-like partitions and offsets, CONTRACT section 3 values plus the envelope; a few extra records that
 *    silver must quarantine: broken schema, redeliveries, stale versions), written as bronze Parquet and committed as
 *    bronze version 1 through bronze's own table log.
 * 2. Setup: a full silver build of that history (timed and reported apart).
 * 3. 1M new records land as bronze version 2 (500k new versions of trade ids chosen at random among all, so spread over
 *    every bucket, and 500k new trade ids); the incremental silver build is timed.
 * 4. Baseline: a DuckDB database file holding a dbt snapshot table with the same history (one row per version,
 *    dbt_valid_from / dbt_valid_to from the record timestamps: dbt's `timestamp` strategy, updated_at = record
 *    timestamp). Timed: dbt's snapshot staging query (snapshot_staging_table: the new records selected from the bronze
 *    Parquet, their JSON read and typed with the same SQL silver uses, joined with the current snapshot rows by
 *    trade_id), then dbt-duckdb's snapshot_merge_sql (UPDATE closing the changed rows' dbt_valid_to, INSERT of the new
 *    versions) in one transaction, committed to the file.
 * `--scale 0.1` runs 1M + 100k; `--new N` lands N new records instead of a tenth of the history (a stream cycle's batch); `--buckets N` builds silver in N buckets (default 16). BENCH_LOG=debug logs silver's
 * statements with their times (to stderr); BENCH_SKIP=baseline or silver leaves one out.
 */
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, freemem, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { bronzeLog } from '../bronze/bronze-writer.js';
import type { BronzeManifest, DataFile } from '../bronze/manifest.js';
import { openDuckDb, quotedList, quotedString, type DuckDBConnection } from '../lib/duckdb.js';
import { createLogger, silentLogger } from '../lib/log.js';
import { LocalObjectStore } from '../store/local-store.js';
import { buildSilver, type SilverBuildResult } from '../silver/build-silver.js';
import { openCatalog } from '../sql/catalog.js';
import { tradeJsonStructure, tradeTypedColumnsSql } from '../silver/trade-typing.js';

function option(name: string, fallback: number): number {
  const args = process.argv.slice(2);
  for (let i = 0; i < args.length; i++) {
    if (args[i] === `--${name}`) return Number(args[i + 1]);
    if (args[i].startsWith(`--${name}=`)) return Number(args[i].slice(name.length + 3));
  }
  return fallback;
}

const scale = option('scale', 1);
if (!(scale > 0)) {
  console.error('--scale must be a number > 0');
  process.exit(2);
}
const buckets = option('buckets', 16);
const keys = Math.round(5_000_000 * scale);
// `--new N`: N new records (half updates, half new trades) whatever the scale, e.g. a stream cycle's micro-batch.
const newRecords = option('new', 1_000_000 * scale);
if (!(newRecords >= 2)) {
  console.error('--new must be a number >= 2');
  process.exit(2);
}
const updates = Math.round(newRecords / 2);
const newKeys = Math.round(newRecords / 2);
const days = 20;
const partitions = 16;
const logger = process.env.BENCH_LOG ? createLogger({ level: process.env.BENCH_LOG }) : silentLogger;

/** Where a silver build's time went: its statements' times (logged at debug), summed by step. */
const steps: [string, RegExp][] = [
  ['new records: JSON read once, schema rules, typed, keyed', /TEMP TABLE trade_new AS/],
  ['held index rows of the touched trades, arrival order, out-of-order check', /TEMP TABLE trade_(held|arrivals|slow) AS|UPDATE trade_|ALTER TABLE trade_/],
  ["trade store's rules (section 3)", /trade store's business rules/],
  ['open rows of the changed trades (read back)', /TEMP TABLE trade_pseudo AS/],
  ['history (entity_history.sql) and its parts', /SCD2 on two timelines|TEMP (TABLE|VIEW) trade_(history|changed) AS/],
  ['compaction of the live parts (merged on read: segments less deletes)', /^COPY \(SELECT \* FROM \(\(?SELECT \* EXCLUDE \(_seg\)|max\(_seg\)/],
  ['deletes of the live parts (trades whose older live rows go)', /AS _seg, _bucket, 'deletes' AS _part/],
  ['appended files: new live and closed rows, index, quarantine', /^COPY/],
];

function stepTimes(): { logger: typeof logger; summary: () => string } {
  const times = new Map<string, number>();
  const destination = {
    write(line: string) {
      const entry = JSON.parse(line) as { msg?: string; ms?: number; sql?: string };
      if (entry.msg !== 'silver statement' || entry.ms === undefined || entry.sql === undefined) return;
      const step = steps.find(([, re]) => re.test(entry.sql!))?.[0] ?? 'other statements';
      times.set(step, (times.get(step) ?? 0) + entry.ms);
    },
  };
  const total = () => [...times.values()].reduce((a, b) => a + b, 0);
  return {
    logger: createLogger({ level: 'debug', destination }),
    summary: () => [...steps.map(([name]) => name), 'other statements'].filter((n) => times.has(n))
      .map((n) => `    ${secs(times.get(n)!).padStart(7)}  ${n}`).join('\n') + `\n    ${secs(total()).padStart(7)}  all statements`,
  };
}

const fmt = (n: number) => Math.round(n).toLocaleString('en');
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

async function one(db: DuckDBConnection, sql: string): Promise<Record<string, unknown>> {
  return (await db.runAndReadAll(sql)).getRowObjectsJson()[0] as Record<string, unknown>;
}

/**
 * A trade record's JSON from the skeleton columns (`k` trade number, `h` its hash, `v` version, `day` booking day,
 * `ts` naive UTC timestamp, `event_id`, `broken`) and the asset row `a`. Dates come from `ds`, a list of date strings
 * indexed by day (strftime per value is slow enough to matter at 11M records).
 */
const tradeValueSql = `json_object(
    'event_id', event_id, 'schema_version', 1, 'event_time', strftime(ts, '%Y-%m-%dT%H:%M:%S.%gZ'), 'source', 'trade-capture',
    'trade_id', trade_id, 'version', v, 'counterparty_id', 'CP' || lpad((h % 5000)::VARCHAR, 5, '0'),
    'book_id', 'BOOK-' || (h % 40), 'legal_entity', ['BANK_A', 'BANK_B', 'BANK_C'][(h % 3)::INTEGER + 1],
    'instrument_id', a.instrument, 'asset_class', a.asset_class, 'side', CASE WHEN h % 2 = 0 THEN 'BUY' ELSE 'SELL' END,
    'quantity', CASE WHEN broken THEN -5 ELSE a.lot * (1 + (h // 7) % 5000) END,
    'price', round(a.price * (0.98 + ((hash(k, v) % 4000)::DOUBLE / 100000)), 3),
    'currency', a.ccy, 'trade_date', ds[day + 1], 'settlement_date', ds[day + 3],
    -- an amendment of a trade that has matured since would be quarantined (rule 3): it rolls the maturity instead
    'maturity_date', CASE WHEN a.days IS NULL THEN NULL ELSE ds[greatest(day + a.days + (h % 30)::INTEGER, arrival_day + 1) + 1] END,
    'created_date', ds[day + 1], 'exec_id', 'EX' || k, 'venue', ['XLON', 'XPAR', 'XETR', 'XNYS'][(h % 4)::INTEGER + 1],
    'counterparty_type', 'BANK', 'issuer_id', a.issuer)::VARCHAR`;

const assetsSql = `(VALUES
  (0, 'GOVT_BOND', 'US912828ZT05', 99.5, 'USD', 3650, 1000, 'US-TSY'),
  (1, 'GOVT_BOND', 'DE0001102580', 101.2, 'EUR', 2555, 1000, 'DE-BUND'),
  (2, 'CORPORATE_BOND', 'XS2345678901', 97.8, 'USD', 1825, 1000, 'CORP-1'),
  (3, 'EQUITY', 'US0378331005', 185.3, 'USD', NULL, 10, 'AAPL'),
  (4, 'REPO', 'REPO-ON', 100, 'USD', 3, 10000, NULL),
  (5, 'REVERSE_REPO', 'RREPO-1W', 100, 'EUR', 7, 10000, NULL),
  (6, 'DEPOSIT', 'DEP-TERM-3M', 1, 'GBP', 91, 100000, NULL),
  (7, 'LOAN', 'LOAN-CORP-2Y', 1, 'USD', 730, 100000, NULL)
) a(i, asset_class, instrument, price, ccy, days, lot, issuer)`;

/** The records of a skeleton table with their JSON values. */
function withValues(skeleton: string, where: string): string {
  return `SELECT x.*, ${tradeValueSql} AS value
    FROM (SELECT *, (SELECT list(strftime(DATE '2026-02-02' + i::INTEGER, '%Y-%m-%d') ORDER BY i) FROM range(4000) r(i)) AS ds FROM ${skeleton} WHERE ${where}) x
    JOIN ${assetsSql} ON a.i = x.h % 8`;
}

interface Generated {
  manifest: BronzeManifest;
  historyRecords: number;
  historyVersions: number;
  newRecords: number;
  newFiles: string[];
  snapshotMs: number;
}

/**
 * Writes bronze version 1 (the history) and the files of version 2 (the new records, committed later), and the
 * baseline's snapshot table (into `dbtFile`).
 */
async function generateBronze(db: DuckDBConnection, store: LocalObjectStore, lakeDir: string, dbtFile: string): Promise<Generated> {
  const t0 = `TIMESTAMP '2026-02-02 08:00:00'`;
  // History: trade k booked on day k * days / keys between 08:00 and 18:00, versions 20 minutes apart; a few extra
  // records silver must quarantine. Narrow rows first (offsets need a sort); the JSON is made as each file is written.
  await db.run(`CREATE TEMP TABLE hist AS
    WITH k AS (
      SELECT k, hash(k) AS h, 1 + ((k + 2) % 3) AS nv, (k * (${days} * 36000e6 / ${keys}))::BIGINT AS booked_us FROM range(${keys}) t(k)
    ),
    booked AS (
      SELECT k, h, nv, (booked_us // 36000000000)::INTEGER AS day,
        ${t0} + to_days((booked_us // 36000000000)::INTEGER) + to_microseconds(booked_us % 36000000000) AS booked_at
      FROM k
    ),
    versions AS (
      SELECT k, h, v, day, booked_at + to_minutes(((v - 1) * 20)::BIGINT) AS ts, 'evt-' || k || '-' || v AS event_id, false AS broken, true AS is_version
      FROM booked, range(1, nv + 1) r(v)
      UNION ALL -- a broken record (quantity -5): a schema rule
      SELECT k, h, nv + 1, day, booked_at + INTERVAL 5 MINUTE, 'evt-' || k || '-bad', true, false FROM booked WHERE k % 5000 = 17
      UNION ALL -- a redelivery of version 1: duplicate event
      SELECT k, h, 1, day, booked_at + INTERVAL 7 MINUTE, 'evt-' || k || '-1', false, false FROM booked WHERE k % 10000 = 29
      UNION ALL -- version 1 again after version 2: lower than stored
      SELECT k, h, 1, day, booked_at + INTERVAL 50 MINUTE, 'evt-' || k || '-stale', false, false FROM booked WHERE k % 10000 = 31 AND nv >= 2
    )
    SELECT *, day AS arrival_day, row_number() OVER (PARTITION BY p ORDER BY ts, k, v) - 1 AS o
    FROM (SELECT *, 'T' || lpad(k::VARCHAR, 9, '0') AS trade_id, hash('T' || lpad(k::VARCHAR, 9, '0')) % ${partitions} AS p FROM versions)`);

  // New records, on the day after: new versions of \`updates\` trades chosen at random, and \`newKeys\` new trades.
  await db.run(`CREATE TEMP TABLE fresh AS
    WITH picked AS (
      SELECT k, hash(k) AS h, 1 + ((k + 2) % 3) + 1 AS v, (k * ${days} // ${keys})::INTEGER AS day FROM range(${keys}) t(k) ORDER BY hash(k, 'update') LIMIT ${updates}
    ),
    born AS (SELECT k, hash(k) AS h, 1 AS v, ${days} AS day FROM range(${keys}, ${keys + newKeys}) t(k)),
    timed AS (
      SELECT *, ${t0} + to_days(${days}) + to_microseconds((row_number() OVER (ORDER BY hash(k, 'order')) * (36000e6 / ${updates + newKeys}))::BIGINT) AS ts,
        'evt-' || k || '-' || v AS event_id, false AS broken, ${days} AS arrival_day
      FROM (SELECT * FROM picked UNION ALL SELECT * FROM born)
    )
    SELECT f.*, coalesce(m.o, -1) + row_number() OVER (PARTITION BY f.p ORDER BY f.ts, f.k) AS o
    FROM (SELECT *, 'T' || lpad(k::VARCHAR, 9, '0') AS trade_id, hash('T' || lpad(k::VARCHAR, 9, '0')) % ${partitions} AS p FROM timed) f
    LEFT JOIN (SELECT p, max(o) AS o FROM hist GROUP BY p) m ON m.p = f.p`);

  const write = async (table: string, where: string, dt: string, name: string): Promise<DataFile> => {
    const path = `records/topic=trades/dt=${dt}/part-${name}.parquet`;
    const dirPath = join(lakeDir, 'bronze', 'records', 'topic=trades', `dt=${dt}`);
    mkdirSync(dirPath, { recursive: true });
    const [stats] = (await db.runAndReadAll(`COPY (
        SELECT 'trades' AS topic, p::INTEGER AS "partition", o::BIGINT AS "offset", trade_id AS "key", value, ts::TIMESTAMPTZ AS "timestamp",
          '{"source":"trade-capture"}' AS headers, 'kafka://bench:9092' AS source, NULL::VARCHAR AS file_sha256, NULL::BIGINT AS line,
          ts::TIMESTAMPTZ AS ingested_at, ${quotedString(name)} AS batch_id, ${quotedString(dt)} AS dt
        FROM (${withValues(table, where)}) ORDER BY ts, p, o)
      TO ${quotedString(join(dirPath, `part-${name}.parquet`))} (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1, PARQUET_VERSION V2, DICTIONARY_SIZE_LIMIT 1, RETURN_STATS true)`)).getRowObjectsJson();
    return { path, rows: Number(stats.count), bytes: Number(stats.file_size_bytes), topic: 'trades', dt, batchId: name };
  };
  const dt = (day: number) => new Date(Date.UTC(2026, 1, 2 + day)).toISOString().slice(0, 10);
  const historyFiles: DataFile[] = [];
  for (let day = 0; day < days; day++) historyFiles.push(await write('hist', `day = ${day}`, dt(day), `hist-${dt(day)}`));
  const newFiles: DataFile[] = [];
  const perFile = Math.ceil((updates + newKeys) / 4);
  await db.run('CREATE TEMP TABLE fresh_n AS SELECT *, (row_number() OVER (ORDER BY ts, p, o) - 1) // ' + perFile + ' AS n FROM fresh');
  for (let i = 0; i < 4; i++) newFiles.push(await write('fresh_n', `n = ${i}`, dt(days), `new-${i}`));

  const watermarks = async (table: string) => Object.fromEntries((await db.runAndReadAll(`SELECT p, max(o) AS o FROM ${table} GROUP BY p ORDER BY p`))
    .getRowObjectsJson().map((r) => [`kafka:trades/${r.p}`, String(r.o)]));
  const histWm = await watermarks('hist');
  const newWm = await watermarks('fresh');
  const historyRecords = historyFiles.reduce((n, f) => n + f.rows, 0);
  const newRecords = newFiles.reduce((n, f) => n + f.rows, 0);
  const v1: BronzeManifest = {
    format: 1, version: 1, committedAt: '2026-02-21T00:00:00.000Z', batchId: 'bench-history',
    tables: { records: historyFiles, dead_letter: [] }, watermarks: histWm, totals: { records: historyRecords, deadLettered: 0 },
  };
  await bronzeLog(store).commit(1, v1);
  const v2: BronzeManifest = {
    ...v1, version: 2, committedAt: '2026-02-22T00:00:00.000Z', batchId: 'bench-new',
    tables: { records: [...historyFiles, ...newFiles], dead_letter: [] }, watermarks: { ...histWm, ...newWm },
    totals: { records: historyRecords + newRecords, deadLettered: 0 },
  };
  const versions = await one(db, 'SELECT count(*) AS n FROM hist WHERE is_version');

  // The baseline's snapshot table: the same history, one row per version, as a dbt snapshot (timestamp strategy,
  // updated_at = the record timestamp) holds it; typed from the same JSON, the same way.
  const snapshot = await timed(async () => {
    await db.run(`ATTACH ${quotedString(dbtFile)} AS dbt`);
    await db.run(`CREATE TABLE dbt.trades_snapshot AS
      SELECT * EXCLUDE (ts), ts AS updated_at,
        md5(coalesce(CAST(trade_id AS VARCHAR), '') || '|' || coalesce(CAST(ts AS VARCHAR), '')) AS dbt_scd_id,
        ts AS dbt_updated_at, ts AS dbt_valid_from, lead(ts) OVER (PARTITION BY trade_id ORDER BY ts) AS dbt_valid_to
      FROM (SELECT ${tradeTypedColumnsSql('t')}, ts FROM (SELECT ts::TIMESTAMPTZ AS ts, json_transform(value, ${tradeJsonStructure}) AS t FROM (${withValues('hist', 'is_version')})))`);
    await db.run('DETACH dbt');
  });
  await db.run('DROP TABLE hist');
  await db.run('DROP TABLE fresh');
  await db.run('DROP TABLE fresh_n');
  return { snapshotMs: snapshot.ms, manifest: v2, historyRecords, historyVersions: Number(versions.n), newRecords, newFiles: newFiles.map((f) => join(lakeDir, 'bronze', f.path)) };
}

/** The dbt snapshot baseline: the timed snapshot run over the database file holding the history. */
async function dbtBaseline(dbtFile: string, newFiles: string[]): Promise<{ ms: number; checkpointMs: number; steps: Record<string, number>; current: number; rows: number }> {
  const db = await openDuckDb({ path: dbtFile });
  try {
    const c = db.connection;
    const cols = 'trade_id, version, counterparty_id, book_id, legal_entity, instrument_id, asset_class, side, quantity, price, currency, trade_date, settlement_date, maturity_date, created_date, event_id, updated_at';
    const steps: Record<string, number> = {};
    const step = async (name: string, sql: string) => {
      const t = await timed(() => c.run(sql));
      steps[name] = t.ms;
    };
    const run = await timed(async () => {
      // The snapshot's select: the new trades records from bronze, typed as silver types them.
      const source = `SELECT ${tradeTypedColumnsSql('t')}, "timestamp" AS updated_at
        FROM (SELECT "timestamp", json_transform("value", ${tradeJsonStructure}) AS t
          FROM read_parquet(${quotedList(newFiles)}) WHERE topic = 'trades')`;
      // dbt-core snapshot_staging_table (timestamp strategy, unique_key trade_id, updated_at the record timestamp).
      await step('staging (snapshot_staging_table)', `CREATE TEMP TABLE trades_snapshot__dbt_tmp AS
        WITH snapshot_query AS (${source}),
        snapshotted_data AS (SELECT *, trade_id AS dbt_unique_key FROM trades_snapshot WHERE dbt_valid_to IS NULL),
        insertions_source_data AS (
          SELECT *, trade_id AS dbt_unique_key, updated_at AS dbt_updated_at, updated_at AS dbt_valid_from,
            nullif(updated_at, updated_at) AS dbt_valid_to,
            md5(coalesce(CAST(trade_id AS VARCHAR), '') || '|' || coalesce(CAST(updated_at AS VARCHAR), '')) AS dbt_scd_id
          FROM snapshot_query),
        updates_source_data AS (
          SELECT *, trade_id AS dbt_unique_key, updated_at AS dbt_updated_at, updated_at AS dbt_valid_from, updated_at AS dbt_valid_to
          FROM snapshot_query),
        insertions AS (
          SELECT 'insert' AS dbt_change_type, source_data.*
          FROM insertions_source_data AS source_data
          LEFT OUTER JOIN snapshotted_data ON snapshotted_data.dbt_unique_key = source_data.dbt_unique_key
          WHERE snapshotted_data.dbt_unique_key IS NULL
            OR (snapshotted_data.dbt_unique_key IS NOT NULL AND (snapshotted_data.dbt_valid_from < source_data.updated_at))),
        updates AS (
          SELECT 'update' AS dbt_change_type, source_data.*, snapshotted_data.dbt_scd_id
          FROM updates_source_data AS source_data
          JOIN snapshotted_data ON snapshotted_data.dbt_unique_key = source_data.dbt_unique_key
          WHERE (snapshotted_data.dbt_valid_from < source_data.updated_at))
        SELECT * FROM insertions UNION ALL SELECT * FROM updates`);
      await c.run('BEGIN TRANSACTION');
      // dbt-duckdb snapshot_merge_sql.
      await step('update (close changed rows)', `UPDATE trades_snapshot AS DBT_INTERNAL_TARGET
        SET dbt_valid_to = DBT_INTERNAL_SOURCE.dbt_valid_to
        FROM trades_snapshot__dbt_tmp AS DBT_INTERNAL_SOURCE
        WHERE DBT_INTERNAL_SOURCE.dbt_scd_id::text = DBT_INTERNAL_TARGET.dbt_scd_id::text
          AND DBT_INTERNAL_SOURCE.dbt_change_type::text IN ('update'::text, 'delete'::text)
          AND DBT_INTERNAL_TARGET.dbt_valid_to IS NULL`);
      await step('insert (new versions)', `INSERT INTO trades_snapshot (${cols}, dbt_scd_id, dbt_updated_at, dbt_valid_from, dbt_valid_to)
        SELECT ${cols}, dbt_scd_id, dbt_updated_at, dbt_valid_from, dbt_valid_to
        FROM trades_snapshot__dbt_tmp AS DBT_INTERNAL_SOURCE WHERE DBT_INTERNAL_SOURCE.dbt_change_type::text = 'insert'::text`);
      await step('commit', 'COMMIT');
    });
    // Not counted: the checkpoint that writes the updated rows into the database file (DuckDB runs it when the WAL
    // grows past its threshold or the database closes, as a dbt run's end does).
    const checkpoint = await timed(() => c.run('CHECKPOINT'));
    const counts = await one(c, 'SELECT count(*) AS n, count(*) FILTER (WHERE dbt_valid_to IS NULL) AS cur FROM trades_snapshot');
    return { ms: run.ms, checkpointMs: checkpoint.ms, steps, current: Number(counts.cur), rows: Number(counts.n) };
  } finally {
    db.close();
  }
}


async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-scd2-'));
  const lakeDir = join(dir, 'lake');
  const store = new LocalObjectStore({ root: lakeDir });
  const cpu = cpus();
  console.log(`machine: ${cpu.length} x ${cpu[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM (${(freemem() / 2 ** 30).toFixed(0)} free), node ${process.version}`);
  console.log(`scale ${scale}: ${fmt(keys)} trade ids with 1-3 versions, then ${fmt(updates)} new versions of existing trades + ${fmt(newKeys)} new trades; silver in ${buckets} buckets`);
  try {
    const dbtFile = join(dir, 'dbt.duckdb');
    const gen = await openDuckDb();
    const generated = await timed(() => generateBronze(gen.connection, store, lakeDir, dbtFile));
    const version = await one(gen.connection, 'SELECT version() AS v');
    gen.close();
    const g = generated.value;
    const bronzeBytes = g.manifest.tables.records.reduce((n, f) => n + f.bytes, 0);
    console.log(`duckdb ${version.v}; generated in ${secs(generated.ms)} (not timed below): bronze ${fmt(g.historyRecords)} history records (${fmt(g.historyVersions)} trade versions + ${fmt(g.historyRecords - g.historyVersions)} records to quarantine), ${fmt(g.newRecords)} new, ${(bronzeBytes / 2 ** 30).toFixed(2)} GiB of Parquet; the baseline's snapshot table of the same history in a DuckDB file (${(statSync(dbtFile).size / 2 ** 30).toFixed(2)} GiB) in ${secs(g.snapshotMs)} of that`);

    const skip = new Set((process.env.BENCH_SKIP ?? '').split(',').filter(Boolean));
    let baselineMs = NaN;
    if (!skip.has('baseline')) {
      const baseline = await dbtBaseline(dbtFile, g.newFiles);
      baselineMs = baseline.ms;
      console.log(`baseline: dbt-style snapshot of the new records in DuckDB: ${secs(baseline.ms)}, ${fmt(g.newRecords / (baseline.ms / 1000))} records/s (${Object.entries(baseline.steps).map(([k, v]) => `${k} ${secs(v)}`).join(', ')}); then a CHECKPOINT (not counted) ${secs(baseline.checkpointMs)}; snapshot after: ${fmt(baseline.rows)} rows, ${fmt(baseline.current)} current`);
    }
    if (skip.has('silver')) return;

    const setup = await timed(() => buildSilver({ store, businessDate: '2026-02-21', buckets, logger }));
    report('setup: full silver build of the history', setup.ms, g.historyRecords, setup.value);
    await bronzeLog(store).commit(2, g.manifest);
    const profile = stepTimes();
    const incremental = await timed(() => buildSilver({ store, businessDate: '2026-02-22', buckets, logger: process.env.BENCH_LOG ? logger : profile.logger }));
    report('incremental silver build of the new records', incremental.ms, g.newRecords, incremental.value);
    if (!process.env.BENCH_LOG) console.log(`  where its time went (DuckDB statements, summed by step):\n${profile.summary()}`);
    const after = await silverCounts(store);
    console.log(`  silver after: ${fmt(after.history)} trades_history rows, ${fmt(after.current)} trades_current rows (counted through the views in ${fmt(after.ms)} ms)`);

    if (Number.isNaN(baselineMs)) return;
    const ratio = baselineMs / incremental.ms;
    console.log(`ratio baseline / silver incremental: ${ratio.toFixed(2)} (${ratio >= 1 ? `silver ${((1 - incremental.ms / baselineMs) * 100).toFixed(0)}% faster` : `silver ${((incremental.ms / baselineMs - 1) * 100).toFixed(0)}% slower`}; target >= 1)`);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function report(what: string, ms: number, records: number, r: SilverBuildResult): void {
  const t = r.run.counts.trades;
  console.log(`${what}: ${secs(ms)}, ${fmt(records / (ms / 1000))} records/s (incremental: ${r.incremental}; trades worked on ${fmt(t?.records ?? 0)}: accepted ${fmt(t?.accepted ?? 0)}, quarantined ${fmt(t?.quarantined ?? 0)}; failed checks: ${r.checks.filter((c) => !c.ok).length})`);
}

/** Rows of the silver views (live rows merged on read), and how long reading them took. */
async function silverCounts(store: LocalObjectStore): Promise<{ history: number; current: number; ms: number }> {
  const catalog = await openCatalog({ store, bronze: false, gold: false, metrics: false });
  try {
    const t0 = performance.now();
    const count = async (view: string) => Number((await one(catalog.db.connection, `SELECT count(*) AS n FROM ${view}`)).n);
    const history = await count('silver.trades_history');
    const current = await count('silver.trades_current');
    return { history, current, ms: performance.now() - t0 };
  } finally {
    catalog.close();
  }
}

await main();
process.exit(0);
