/**
 * A silver build (write, audit, publish), incremental: it takes the records bronze committed since the last build
 * (bronze's record files are listed in commit order; the manifest keeps how many it has taken, its high-water mark),
 * finds the entity keys they touch (a trade id, a deal id, ...: EntityTopic.keyFields), and works on those keys'
 * records alone: the new ones and those silver already holds (the internal `records` table). Every rule and every
 * history depends only on the records of one key, so the rows it produces for those keys replace theirs in the
 * previous version and every other key's rows stay as they were: the same tables a full rebuild gives, which
 * `--full-refresh` does (every record of bronze, every key). Keyed tables are split into buckets by a hash of the key;
 * a build rewrites the buckets it touched and carries the other files over by reference. Current tables of the small
 * entities are rebuilt whole from their merged history (they are enriched from each other).
 * Checks run before anything is published; a failed check leaves the previous version visible and throws naming it.
 * A build with nothing new (same bronze version, same business date) publishes nothing.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TerminalError } from '../lib/errors.js';
import { silentLogger, type Logger } from '../lib/log.js';
import { quotedList, quotedString, sqlFile, type DuckDBConnection } from '../lib/duckdb.js';
import { mapLimited } from '../lib/concurrency.js';
import type { ObjectStore } from '../store/object-store.js';
import { openCatalog, type Catalog } from '../sql/catalog.js';
import { silverLog, type SilverFile, type SilverManifest, type SilverTable } from './manifest.js';
import { tradeRules } from './trade-rules.js';
import { rulesSql, type RuleAction } from './rules/schema-rules.js';
import { buildEntityCurrents, buildEntityTables, factChecks, topicRunCounts, validateTopics } from './entities/build-entities.js';
import { entityTopics, historyEntities } from './entities/entity-topics.js';
import { historyChecks } from './entities/history-checks.js';
import { rows } from './entities/rows.js';

export interface SilverBuildOptions {
  store: ObjectStore;
  businessDate: string;
  fullRefresh?: boolean;
  /** Rule actions other than the defaults, by rule id (e.g. make a schema rule `fail` the build, or only `warn`). */
  actions?: Record<string, RuleAction>;
  /** Buckets of the keyed tables (default 16); a change means a full rebuild. */
  buckets?: number;
  logger?: Logger;
  clock?: () => number;
}

export interface SilverBuildResult {
  published: boolean;
  version: number | null;
  reason: string;
  incremental: boolean;
  /** Per topic, over everything silver holds. */
  counts: SilverManifest['counts'];
  /** Per topic, the records this build worked on: records = accepted + quarantined. */
  run: NonNullable<SilverManifest['run']>;
  checks: SilverManifest['checks'];
  seconds: number;
}

export class SilverCheckFailedError extends TerminalError {}

/** The topics silver reads, with the payload fields that name each record's entity. */
const topicKeys: { topic: string; keyFields: string[] }[] = [{ topic: 'trades', keyFields: ['trade_id'] }, ...entityTopics];

/**
 * The tables whose rows belong to one key of one topic, and how to get the key back from a row: an incremental build
 * replaces the rows of the keys it touched. `quarantine` is keyed by (topic, entity_key); rows without a key (a
 * payload that names none) are never reworked.
 */
const keyedTables: { table: SilverTable; topic: string; key: string; work: string }[] = [
  { table: 'trades_history', topic: 'trades', key: 'trade_id', work: 'trades_history' },
  { table: 'trades_current', topic: 'trades', key: 'trade_id', work: 'trades_current' },
  { table: 'orders', topic: 'orders', key: 'event_id', work: 'orders' },
  { table: 'executions', topic: 'executions', key: 'event_id', work: 'executions' },
  { table: 'fx_rates', topic: 'ref.fx_rates', key: "strftime(rate_date, '%Y-%m-%d') || '|' || base_currency || '|' || quote_currency", work: 'fx_rates' },
  ...historyEntities.map((e) => ({ table: `${e.entity}_history` as SilverTable, topic: topicOf(e.entity), key: e.key, work: `${e.entity}_history` })),
];

/** Rebuilt whole from the merged histories. */
const wholeTables: SilverTable[] = historyEntities.map((e) => `${e.entity}_current` as SilverTable);

function topicOf(entity: string): string {
  const spec = entityTopics.find((t) => t.name === entity);
  if (spec === undefined) throw new Error(`no topic for entity ${entity}`);
  return spec.topic;
}

/** The entity key of a raw record, from its payload; NULL when the payload is not JSON or lacks a key field. */
function keySql(): string {
  const json = `CASE WHEN json_valid("value") THEN "value" END`;
  const cases = topicKeys.map(({ topic, keyFields }) =>
    `WHEN ${quotedString(topic)} THEN ${keyFields.map((f) => `json_extract_string(${json}, ${quotedString(`$.${JSON.stringify(f)}`)})`).join(` || '|' || `)}`);
  return `CASE topic ${cases.join(' ')} END`;
}

/**
 * A row's bucket: a stable hash (MD5) of its entity key, or, for records and quarantine rows (`byPosition`), of the
 * record's position when it has no key.
 */
function bucketSql(key: string, buckets: number, byPosition = false): string {
  const position = `'@' || topic || '/' || coalesce(CAST("partition" AS VARCHAR), '') || '/' || coalesce(CAST("offset" AS VARCHAR), '') || '/' || coalesce(file_sha256, '') || '/' || coalesce(CAST(line AS VARCHAR), '')`;
  return `CAST(md5_number(${byPosition ? `coalesce(${key}, ${position})` : key}) % ${buckets} AS INTEGER)`;
}

export async function buildSilver(options: SilverBuildOptions): Promise<SilverBuildResult> {
  const started = Date.now();
  const { store, businessDate } = options;
  const buckets = options.buckets ?? 16;
  const log = (options.logger ?? silentLogger).child({ module: 'silver' });
  const clock = options.clock ?? Date.now;
  const silver = silverLog(store);
  const head = await silver.latest();
  const catalog = await openCatalog({ store });
  const bronzeVersion = catalog.versions.bronze ?? 0;
  try {
    if (!options.fullRefresh && head !== null && head.manifest.bronzeVersion === bronzeVersion && head.manifest.businessDate === businessDate) {
      log.info({ version: head.version, bronzeVersion }, 'nothing new since the last build');
      const run = { incremental: true, newRecords: {}, counts: {} };
      return { published: false, version: head.version, reason: 'nothing new', incremental: true, counts: head.manifest.counts, run, checks: head.manifest.checks, seconds: (Date.now() - started) / 1000 };
    }
    const db = timed(catalog.db.connection, log);
    const base = options.fullRefresh ? null : incrementalBase(head?.manifest ?? null, catalog, buckets, log);
    const prevFiles = async (table: SilverTable, keep: (f: SilverFile) => boolean) =>
      mapLimited((base?.tables[table] ?? []).filter(keep), 8, (f) => store.localPath(`silver/${f.path}`));

    // 1. The records bronze committed since the base version, with their entity key and bucket.
    const fresh = catalog.bronzeRecordFiles.slice(base?.bronzeFiles ?? 0);
    const topicList = `(${topicKeys.map((t) => quotedString(t.topic)).join(', ')})`;
    await db.run(`CREATE OR REPLACE TEMP TABLE new_records AS
      SELECT *, ${bucketSql('gk', buckets, true)} AS bucket FROM (
        SELECT topic, "partition", "offset", "key", "value", "timestamp", source, file_sha256, line, ${keySql()} AS gk
        FROM ${fresh.length === 0 ? 'bronze.records WHERE false' : `read_parquet(${quotedList(fresh.map((f) => f.local))}) WHERE topic IN ${topicList}`})`);
    await db.run('CREATE OR REPLACE TEMP TABLE touched AS SELECT DISTINCT topic, gk FROM new_records WHERE gk IS NOT NULL');
    const touchedBuckets = new Map<string, Set<number>>();
    for (const r of await rows(db, 'SELECT DISTINCT topic, bucket FROM new_records')) {
      if (!touchedBuckets.has(String(r.topic))) touchedBuckets.set(String(r.topic), new Set());
      touchedBuckets.get(String(r.topic))!.add(Number(r.bucket));
    }
    const isTouched = (topic: string | undefined, bucket: number | undefined) => topic !== undefined && bucket !== undefined && (touchedBuckets.get(topic)?.has(bucket) ?? false);

    // 2. What to work on: the new records, and the records silver holds of the keys they touch.
    const held = await prevFiles('records', (f) => isTouched(f.topic, f.bucket));
    await db.run(`CREATE OR REPLACE TEMP TABLE work_records AS
      SELECT * FROM new_records
      ${held.length === 0 ? '' : `UNION ALL BY NAME SELECT r.* FROM read_parquet(${quotedList(held)}) r SEMI JOIN touched t ON t.topic = r.topic AND t.gk = r.gk`}`);
    const [newCounts, workCounts] = [await rows(db, 'SELECT topic, count(*) AS n FROM new_records GROUP BY topic'), await rows(db, 'SELECT count(*) AS n FROM work_records')];
    log.info({ incremental: base !== null, newRecords: Object.fromEntries(newCounts.map((r) => [r.topic, Number(r.n)])), workRecords: Number(workCounts[0].n), bronzeFiles: fresh.length }, 'silver build: records to work on');

    // 3. Validation and the tables of the touched keys (the same SQL as a full build, over fewer records).
    const rules = tradeRules(options.actions);
    await db.run(sqlFile('silver/entities/topic_records', { records: 'trade_records', topic: quotedString('trades'), source: 'work_records' }));
    await db.run(`CREATE OR REPLACE TEMP TABLE trade_violations AS ${rulesSql(rules, 'trade_records')}`);
    await db.run("CREATE OR REPLACE TEMP TABLE trade_schema_failed AS SELECT DISTINCT arrival FROM trade_violations WHERE action IN ('quarantine', 'fail')");
    const topics = await validateTopics(db, 'work_records', options.actions);
    const failing = await rows(db, `SELECT rule_id, count(*) AS n, min(reason) AS example FROM (
      ${['trade_violations', ...topics.violations].map((t) => `SELECT rule_id, reason FROM ${t} WHERE action = 'fail'`).join('\n      UNION ALL ')})
      GROUP BY rule_id ORDER BY rule_id`);
    if (failing.length > 0) {
      throw new SilverCheckFailedError(`silver build stopped: rule ${failing[0].rule_id} (action fail) broken by ${failing[0].n} record(s), e.g. ${failing[0].example}`, { rules: failing });
    }
    await db.run(sqlFile('silver/trade_checks', { schema_failed: 'trade_schema_failed' }));
    await db.run(sqlFile('silver/trade_versions', { schema_failed: 'trade_schema_failed' }));
    await db.run(sqlFile('silver/entity_history', { versions: 'trade_versions', history: 'trades_history', key: 'trade_id', order: 'version, arrival' }));
    await db.run(sqlFile('silver/trades_current'));
    await db.run(sqlFile('silver/quarantine', { records: 'trade_records', violations: 'trade_violations', rejections: 'trade_rejections', quarantine: 'trades_quarantine' }));
    await db.run(`CREATE OR REPLACE TEMP TABLE quarantine AS ${['trades_quarantine', ...topics.quarantines].map((t) => `SELECT * FROM ${t}`).join(' UNION ALL ')}`);
    await buildEntityTables(db);

    const topicRun = await topicRunCounts(db, [
      { topic: 'trades', records: 'trade_records', accepted: 'trade_versions', quarantine: 'trades_quarantine', violations: 'trade_violations' },
      ...entityTopics.map((t) => ({ topic: t.topic, records: `${t.name}_records`, accepted: `${t.name}_accepted`, quarantine: `${t.name}_quarantine`, violations: `${t.name}_violations` })),
    ]);
    const runCounts = topicRun.counts;
    const run = { incremental: base !== null, newRecords: Object.fromEntries(topicKeys.map((t) => [t.topic, Number(newCounts.find((r) => r.topic === t.topic)?.n ?? 0)])), counts: runCounts };

    // 4. Merge: for each keyed table, the previous rows of the touched buckets minus the touched keys, plus this build's rows.
    const version = (head?.version ?? 0) + 1;
    const dir = await mkdtemp(join(tmpdir(), 'silver-'));
    const written: SilverFile[] = [];
    try {
      const writer = new TableWriter(db, store, dir, version, written);
      const tables = {} as SilverManifest['tables'];
      const carry = (table: SilverTable, keep: (f: SilverFile) => boolean) => (base?.tables[table] ?? []).filter(keep);
      for (const k of keyedTables) {
        const touchedHere = touchedBuckets.get(k.topic) ?? new Set<number>();
        const previous = await prevFiles(k.table, (f) => touchedHere.has(f.bucket ?? -1));
        await db.run(`ALTER TABLE ${k.work} RENAME TO ${k.work}_work`);
        await db.run(`CREATE OR REPLACE TEMP TABLE ${k.work}_merged AS
          SELECT * EXCLUDE (_key), ${bucketSql('_key', buckets)} AS _bucket FROM (
            SELECT *, ${k.key} AS _key FROM ${k.work}_work
            ${previous.length === 0 ? '' : `UNION ALL BY NAME
            SELECT p.* FROM (SELECT *, ${k.key} AS _key FROM read_parquet(${quotedList(previous)})) p
            ANTI JOIN (SELECT gk FROM touched WHERE topic = ${quotedString(k.topic)}) t ON t.gk = p._key`})`);
        // Untouched buckets' files as they were (an unbucketed file is only an empty table's placeholder).
        const carriedFiles = carry(k.table, (f) => f.bucket !== undefined && !touchedHere.has(f.bucket));
        tables[k.table] = [...carriedFiles, ...(await writer.buckets(k.table, `${k.work}_merged`, [...touchedHere], {}))];
        // An empty table still gets a file, so that its view has its columns.
        if (tables[k.table]!.length === 0) tables[k.table] = await writer.whole(k.table, `(SELECT * EXCLUDE (_bucket) FROM ${k.work}_merged)`);
        // The whole table where the current tables or checks that follow read it; else the merged buckets.
        const carried = wholeNeeded(k.table) ? await mapLimited(carriedFiles, 8, (f) => store.localPath(`silver/${f.path}`)) : [];
        await db.run(`CREATE OR REPLACE TEMP VIEW ${k.work} AS SELECT * EXCLUDE (_bucket) FROM ${k.work}_merged
          ${carried.length === 0 ? '' : `UNION ALL BY NAME SELECT * FROM read_parquet(${quotedList(carried)})`}`);
      }
      // Quarantine: per topic and bucket, keyed by entity_key (rows without one are kept as they are).
      const quarantineFiles: SilverFile[] = [];
      for (const { topic } of topicKeys) {
        const touchedHere = touchedBuckets.get(topic) ?? new Set<number>();
        const previous = await prevFiles('quarantine', (f) => f.topic === topic && touchedHere.has(f.bucket ?? -1));
        await db.run(`CREATE OR REPLACE TEMP TABLE quarantine_merged AS
          SELECT *, ${bucketSql('entity_key', buckets, true)} AS _bucket FROM (
            SELECT * FROM quarantine WHERE topic = ${quotedString(topic)}
            ${previous.length === 0 ? '' : `UNION ALL BY NAME
            SELECT p.* FROM read_parquet(${quotedList(previous)}) p
            ANTI JOIN (SELECT gk FROM touched WHERE topic = ${quotedString(topic)}) t ON t.gk = p.entity_key`})`);
        quarantineFiles.push(...carry('quarantine', (f) => f.topic === topic && !touchedHere.has(f.bucket ?? -1)),
          ...(await writer.buckets('quarantine', 'quarantine_merged', [...touchedHere], { topic })));
      }
      tables.quarantine = quarantineFiles.length > 0 ? quarantineFiles : await writer.whole('quarantine', '(SELECT * FROM quarantine WHERE false)');
      // Records: append-only; the new ones, one file per topic and bucket.
      const recordFiles: SilverFile[] = [...(base?.tables.records ?? [])];
      for (const [topic, set] of touchedBuckets) {
        await db.run(`CREATE OR REPLACE TEMP TABLE records_new AS SELECT * EXCLUDE (bucket), bucket AS _bucket FROM new_records WHERE topic = ${quotedString(topic)}`);
        recordFiles.push(...(await writer.buckets('records', 'records_new', [...set], { topic })));
      }
      tables.records = recordFiles;

      // 5. Current tables of the entities, whole, from the merged histories; then every check.
      const checks: SilverManifest['checks'] = [...topicRun.checks];
      checks.push(...(await buildEntityCurrents(db)));
      for (const table of wholeTables) tables[table] = await writer.whole(table, table);
      // Trades: the merged buckets only (the others passed when they were written).
      await db.run('CREATE OR REPLACE TEMP VIEW trades_check_history AS SELECT * EXCLUDE (_bucket) FROM trades_history_merged');
      await db.run('CREATE OR REPLACE TEMP VIEW trades_check_current AS SELECT * EXCLUDE (_bucket) FROM trades_current_merged');
      checks.push(...(await historyChecks(db, { entity: 'trades', key: 'trade_id', noun: 'trade' }, { history: 'trades_check_history', current: 'trades_check_current' })));
      checks.push(...(await factChecks(db, { orders: 'orders_merged', executions: 'executions_merged', fx_rates: 'fx_rates_merged' })));

      const counts = totals(tables, runCounts);
      log.info({ run, counts, failed: checks.filter((x) => !x.ok) }, 'silver tables built');
      const failed = checks.find((x) => !x.ok);
      if (failed) throw new SilverCheckFailedError(`silver build not published: check ${failed.name} failed: ${failed.detail}`, { check: failed.name });

      const manifest: SilverManifest = {
        format: 2, version, builtAt: new Date(clock()).toISOString(), businessDate, bronzeVersion,
        bronzeFiles: catalog.bronzeRecordFiles.length, bronzeLastFile: catalog.bronzeRecordFiles.at(-1)?.path ?? null,
        highWaterMarks: catalog.bronzeWatermarks, buckets,
        rules: [...rules.map((r) => ({ id: r.id, version: r.version })), ...topics.rules], tables, counts, run, checks,
      };
      await silver.commit(version, manifest);
      written.length = 0; // published: no longer ours to clean up
      log.info({ version, bronzeVersion, businessDate, incremental: run.incremental }, 'silver version published');
      return { published: true, version, reason: 'built', incremental: run.incremental, counts, run, checks, seconds: (Date.now() - started) / 1000 };
    } finally {
      // Files of a build that did not publish are nobody's: remove them.
      await Promise.all(written.map((f) => store.delete(`silver/${f.path}`).catch(() => undefined)));
      await rm(dir, { recursive: true, force: true });
    }
  } finally {
    catalog.close();
  }
}

/** The whole of a keyed table is needed after the merge when a current table or a check reads it. */
function wholeNeeded(table: SilverTable): boolean {
  return table.endsWith('_history') && table !== 'trades_history';
}

/**
 * The version to build on, or null for a full build: the previous one when it is bucketed the same way and the
 * bronze files it took are still bronze's first ones.
 */
function incrementalBase(head: SilverManifest | null, catalog: Catalog, buckets: number, log: Logger): SilverManifest | null {
  if (head === null) return null;
  const why = head.format !== 2 || head.bronzeFiles === undefined ? 'the previous version predates incremental builds'
    : head.buckets !== buckets ? `the bucket count changed (${head.buckets} -> ${buckets})`
      : head.bronzeFiles > catalog.bronzeRecordFiles.length || (head.bronzeFiles > 0 && catalog.bronzeRecordFiles[head.bronzeFiles - 1].path !== head.bronzeLastFile)
        ? 'bronze no longer starts with the files the previous version took' : null;
  if (why === null) return head;
  log.warn({ reason: why }, 'building from all of bronze');
  return null;
}

/** Totals per topic over the new version: records held, quarantined (file row counts), accepted = the rest. */
function totals(tables: SilverManifest['tables'], run: SilverManifest['counts']): SilverManifest['counts'] {
  const out: SilverManifest['counts'] = {};
  for (const { topic } of topicKeys) {
    const records = (tables.records ?? []).filter((f) => f.topic === topic).reduce((n, f) => n + f.rows, 0);
    const quarantined = (tables.quarantine ?? []).filter((f) => f.topic === topic).reduce((n, f) => n + f.rows, 0);
    out[topic] = { records, accepted: records - quarantined, quarantined, warned: run[topic]?.warned ?? 0 };
  }
  return out;
}

/** Writes table files under names nobody else uses and remembers them, so that an unpublished build can remove them. */
class TableWriter {
  constructor(
    private readonly db: DuckDBConnection,
    private readonly store: ObjectStore,
    private readonly dir: string,
    private readonly version: number,
    private readonly written: SilverFile[],
  ) {}

  /** One file per bucket of `source` (which has a `_bucket` column), for the given buckets; none for an empty bucket. */
  async buckets(table: SilverTable, source: string, buckets: number[], meta: { topic?: string }): Promise<SilverFile[]> {
    const out: SilverFile[] = [];
    for (const bucket of buckets.sort((a, b) => a - b)) {
      const file = await this.write(table, `SELECT * EXCLUDE (_bucket) FROM ${source} WHERE _bucket = ${bucket}`, { ...meta, bucket });
      if (file !== null) out.push(file);
    }
    return out;
  }

  async whole(table: SilverTable, source: string): Promise<SilverFile[]> {
    const file = await this.write(table, `SELECT * FROM ${source}`, {});
    return file === null ? [] : [file];
  }

  private async write(table: SilverTable, select: string, meta: { topic?: string; bucket?: number }): Promise<SilverFile | null> {
    const where = [meta.topic === undefined ? '' : `${meta.topic}/`, meta.bucket === undefined ? '' : `b${String(meta.bucket).padStart(3, '0')}/`].join('');
    const name = `${table}/${where}v${String(this.version).padStart(6, '0')}-${randomUUID()}.parquet`;
    const local = join(this.dir, `${randomUUID()}.parquet`);
    const [stats] = await rows(this.db, `COPY (${select}) TO ${quotedString(local)} (FORMAT parquet, COMPRESSION zstd, RETURN_STATS true)`);
    if (Number(stats.count) === 0 && meta.bucket !== undefined) {
      await rm(local, { force: true });
      return null;
    }
    await this.store.putFile(`silver/${name}`, local, { move: true });
    const file: SilverFile = { path: name, rows: Number(stats.count), bytes: Number(stats.file_size_bytes), ...meta };
    this.written.push(file);
    return file;
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
        } catch (err) {
          if (err instanceof Error) err.message += ` (in: ${sql.replace(/\s+/g, ' ').slice(0, 400)})`;
          throw err;
        } finally {
          log.debug({ ms: Math.round(performance.now() - t0), sql: sql.replace(/\s+/g, ' ').slice(0, 120) }, 'silver statement');
        }
      };
    },
  });
}
