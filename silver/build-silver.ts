/**
 * A silver build (write, audit, publish): reads bronze's newest version, validates the trade records (schema rules
 * derived from the zod event schemas, then the trade store's rules in arrival order), builds the two-timeline
 * history and the current view, writes each table as Parquet under names nobody else uses, runs the checks, and
 * publishes a new silver version with one create-only commit only if every check passed. A failed check leaves the
 * previous version visible and throws naming the check.
 * Each build computes the tables from all of bronze's trade records (so --full-refresh and an incremental build
 * give the same tables); a build with nothing new (same bronze version, same business date) publishes nothing.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TerminalError } from '../lib/errors.js';
import { silentLogger, type Logger } from '../lib/log.js';
import { quotedString, sqlFile } from '../lib/duckdb.js';
import type { ObjectStore } from '../store/object-store.js';
import { openCatalog } from '../sql/catalog.js';
import { silverLog, silverTables, type SilverManifest } from './manifest.js';
import { tradeRules } from './trade-rules.js';
import { rulesSql, type RuleAction } from './rules/schema-rules.js';

export interface SilverBuildOptions {
  store: ObjectStore;
  businessDate: string;
  fullRefresh?: boolean;
  /** Rule actions other than the defaults, by rule id (e.g. make a schema rule `fail` the build, or only `warn`). */
  actions?: Record<string, RuleAction>;
  logger?: Logger;
  clock?: () => number;
}

export interface SilverBuildResult {
  published: boolean;
  version: number | null;
  reason: string;
  counts: SilverManifest['counts'];
  checks: SilverManifest['checks'];
  seconds: number;
}

export class SilverCheckFailedError extends TerminalError {}

export async function buildSilver(options: SilverBuildOptions): Promise<SilverBuildResult> {
  const started = Date.now();
  const { store, businessDate } = options;
  const log = (options.logger ?? silentLogger).child({ module: 'silver' });
  const clock = options.clock ?? Date.now;
  const silver = silverLog(store);
  const head = await silver.latest();
  const catalog = await openCatalog({ store });
  const bronzeVersion = catalog.versions.bronze ?? 0;
  try {
    if (!options.fullRefresh && head !== null && head.manifest.bronzeVersion === bronzeVersion && head.manifest.businessDate === businessDate) {
      log.info({ version: head.version, bronzeVersion }, 'nothing new since the last build');
      return { published: false, version: head.version, reason: 'nothing new', counts: head.manifest.counts, checks: head.manifest.checks, seconds: (Date.now() - started) / 1000 };
    }
    const db = catalog.db.connection;
    const rules = tradeRules(options.actions);
    await db.run(sqlFile('silver/trade_records'));
    await db.run(`CREATE OR REPLACE TEMP TABLE trade_violations AS ${rulesSql(rules, 'trade_records')}`);
    await db.run("CREATE OR REPLACE TEMP TABLE trade_schema_failed AS SELECT DISTINCT arrival FROM trade_violations WHERE action IN ('quarantine', 'fail')");
    const failing = await rows(db, "SELECT rule_id, count(*) AS n, min(reason) AS example FROM trade_violations WHERE action = 'fail' GROUP BY rule_id");
    if (failing.length > 0) {
      throw new SilverCheckFailedError(`silver build stopped: rule ${failing[0].rule_id} (action fail) broken by ${failing[0].n} record(s), e.g. ${failing[0].example}`, { rules: failing });
    }
    await db.run(sqlFile('silver/trade_checks', { schema_failed: 'trade_schema_failed' }));
    await db.run(sqlFile('silver/trade_versions', { schema_failed: 'trade_schema_failed' }));
    await db.run(sqlFile('silver/trades_history'));
    await db.run(sqlFile('silver/trades_current', { business_date: `DATE ${quotedString(businessDate)}` }));
    await db.run(sqlFile('silver/quarantine', { violations: 'trade_violations' }));

    const [c] = await rows(db, `SELECT
      (SELECT count(*) FROM trade_records) AS records,
      (SELECT count(*) FROM trade_versions) AS accepted,
      (SELECT count(*) FROM quarantine WHERE topic = 'trades') AS quarantined,
      (SELECT count(DISTINCT arrival) FROM trade_violations WHERE action = 'warn') AS warned`);
    const counts = { trades: { records: Number(c.records), accepted: Number(c.accepted), quarantined: Number(c.quarantined), warned: Number(c.warned) } };
    const checks = await runChecks(db, counts.trades);
    log.info({ counts, checks: checks.filter((x) => !x.ok) }, 'silver tables built');
    const failed = checks.find((x) => !x.ok);
    if (failed) throw new SilverCheckFailedError(`silver build not published: check ${failed.name} failed: ${failed.detail}`, { check: failed.name });

    const version = (head?.version ?? 0) + 1;
    const tables = await writeTables(db, store, version);
    const manifest: SilverManifest = {
      format: 1, version, builtAt: new Date(clock()).toISOString(), businessDate, bronzeVersion,
      rules: rules.map((r) => ({ id: r.id, version: r.version })), tables, counts, checks,
    };
    await silver.commit(version, manifest);
    log.info({ version, bronzeVersion, businessDate }, 'silver version published');
    return { published: true, version, reason: 'built', counts, checks, seconds: (Date.now() - started) / 1000 };
  } finally {
    catalog.close();
  }
}

type Row = Record<string, string | number | boolean | null>;

async function rows(db: import('../lib/duckdb.js').DuckDBConnection, sql: string): Promise<Row[]> {
  const reader = await db.runAndReadAll(sql);
  return reader.getRowObjectsJson() as Row[];
}

/** The audit: counts reconcile, keys are unique where they must be, validity intervals neither overlap nor gap. */
async function runChecks(db: import('../lib/duckdb.js').DuckDBConnection, counts: { records: number; accepted: number; quarantined: number }): Promise<SilverManifest['checks']> {
  const checks: SilverManifest['checks'] = [];
  checks.push({ name: 'trades.records_reconcile', ok: counts.records === counts.accepted + counts.quarantined, detail: `records ${counts.records} = accepted ${counts.accepted} + quarantined ${counts.quarantined}` });
  const [dup] = await rows(db, 'SELECT count(*) - count(DISTINCT trade_id) AS n FROM trades_current');
  checks.push({ name: 'trades_current.unique_trade_id', ok: Number(dup.n) === 0, detail: `${dup.n} duplicate trade_id(s)` });
  const [overlap] = await rows(db, `SELECT count(*) AS n FROM (
      SELECT trade_id, valid_from, lead(valid_from) OVER (PARTITION BY trade_id ORDER BY valid_from) AS next_from, valid_to
      FROM trades_history WHERE recorded_to IS NULL)
    WHERE next_from IS NOT NULL AND (valid_to IS NULL OR valid_to <> next_from)`);
  checks.push({ name: 'trades_history.no_overlap_or_gap', ok: Number(overlap.n) === 0, detail: `${overlap.n} current-knowledge interval(s) that overlap or leave a gap` });
  const [open] = await rows(db, `SELECT count(*) AS n FROM (SELECT trade_id FROM trades_history WHERE recorded_to IS NULL AND valid_to IS NULL GROUP BY trade_id HAVING count(*) <> 1)`);
  checks.push({ name: 'trades_history.one_open_row', ok: Number(open.n) === 0, detail: `${open.n} trade(s) without exactly one open row` });
  return checks;
}

async function writeTables(db: import('../lib/duckdb.js').DuckDBConnection, store: ObjectStore, version: number): Promise<SilverManifest['tables']> {
  const dir = await mkdtemp(join(tmpdir(), 'silver-'));
  try {
    const tables = {} as SilverManifest['tables'];
    for (const table of silverTables) {
      const name = `${table}/v${String(version).padStart(6, '0')}-${randomUUID()}.parquet`;
      const local = join(dir, `${table}.parquet`);
      const [stats] = await rows(db, `COPY (SELECT * FROM ${table}) TO ${quotedString(local)} (FORMAT parquet, COMPRESSION zstd, RETURN_STATS true)`);
      await store.putFile(`silver/${name}`, local, { move: true });
      tables[table] = [{ path: name, rows: Number(stats.count), bytes: Number(stats.file_size_bytes) }];
    }
    return tables;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
