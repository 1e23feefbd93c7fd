/**
 * `lakehouse run gold`: the LCR of one business date from silver's history as known at a given time (default now).
 * Write, then publish: the exposures (gold/exposures), the calculator (gold/lcr, the same code path as `lakehouse lcr`)
 * and the breakdowns are written as a run's own Parquet files, and a new gold version that names them is committed.
 * A run that finds exactly the figures and exposures of its date's current run publishes nothing; one that finds
 * others is a restatement: a new run next to the old one, never an overwrite.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import type { ObjectStore } from '../store/object-store.js';
import { quotedString, sqlFile, type DuckDBConnection } from '../lib/duckdb.js';
import { TerminalError, UsageError } from '../lib/errors.js';
import { silentLogger, type Logger } from '../lib/log.js';
import { openCatalog } from '../sql/catalog.js';
import { buildExposures } from './exposures/build-exposures.js';
import { computeLcr } from './lcr/compute-lcr.js';
import type { LcrFigures } from './lcr/lcr-figures.js';
import type { LcrReport } from './lcr/lcr-report.js';
import { moneyDigits, moneyFields, ratioDigits } from './lcr/lcr-report.js';
import { Rational } from './lcr/rational.js';
import { loadRegime, type Regime } from './regime/regime.js';
import { currentRuns, goldLog, goldRunTables, type GoldFile, type GoldManifest, type GoldRun, type GoldRunTable } from './manifest.js';

export interface GoldBuildOptions {
  store: ObjectStore;
  /** The as-of date D (YYYY-MM-DD). */
  businessDate: string;
  /** What silver knew (ISO-8601 with offset); default now. */
  knownAt?: string;
  regime?: Regime;
  /** The internal LCR limit the buffer views measure headroom against, as a ratio (default "1.10"). */
  internalLimit?: string;
  /** Legal entity -> reporting currency (buildExposures; default defaultReportingCurrencies). */
  reportingCurrencies?: Readonly<Record<string, string>>;
  logger?: Logger;
  clock?: () => number;
}

export interface GoldBuildResult {
  published: boolean;
  /** The gold version published, or the one that stays current. */
  version: number;
  /** built: the date's first run; restated: replaces the date's current run; earlier_knowledge: kept next to a
   *  current run that knows more (a later known-at); unchanged: nothing published. */
  reason: 'built' | 'restated' | 'earlier_knowledge' | 'unchanged';
  run: GoldRun;
  /** The LCR report of the run (LcrReport of the calculator). */
  report: LcrReport;
  seconds: number;
}

export const defaultInternalLimit = '1.10';

const optionsSchema = z.object({
  businessDate: z.iso.date(),
  knownAt: z.iso.datetime({ offset: true }).optional(),
  internalLimit: z.string().regex(/^\d{1,3}(\.\d{1,4})?$/, 'a ratio such as 1.10').optional(),
});

export async function buildGold(options: GoldBuildOptions): Promise<GoldBuildResult> {
  const started = performance.now();
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) throw new UsageError(`run gold: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const { store, businessDate: asOfDate } = options;
  const clock = options.clock ?? Date.now;
  const regime = options.regime ?? loadRegime();
  const internalLimit = options.internalLimit ?? defaultInternalLimit;
  const knownAt = new Date(options.knownAt ?? clock()).toISOString();
  const catalog = await openCatalog({ store, bronze: false, gold: false, metrics: false });
  try {
    const silverVersion = catalog.versions.silver;
    if (silverVersion === null) throw new TerminalError('run gold: silver has no version yet: run silver first', { asOfDate });
    const db = catalog.db.connection;
    await db.run('CREATE SCHEMA IF NOT EXISTS gold_build');
    const exposures = await buildExposures(db, {
      asOfDate, knownAt, into: 'gold_build.liquidity_exposures', reportingCurrencies: options.reportingCurrencies, logger: options.logger,
    });
    const newest = (await db.runAndReadAll(sqlFile('metrics/gold_newest_event', Object.fromEntries(
      ['treasury_deals_history', 'instruments_history', 'counterparties_history', 'positions_history', 'fx_rates'].map((t) => [t, `silver.${t}`]),
    )), { known_at: knownAt })).getRowObjectsJson()[0]?.newest_ms;
    const newestEventAt = newest === null || newest === undefined ? null : new Date(Number(newest)).toISOString();
    const published = await publishGoldRun(db, {
      store, asOfDate, knownAt, knownAtGiven: options.knownAt !== undefined, newestEventAt, silverVersion, regime, internalLimit,
      exposures: 'gold_build.liquidity_exposures', exposureCount: exposures.rows, logger: options.logger, clock,
    });
    return { ...published, seconds: (performance.now() - started) / 1000 };
  } finally {
    catalog.close();
  }
}

export interface PublishGoldRunOptions {
  store: ObjectStore;
  asOfDate: string;
  knownAt: string;
  knownAtGiven: boolean;
  newestEventAt: string | null;
  silverVersion: number;
  regime: Regime;
  internalLimit: string;
  /** The run's exposure table (LCR.md section D columns, typed), in `db`. */
  exposures: string;
  exposureCount: number;
  logger?: Logger;
  clock?: () => number;
}

/**
 * The gold run of a date from its exposure table: the LCR (the calculator's code path), then, unless the figures are
 * those gold already stands by for this knowledge time, the run's files and a new gold version.
 */
export async function publishGoldRun(db: DuckDBConnection, options: PublishGoldRunOptions): Promise<Omit<GoldBuildResult, 'seconds'>> {
  const started = performance.now();
  const { store, asOfDate, knownAt, regime, internalLimit, silverVersion } = options;
  const clock = options.clock ?? Date.now;
  const log = (options.logger ?? silentLogger).child({ module: 'gold' });
  const gold = goldLog(store);
  const head = await gold.latest();
  const figures = new Map<string, LcrFigures>();
  const reports = await computeLcr(db, {
    exposures: options.exposures, regime, listExcluded: false, classified: false, hashRows: true, logger: options.logger,
    onFigures: (_d, entity, f) => figures.set(entity, f),
  });
  const report: LcrReport = reports[0] ?? { as_of_date: asOfDate, horizon_days: regime.horizon_days, entities: {} };
  const excludedCounts = new Map((await db.runAndReadAll('SELECT legal_entity, sum(exposures) AS n FROM lcr_entity_sums WHERE exclusion_reason IS NOT NULL GROUP BY ALL'))
    .getRowObjectsJson().map((r) => [String(r.legal_entity), Number(r.n)]));

  const fingerprint = await fingerprintOf(db, report, regime, internalLimit);
  const previous = head === null ? undefined : head.manifest.runs.find((r) => r.version === head.manifest.current[asOfDate]);
  // What gold already answers for this date as known at knownAt: a run with the same figures adds nothing.
  const standing = head === null ? undefined : latestKnown(head.manifest.runs, asOfDate, knownAt);
  const comparable = standing === undefined || standing.fingerprintFormat === fingerprintFormat
    ? fingerprint : await fingerprintFormat1Of(db, options.exposures, report, regime, internalLimit);
  if (head !== null && standing !== undefined && standing.fingerprint === comparable) {
    log.info({ asOfDate, knownAt, version: head.version, run: standing.version }, 'gold: the same figures as the run that stands for this knowledge time; nothing published');
    return { published: false, version: head.version, reason: 'unchanged', run: standing, report };
  }

  const version = (head?.version ?? 0) + 1;
  const computedAt = new Date(clock()).toISOString();
  const meta = { version, knownAt, computedAt, silverVersion, regime, internalLimit, excludedCounts };
  await db.run(`CREATE OR REPLACE TEMP TABLE gold_lcr AS ${lcrRowsSql(report, figures, meta)}`);
  const stock = (await db.runAndReadAll(`SELECT legal_entity, stock_bucket, hqla_class, sum(stock_value) AS stock_value, sum(exposures) AS exposures
    FROM lcr_entity_sums WHERE stock_bucket IS NOT NULL GROUP BY ALL`)).getRowObjectsJson() as unknown as StockRow[];
  await db.run(`CREATE OR REPLACE TEMP TABLE gold_hqla_levels AS ${hqlaLevelRowsSql(asOfDate, report, figures, stock, regime, version)}`);
  const selects: Record<GoldRunTable, string> = {
    liquidity_exposures: `SELECT *${await enumColumnsSql(db)}, CAST(${version} AS INTEGER) AS gold_version FROM ${options.exposures}`,
    lcr: 'SELECT * FROM gold_lcr ORDER BY legal_entity',
    lcr_sums: `SELECT * EXCLUDE (problems), CAST(${version} AS INTEGER) AS gold_version FROM lcr_entity_sums ORDER BY ALL`,
    hqla_levels: 'SELECT * FROM gold_hqla_levels ORDER BY legal_entity, level',
  };
  // The exposures: a dictionary only for columns with few values per row group (4,096 rather than DuckDB's
  // ROW_GROUP_SIZE / 5), so that the writer gives up on one for exposure_id and the amounts early: a tenth less time,
  // a smaller file, reads as fast.
  const writeOptions: Partial<Record<GoldRunTable, string>> = { liquidity_exposures: ', DICTIONARY_SIZE_LIMIT 4096' };
  const dir = await mkdtemp(join(tmpdir(), 'gold-'));
  const written: string[] = [];
  try {
    const files = {} as Record<GoldRunTable, GoldFile>;
    for (const table of goldRunTables) {
      const name = `${table}/as_of_date=${asOfDate}/v${String(version).padStart(6, '0')}-${randomUUID()}.parquet`;
      const local = join(dir, `${table}.parquet`);
      const [stats] = (await db.runAndReadAll(`COPY (${selects[table]}) TO ${quotedString(local)} (FORMAT parquet, COMPRESSION zstd${writeOptions[table] ?? ''}, RETURN_STATS true)`)).getRowObjectsJson();
      await store.putFile(`gold/${name}`, local, { move: true });
      written.push(`gold/${name}`);
      files[table] = { path: name, rows: Number(stats.count), bytes: Number(stats.file_size_bytes) };
    }
    const run: GoldRun = {
      version, asOfDate, knownAt, knownAtGiven: options.knownAtGiven, newestEventAt: options.newestEventAt, computedAt,
      seconds: Math.round(performance.now() - started) / 1000, silverVersion,
      regime: { id: regime.id, version: regime.version }, internalLimit, fingerprint, fingerprintFormat, exposures: options.exposureCount,
      entities: Object.fromEntries(Object.entries(report.entities).map(([e, r]) => [e, { lcr: r.lcr, hqla_total: r.hqla_total, net_cash_outflows: r.net_cash_outflows, reporting_currency: r.reporting_currency }])),
      restates: previous?.version ?? null,
      files,
    };
    const current = currentRuns([...(head?.manifest.runs ?? []), run]);
    const becomesCurrent = current[asOfDate] === version;
    if (!becomesCurrent) run.restates = null;
    const runs = [...(head?.manifest.runs ?? []), run];
    const manifest: GoldManifest = { format: 1, version, builtAt: computedAt, runs, current };
    await gold.commit(version, manifest);
    written.length = 0;
    const reason = previous === undefined ? 'built' : becomesCurrent ? 'restated' : 'earlier_knowledge';
    log.info({ version, asOfDate, knownAt, silverVersion, exposures: options.exposureCount, reason, current: becomesCurrent }, 'gold version published');
    return { published: true, version, reason, run, report };
  } finally {
    await Promise.all(written.map((key) => store.delete(key).catch(() => undefined)));
    await rm(dir, { recursive: true, force: true });
  }
}

/** The run gold.lcr_as_known(knownAt) answers with for the date: the latest knowledge time not after knownAt. */
function latestKnown(runs: GoldRun[], asOfDate: string, knownAt: string): GoldRun | undefined {
  const t = Date.parse(knownAt);
  const known = runs.filter((r) => r.asOfDate === asOfDate && Date.parse(r.knownAt) <= t);
  const picked = currentRuns(known)[asOfDate];
  return known.find((r) => r.version === picked);
}

const fingerprintFormat = 2;

/**
 * The figures and the exposure rows, under the rules and limit used: an order-independent hash of every row, which the
 * calculator's pass over the exposures took (lcr_exposure_groups.row_hash, its `hashRows`).
 */
async function fingerprintOf(db: DuckDBConnection, report: LcrReport, regime: Regime, internalLimit: string): Promise<string> {
  const [rows] = (await db.runAndReadAll('SELECT coalesce(sum(exposures), 0) AS n, coalesce(bit_xor(row_hash), 0) AS h FROM lcr_exposure_groups')).getRowObjectsJson();
  return fingerprintText(report, regime, internalLimit, rows.n, rows.h);
}

/** The fingerprint of runs published before fingerprintFormat 2 (a pass of its own, hashing every column of every row). */
async function fingerprintFormat1Of(db: DuckDBConnection, exposures: string, report: LcrReport, regime: Regime, internalLimit: string): Promise<string> {
  const [rows] = (await db.runAndReadAll(`SELECT count(*) AS n, coalesce(bit_xor(hash(e)), 0) AS h FROM ${exposures} e`)).getRowObjectsJson();
  return fingerprintText(report, regime, internalLimit, rows.n, rows.h);
}

function fingerprintText(report: LcrReport, regime: Regime, internalLimit: string, rows: unknown, hash: unknown): string {
  return createHash('sha256').update(JSON.stringify({ report, regime: [regime.id, regime.version], internalLimit, exposures: [String(rows), String(hash)] })).digest('hex');
}

/**
 * The exposure columns whose values the calculator's groups list exactly (computeLcr's hashRows groups by currency
 * and direction too), cast to ENUMs of those values for the Parquet writer: it then writes each row's index into the
 * ENUM's dictionary instead of hashing each string into a dictionary of its own, a third of the time it takes to
 * write 1M exposures. The file holds the same strings (BYTE_ARRAY, UTF8, dictionary-encoded); the min/max statistics
 * of its row groups are those of the whole ENUM, so legal_entity, the column the exposures are sorted by, stays a
 * string with per-row-group statistics that let a reader skip the row groups of other entities.
 */
async function enumColumnsSql(db: DuckDBConnection): Promise<string> {
  const columns = ['reporting_currency', 'currency', 'product', 'direction', 'counterparty_type', 'collateral_class'];
  const [values] = (await db.runAndReadAll(`SELECT ${columns.map((c) => `list(DISTINCT ${c}) FILTER (WHERE ${c} IS NOT NULL) AS ${c}`).join(', ')}
    FROM lcr_exposure_key_groups`)).getRowObjectsJson() as Record<string, string[] | null>[];
  const casts = columns.filter((c) => (values[c]?.length ?? 0) > 0)
    .map((c) => `CAST(${c} AS ENUM(${values[c]!.map((v) => quotedString(v)).join(', ')})) AS ${c}`);
  return casts.length === 0 ? '' : ` REPLACE (${casts.join(', ')})`;
}

interface RunMeta {
  excludedCounts: Map<string, number>;
  version: number;
  knownAt: string;
  computedAt: string;
  silverVersion: number;
  regime: Regime;
  internalLimit: string;
}

type Column = [name: string, type: string];
type Value = string | number | boolean | null;

/** A typed relation of literal rows; an empty one still has its columns. */
function valuesSql(columns: Column[], rows: Value[][]): string {
  const literal = (v: Value) => (v === null ? 'NULL' : typeof v === 'string' ? quotedString(v) : String(v));
  const select = columns.map(([name, type], i) => `CAST(${rows.length === 0 ? 'NULL' : `col${i}`} AS ${type}) AS ${name}`).join(', ');
  if (rows.length === 0) return `SELECT ${select} WHERE false`;
  return `SELECT ${select} FROM (VALUES ${rows.map((r) => `(${r.map(literal).join(', ')})`).join(', ')})`;
}

const money = 'DECIMAL(38,2)';

function lcrRowsSql(report: LcrReport, figures: Map<string, LcrFigures>, meta: RunMeta): string {
  const limit = Rational.of(meta.internalLimit);
  const one = Rational.of('1');
  const columns: Column[] = [
    ['as_of_date', 'DATE'], ['legal_entity', 'VARCHAR'], ['reporting_currency', 'VARCHAR'],
    ...moneyFields.map((f): Column => [f, money]),
    ['lcr', `DECIMAL(38,${ratioDigits})`], ['buffer', money], ['internal_limit', 'DECIMAL(9,4)'], ['internal_limit_buffer', money],
    ['below_minimum', 'BOOLEAN'], ['below_internal_limit', 'BOOLEAN'], ['excluded_exposures', 'INTEGER'],
    ['gold_version', 'INTEGER'], ['known_at', 'TIMESTAMPTZ'], ['computed_at', 'TIMESTAMPTZ'], ['silver_version', 'INTEGER'],
    ['regime', 'VARCHAR'], ['regime_version', 'VARCHAR'],
  ];
  const rows = Object.entries(report.entities).map(([entity, e]): Value[] => {
    const f = figures.get(entity)!;
    const below = (threshold: Rational) => f.lcr !== null && f.lcr.compare(threshold) < 0;
    return [
      report.as_of_date ?? null, entity, e.reporting_currency, ...moneyFields.map((m) => e[m]), e.lcr,
      f.hqla_total.minus(f.net_cash_outflows).toFixed(moneyDigits), meta.internalLimit,
      f.hqla_total.minus(limit.times(f.net_cash_outflows)).toFixed(moneyDigits), below(one), below(limit), meta.excludedCounts.get(entity) ?? 0,
      meta.version, meta.knownAt, meta.computedAt, meta.silverVersion, meta.regime.id, meta.regime.version,
    ];
  });
  return valuesSql(columns, rows);
}

interface StockRow {
  legal_entity: string;
  stock_bucket: string;
  hqla_class: string;
  stock_value: string;
  exposures: string;
}

/**
 * HQLA per level: market value (of the assets held and of reverse repos' collateral: the stock before its haircut
 * weight), after haircuts, after the Annex 1 unwind, and after the caps. The caps' cut (the 15%
 * and 40% adjustments) is taken from the lowest level first (Level 2B, then 2A), so the levels after caps add up to
 * the HQLA stock before rounding; each figure is rounded once, here.
 */
function hqlaLevelRowsSql(asOfDate: string, report: LcrReport, figures: Map<string, LcrFigures>, stockRows: StockRow[], regime: Regime, version: number): string {
  const columns: Column[] = [
    ['as_of_date', 'DATE'], ['legal_entity', 'VARCHAR'], ['reporting_currency', 'VARCHAR'], ['level', 'VARCHAR'], ['exposures', 'BIGINT'],
    ['market_value', money], ['after_haircut', money], ['after_unwind', money], ['cap_adjustment', money], ['after_caps', money], ['gold_version', 'INTEGER'],
  ];
  const rows: Value[][] = [];
  for (const [entity, e] of Object.entries(report.entities)) {
    const f = figures.get(entity)!;
    let cut = f.adjustment_15pct_cap.plus(f.adjustment_40pct_cap);
    const levels = [['level2b', f.level2b, f.adjusted_level2b], ['level2a', f.level2a, f.adjusted_level2a], ['level1', f.level1, f.adjusted_level1]] as const;
    for (const [level, stock, adjusted] of levels) {
      const take = level === 'level1' ? cut : Rational.min(cut, Rational.max(stock, Rational.zero));
      cut = cut.minus(take);
      const held = stockRows.filter((r) => r.legal_entity === entity && r.stock_bucket === level);
      const weight = (hqlaClass: string) => {
        const rule = regime.hqla_levels[hqlaClass as keyof Regime['hqla_levels']];
        if (rule === undefined) throw new TerminalError(`regime ${regime.id} has no HQLA level ${hqlaClass}`, { hqlaClass });
        return Rational.of(rule.weight);
      };
      const market = Rational.sum(held.map((r) => Rational.of(r.stock_value).dividedBy(weight(r.hqla_class))));
      const count = held.reduce((n, r) => n + Number(r.exposures), 0);
      rows.push([asOfDate, entity, e.reporting_currency, level, count, market.toFixed(moneyDigits), stock.toFixed(moneyDigits), adjusted.toFixed(moneyDigits), take.toFixed(moneyDigits), stock.minus(take).toFixed(moneyDigits), version]);
    }
  }
  return valuesSql(columns, rows);
}
