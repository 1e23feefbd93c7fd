/**
 * What the metrics say about the lake's tables, from their manifests where they suffice (bronze records and dead
 * letters per topic, silver counts per topic, silver's backlog, gold's current runs), and from a small read of the
 * files where they do not (quarantined per rule, the LCR gauges, the newest event time gold reflects). Table versions
 * never change once committed, so each file-reading answer is kept per version for the life of the process.
 */
import type { ObjectStore } from '../store/object-store.js';
import { openDuckDb, quotedList, sqlFile, type DuckDb } from '../lib/duckdb.js';
import { mapLimited } from '../lib/concurrency.js';
import { bronzeLog } from '../bronze/bronze-writer.js';
import type { BronzeManifest } from '../bronze/manifest.js';
import { silverLog, type SilverManifest } from '../silver/manifest.js';
import { goldLog, type GoldManifest, type GoldRun } from '../gold/manifest.js';

export interface LcrGauge {
  legal_entity: string;
  reporting_currency: string;
  /** Exact decimal text; null when the entity has no net cash outflows. */
  lcr: string | null;
  hqla_total: string;
  net_cash_outflows: string;
  internal_limit: string;
  below_minimum: boolean;
  below_internal_limit: boolean;
}

export interface LakeFacts {
  versions: { bronze: number | null; silver: number | null; gold: number | null };
  bronze: { landed: Map<string, number>; deadLettered: Map<string, number>; committedAt: string | null };
  silver: {
    counts: SilverManifest['counts'];
    quarantinedByRule: { topic: string; rule: string; records: number }[];
    /** Records bronze holds that silver has not taken yet, per topic silver reads. */
    backlog: Map<string, number>;
    builtAt: string;
  } | null;
  gold: {
    asOfDate: string;
    lcr: LcrGauge[];
    /** Epoch ms of the newest event the current runs reflect; null when they reflect none. */
    newestEventMs: number | null;
    builtAt: string;
  } | null;
}

/** Reads the facts; one DuckDB instance is opened for the call if a file must be read, and closed before returning. */
export async function lakeFacts(store: ObjectStore): Promise<LakeFacts> {
  const [bronze, silver, gold] = await Promise.all([bronzeLog(store).latest(), silverLog(store).latest(), goldLog(store).latest()]);
  const db = lazyDuckDb();
  try {
    return {
      versions: { bronze: bronze?.version ?? null, silver: silver?.version ?? null, gold: gold?.version ?? null },
      bronze: bronzeCounts(bronze?.manifest ?? null),
      silver: silver === null ? null : {
        counts: silver.manifest.counts,
        quarantinedByRule: await memo(`${store.uri}|quarantine|${silver.version}`, () => quarantinedByRule(store, silver.manifest, db)),
        backlog: silverBacklog(bronze?.manifest ?? null, silver.manifest),
        builtAt: silver.manifest.builtAt,
      },
      gold: gold === null || Object.keys(gold.manifest.current).length === 0 ? null : await goldFacts(store, gold.manifest, db),
    };
  } finally {
    db.close();
  }
}

function bronzeCounts(manifest: BronzeManifest | null): LakeFacts['bronze'] {
  const landed = new Map<string, number>();
  const deadLettered = new Map<string, number>();
  for (const f of manifest?.tables.records ?? []) landed.set(f.topic ?? 'unknown', (landed.get(f.topic ?? 'unknown') ?? 0) + f.rows);
  for (const f of manifest?.tables.dead_letter ?? []) deadLettered.set(f.topic ?? 'unknown', (deadLettered.get(f.topic ?? 'unknown') ?? 0) + f.rows);
  return { landed, deadLettered, committedAt: manifest?.committedAt || null };
}

/** Bronze lists its record files in commit order and silver keeps how many it has taken: the rest is the backlog. */
function silverBacklog(bronze: BronzeManifest | null, silver: SilverManifest): Map<string, number> {
  const read = new Set(Object.keys(silver.counts));
  const backlog = new Map<string, number>([...read].map((t) => [t, 0]));
  if (bronze === null || silver.bronzeFiles === undefined) return backlog;
  for (const f of bronze.tables.records.slice(silver.bronzeFiles)) {
    if (f.topic !== null && read.has(f.topic)) backlog.set(f.topic, backlog.get(f.topic)! + f.rows);
  }
  return backlog;
}

async function quarantinedByRule(store: ObjectStore, silver: SilverManifest, db: LazyDuckDb): Promise<NonNullable<LakeFacts['silver']>['quarantinedByRule']> {
  const files = silver.tables.quarantine ?? [];
  if (files.filter((f) => f.rows > 0).length === 0) return [];
  const paths = await mapLimited(files, 8, (f) => store.localPath(`silver/${f.path}`));
  const rows = await (await db.get()).runAndReadAll(sqlFile('metrics/quarantined_by_rule', { quarantine: `read_parquet(${quotedList(paths)})` }));
  return rows.getRowObjectsJson().map((r) => ({ topic: String(r.topic), rule: String(r.rule), records: Number(r.records) }));
}

async function goldFacts(store: ObjectStore, manifest: GoldManifest, db: LazyDuckDb): Promise<NonNullable<LakeFacts['gold']>> {
  const current = manifest.runs.filter((r) => manifest.current[r.asOfDate] === r.version);
  const asOfDate = Object.keys(manifest.current).sort().at(-1)!;
  const latest = current.find((r) => r.asOfDate === asOfDate)!;
  const lcr = await memo(`${store.uri}|lcr|${latest.version}`, () => lcrGauges(store, latest, db));
  // A run that read an older silver version and knew less reflects nothing newer than one that read more and knew more.
  const frontier = current.filter((r) => !current.some((o) => o !== r && o.silverVersion >= r.silverVersion && o.knownAt >= r.knownAt
    && (o.silverVersion > r.silverVersion || o.knownAt > r.knownAt || o.version > r.version)));
  const newest = await Promise.all(frontier.map((r) => memo(`${store.uri}|newest|${r.silverVersion}|${r.knownAt}`, () => newestEventMs(store, r, db))));
  const known = newest.filter((ms): ms is number => ms !== null);
  return { asOfDate, lcr, newestEventMs: known.length === 0 ? null : Math.max(...known), builtAt: manifest.builtAt };
}

async function lcrGauges(store: ObjectStore, run: GoldRun, db: LazyDuckDb): Promise<LcrGauge[]> {
  const path = await store.localPath(`gold/${run.files.lcr.path}`);
  const rows = await (await db.get()).runAndReadAll(sqlFile('metrics/lcr_gauges', { lcr: quotedList([path]) }));
  return rows.getRowObjectsJson() as unknown as LcrGauge[];
}

/** Gold tables that say what they reflect: a run written with its newest event time needs no read of silver. */
type RunWithEventTime = GoldRun & { newestEventAt?: string | null };

const eventTables = ['treasury_deals_history', 'instruments_history', 'counterparties_history', 'positions_history', 'fx_rates'] as const;

async function newestEventMs(store: ObjectStore, run: RunWithEventTime, db: LazyDuckDb): Promise<number | null> {
  if (run.newestEventAt !== undefined) return run.newestEventAt === null ? null : Date.parse(run.newestEventAt);
  const silver = await silverLog(store).read(run.silverVersion);
  if (silver === null) return null;
  const fragments: Record<string, string> = {};
  for (const table of eventTables) {
    const paths = await mapLimited((silver.tables[table] ?? []).filter((f) => f.rows > 0), 8, (f) => store.localPath(`silver/${f.path}`));
    fragments[table] = paths.length === 0 ? '(SELECT NULL::TIMESTAMPTZ AS recorded_from, NULL::TIMESTAMPTZ AS recorded_at WHERE false)' : `read_parquet(${quotedList(paths)})`;
  }
  const rows = await (await db.get()).runAndReadAll(sqlFile('metrics/gold_newest_event', fragments), { known_at: run.knownAt });
  const ms = rows.getRows()[0]?.[0];
  return ms === null || ms === undefined ? null : Number(ms);
}

interface LazyDuckDb {
  get(): Promise<DuckDb['connection']>;
  close(): void;
}

function lazyDuckDb(): LazyDuckDb {
  let opening: Promise<DuckDb> | null = null;
  return {
    async get() {
      opening ??= openDuckDb({ threads: 1 });
      return (await opening).connection;
    },
    close() {
      void opening?.then((db) => db.close(), () => undefined);
    },
  };
}

/** Answers per table version, kept for the process (bounded: the oldest go first). */
const answers = new Map<string, unknown>();
const maxAnswers = 256;

async function memo<T>(key: string, compute: () => Promise<T>): Promise<T> {
  if (answers.has(key)) return answers.get(key) as T;
  const value = await compute();
  answers.set(key, value);
  if (answers.size > maxAnswers) answers.delete(answers.keys().next().value!);
  return value;
}
