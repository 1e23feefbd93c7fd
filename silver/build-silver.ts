/**
 * A silver build (write, audit, publish): reads bronze's newest version, validates the records of every topic (schema
 * rules derived from the zod event schemas, then the trade store's rules in arrival order for trades, the
 * duplicate-event rule for the others: entities/build-entities.ts), builds the trade store, the facts (orders,
 * executions, FX rates) and each stateful entity's two-timeline history and current table, writes each table as
 * Parquet under names nobody else uses, runs the checks, and publishes a new silver version with one create-only
 * commit only if every check passed. A failed check leaves the previous version visible and throws naming the check.
 * Each build computes the tables from all of bronze's records (so --full-refresh and an incremental build give the
 * same tables); a build with nothing new (same bronze version, same business date) publishes nothing.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TerminalError } from '../lib/errors.js';
import { silentLogger, type Logger } from '../lib/log.js';
import { quotedString, sqlFile, type DuckDBConnection } from '../lib/duckdb.js';
import type { ObjectStore } from '../store/object-store.js';
import { openCatalog } from '../sql/catalog.js';
import { silverLog, silverTables, type SilverManifest } from './manifest.js';
import { tradeRules } from './trade-rules.js';
import { rulesSql, type RuleAction } from './rules/schema-rules.js';
import { buildEntities, validateTopics } from './entities/build-entities.js';
import { historyChecks } from './entities/history-checks.js';
import { rows } from './entities/rows.js';

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
    const db = timed(catalog.db.connection, log);
    const rules = tradeRules(options.actions);
    await db.run(sqlFile('silver/entities/topic_records', { records: 'trade_records', topic: quotedString('trades') }));
    await db.run(`CREATE OR REPLACE TEMP TABLE trade_violations AS ${rulesSql(rules, 'trade_records')}`);
    await db.run("CREATE OR REPLACE TEMP TABLE trade_schema_failed AS SELECT DISTINCT arrival FROM trade_violations WHERE action IN ('quarantine', 'fail')");
    const topics = await validateTopics(db, options.actions);
    const failing = await rows(db, `SELECT rule_id, count(*) AS n, min(reason) AS example FROM (
      ${['trade_violations', ...topics.violations].map((t) => `SELECT rule_id, reason FROM ${t} WHERE action = 'fail'`).join('\n      UNION ALL ')})
      GROUP BY rule_id ORDER BY rule_id`);
    if (failing.length > 0) {
      throw new SilverCheckFailedError(`silver build stopped: rule ${failing[0].rule_id} (action fail) broken by ${failing[0].n} record(s), e.g. ${failing[0].example}`, { rules: failing });
    }
    await db.run(sqlFile('silver/trade_checks', { schema_failed: 'trade_schema_failed' }));
    await db.run(sqlFile('silver/trade_versions', { schema_failed: 'trade_schema_failed' }));
    await db.run(sqlFile('silver/entity_history', { versions: 'trade_versions', history: 'trades_history', key: 'trade_id', order: 'version, arrival' }));
    await db.run(sqlFile('silver/trades_current', { business_date: `DATE ${quotedString(businessDate)}` }));
    await db.run(sqlFile('silver/quarantine', { records: 'trade_records', violations: 'trade_violations', rejections: 'trade_rejections', quarantine: 'trades_quarantine' }));
    await db.run(`CREATE OR REPLACE TEMP TABLE quarantine AS ${['trades_quarantine', ...topics.quarantines].map((t) => `SELECT * FROM ${t}`).join(' UNION ALL ')}`);
    const entities = await buildEntities(db);

    const [c] = await rows(db, `SELECT
      (SELECT count(*) FROM trade_records) AS records,
      (SELECT count(*) FROM trade_versions) AS accepted,
      (SELECT count(*) FROM trades_quarantine) AS quarantined,
      (SELECT count(DISTINCT arrival) FROM trade_violations WHERE action = 'warn') AS warned`);
    const counts = { trades: { records: Number(c.records), accepted: Number(c.accepted), quarantined: Number(c.quarantined), warned: Number(c.warned) }, ...entities.counts };
    const checks = [...(await runChecks(db, counts.trades)), ...entities.checks];
    log.info({ counts, checks: checks.filter((x) => !x.ok) }, 'silver tables built');
    const failed = checks.find((x) => !x.ok);
    if (failed) throw new SilverCheckFailedError(`silver build not published: check ${failed.name} failed: ${failed.detail}`, { check: failed.name });

    const version = (head?.version ?? 0) + 1;
    const tables = await writeTables(db, store, version);
    const manifest: SilverManifest = {
      format: 1, version, builtAt: new Date(clock()).toISOString(), businessDate, bronzeVersion,
      rules: [...rules.map((r) => ({ id: r.id, version: r.version })), ...topics.rules], tables, counts, checks,
    };
    await silver.commit(version, manifest);
    log.info({ version, bronzeVersion, businessDate }, 'silver version published');
    return { published: true, version, reason: 'built', counts, checks, seconds: (Date.now() - started) / 1000 };
  } finally {
    catalog.close();
  }
}

/** The audit of the trade store: counts reconcile, and its history and current table are sound. */
async function runChecks(db: DuckDBConnection, counts: { records: number; accepted: number; quarantined: number }): Promise<SilverManifest['checks']> {
  return [
    { name: 'trades.records_reconcile', ok: counts.records === counts.accepted + counts.quarantined, detail: `records ${counts.records} = accepted ${counts.accepted} + quarantined ${counts.quarantined}` },
    ...(await historyChecks(db, { entity: 'trades', key: 'trade_id', noun: 'trade' })),
  ];
}

async function writeTables(db: DuckDBConnection, store: ObjectStore, version: number): Promise<SilverManifest['tables']> {
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

/** The connection, with each statement's duration logged at debug level (where a slow build spends its time). */
function timed(connection: import('../lib/duckdb.js').DuckDBConnection, log: Logger): import('../lib/duckdb.js').DuckDBConnection {
  return new Proxy(connection, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if ((prop !== 'run' && prop !== 'runAndReadAll') || typeof value !== 'function') return typeof value === 'function' ? value.bind(target) : value;
      return async (sql: string, ...rest: unknown[]) => {
        const t0 = performance.now();
        try {
          return await value.call(target, sql, ...rest);
        } finally {
          log.debug({ ms: Math.round(performance.now() - t0), sql: sql.replace(/\s+/g, ' ').slice(0, 120) }, 'silver statement');
        }
      };
    },
  });
}
