/**
 * A silver build (write, audit, publish), incremental: it takes the records bronze committed since the last build
 * (bronze's record files are listed in commit order; the manifest keeps how many it has taken, its high-water mark),
 * finds the entity keys they touch (a trade id, a deal id, ...: EntityTopic.keyFields), and works on those keys'
 * records alone: the new ones and those silver already holds (the internal `records` table). Every rule and every
 * history depends only on the records of one key, so the rows it produces for those keys replace theirs in the
 * previous version and every other key's rows stay as they were: the same tables a full rebuild gives, which
 * `--full-refresh` does (every record of bronze, every key). Keyed tables are split into buckets by a hash of the key;
 * a build rewrites the buckets it touched and carries the other files over by reference. Current tables of the small
 * entities are rebuilt whole from their merged history (they are enriched from each other). Trades, the large table,
 * have their own incremental path (trades.ts): append-only index and closed history, and held records not read again.
 * Topics without new records are not worked on at all: their files, rules and checks carry over.
 * Checks run before anything is published; a failed check leaves the previous version visible and throws naming it.
 * A build with nothing new (same bronze version, same business date) publishes nothing.
 */
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
import type { RuleAction } from './rules/schema-rules.js';
import { buildEntityCurrents, buildEntityTables, factChecks, topicRuleList, topicRunCounts, validateTopics } from './entities/build-entities.js';
import { entityTopics, historyEntities } from './entities/entity-topics.js';
import { rows } from './entities/rows.js';
import { bucketSql, recordKeySql, TableWriter } from './table-writer.js';
import { emptyHistory, TradesBuild } from './trades.js';

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
 * The tables (of the topics besides trades) whose rows belong to one key of one topic, and how to get the key back from
 * a row: an incremental build replaces the rows of the keys it touched. `quarantine` is keyed by (topic, entity_key);
 * rows without a key (a payload that names none) are never reworked.
 */
const keyedTables: { table: SilverTable; topic: string; key: string; work: string }[] = [
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

/** The entity key of a raw record of the topics besides trades, from its payload; NULL when not JSON or no key. */
function keySql(): string {
  const cases = entityTopics.map(({ topic, keyFields }) => `WHEN ${quotedString(topic)} THEN ${recordKeySql(keyFields)}`);
  return `CASE topic ${cases.join(' ')} END`;
}

export async function buildSilver(options: SilverBuildOptions): Promise<SilverBuildResult> {
  const started = Date.now();
  const { store, businessDate } = options;
  const buckets = options.buckets ?? 16;
  const log = (options.logger ?? silentLogger).child({ module: 'silver' });
  const clock = options.clock ?? Date.now;
  const silver = silverLog(store);
  const head = await silver.latest();
  const catalog = await openCatalog({ store, metrics: false });
  const bronzeVersion = catalog.versions.bronze ?? 0;
  try {
    if (!options.fullRefresh && head !== null && head.manifest.bronzeVersion === bronzeVersion && head.manifest.businessDate === businessDate) {
      log.info({ version: head.version, bronzeVersion }, 'nothing new since the last build');
      const run = { incremental: true, newRecords: {}, counts: {} };
      return { published: false, version: head.version, reason: 'nothing new', incremental: true, counts: head.manifest.counts, run, checks: head.manifest.checks, seconds: (Date.now() - started) / 1000 };
    }
    const db = timed(catalog.db.connection, log);
    const actions = options.actions ?? {};
    const base = options.fullRefresh ? null : incrementalBase(head?.manifest ?? null, catalog, buckets, actions, log);
    const prevFiles = async (table: SilverTable, keep: (f: SilverFile) => boolean) =>
      mapLimited((base?.tables[table] ?? []).filter(keep), 8, (f) => store.localPath(`silver/${f.path}`));

    // 1. The records bronze committed since the base version: trades (trades.ts), and the other topics' records with
    // their entity key and bucket.
    const fresh = catalog.bronzeRecordFiles.slice(base?.bronzeFiles ?? 0);
    const rules = tradeRules(options.actions);
    const trades = new TradesBuild({ db, store, log, base, fresh, bronze: catalog.bronzeRecordFiles, buckets, rules });
    await trades.validate();
    const topicList = `(${entityTopics.map((t) => quotedString(t.topic)).join(', ')})`;
    await db.run(`CREATE OR REPLACE TEMP TABLE new_records AS
      SELECT *, ${bucketSql('gk', buckets, true)} AS bucket FROM (
        SELECT topic, "partition", "offset", "key", "value", "timestamp", source, file_sha256, line, ${keySql()} AS gk
        FROM ${fresh.length === 0 ? 'bronze.records WHERE false' : `read_parquet(${quotedList(fresh.map((f) => f.local))}) WHERE topic IN ${topicList}`})`);
    const touchedBuckets = new Map<string, Set<number>>();
    for (const r of await rows(db, 'SELECT DISTINCT topic, bucket FROM new_records')) {
      if (!touchedBuckets.has(String(r.topic))) touchedBuckets.set(String(r.topic), new Set());
      touchedBuckets.get(String(r.topic))!.add(Number(r.bucket));
    }
    // Nothing new besides trades: the other topics' tables, rules and checks stay as they are.
    const others = base === null || touchedBuckets.size > 0;
    const newCounts = await rows(db, 'SELECT topic, count(*) AS n FROM new_records GROUP BY topic');

    // 2. What to work on: the new records, and the records silver holds of the keys they touch.
    let topics: Awaited<ReturnType<typeof validateTopics>> | null = null;
    if (others) {
      await db.run('CREATE OR REPLACE TEMP TABLE touched AS SELECT DISTINCT topic, gk FROM new_records WHERE gk IS NOT NULL');
      const held = await prevFiles('records', (f) => f.topic !== undefined && f.bucket !== undefined && (touchedBuckets.get(f.topic)?.has(f.bucket) ?? false));
      await db.run(`CREATE OR REPLACE TEMP TABLE work_records AS
        SELECT * FROM new_records
        ${held.length === 0 ? '' : `UNION ALL BY NAME SELECT r.* FROM read_parquet(${quotedList(held)}) r SEMI JOIN touched t ON t.topic = r.topic AND t.gk = r.gk`}`);
      topics = await validateTopics(db, 'work_records', options.actions);
    }
    log.info({ incremental: base !== null, newRecords: { trades: trades.newRecords, ...Object.fromEntries(newCounts.map((r) => [r.topic, Number(r.n)])) }, bronzeFiles: fresh.length }, 'silver build: records to work on');

    // 3. Rules with action fail stop the build before anything is written.
    const failing = await rows(db, `SELECT rule_id, count(*) AS n, min(reason) AS example FROM (
      ${['trade_violations', ...(topics?.violations ?? [])].map((t) => `SELECT rule_id, reason FROM ${t} WHERE action = 'fail'`).join('\n      UNION ALL ')})
      GROUP BY rule_id ORDER BY rule_id`);
    if (failing.length > 0) {
      throw new SilverCheckFailedError(`silver build stopped: rule ${failing[0].rule_id} (action fail) broken by ${failing[0].n} record(s), e.g. ${failing[0].example}`, { rules: failing });
    }

    // 4. Files of the new version.
    const version = (head?.version ?? 0) + 1;
    const dir = await mkdtemp(join(tmpdir(), 'silver-'));
    const written: SilverFile[] = [];
    try {
      const writer = new TableWriter(db, store, dir, version, written);
      const tables = {} as SilverManifest['tables'];
      const tradeResult = await trades.finish(writer);
      Object.assign(tables, { trades_history: tradeResult.tables.trades_history, trades_current: tradeResult.tables.trades_current, trades_index: tradeResult.tables.trades_index });
      // An empty table still gets a file, so that its view has its columns.
      if (tradeResult.tables.trades_history.length === 0) tables.trades_history = await writer.whole('trades_history', `(${emptyHistory})`);
      if (tradeResult.tables.trades_current.length === 0) tables.trades_current = (tables.trades_history ?? []).filter((f) => f.part === undefined);
      const tradeRun = { records: tradeResult.counts.records, accepted: tradeResult.counts.accepted, quarantined: tradeResult.counts.quarantined, warned: tradeResult.counts.warned };
      const checks: SilverManifest['checks'] = [
        { name: 'trades.records_reconcile', ok: tradeRun.records === tradeRun.accepted + tradeRun.quarantined, detail: `records ${tradeRun.records} = accepted ${tradeRun.accepted} + quarantined ${tradeRun.quarantined}` },
      ];
      const runCounts: SilverManifest['counts'] = { trades: tradeRun };
      let topicRules: SilverManifest['rules'];
      if (topics !== null) {
        await buildEntityTables(db);
        const topicRun = await topicRunCounts(db, entityTopics.map((t) => ({ topic: t.topic, records: `${t.name}_records`, accepted: `${t.name}_accepted`, quarantine: `${t.name}_quarantine`, violations: `${t.name}_violations` })));
        Object.assign(runCounts, topicRun.counts);
        checks.push(...topicRun.checks);
        await db.run(`CREATE OR REPLACE TEMP TABLE quarantine AS ${topics.quarantines.map((t) => `SELECT * FROM ${t}`).join(' UNION ALL ')}`);
        checks.push(...(await writeOtherTopics(db, store, writer, base, tables, touchedBuckets, buckets, prevFiles)));
        topicRules = topics.rules;
      } else {
        // Carried over: the files, and the checks of what they hold (each passed when its build wrote it).
        for (const t of entityTopics) {
          runCounts[t.topic] = { records: 0, accepted: 0, quarantined: 0, warned: 0 };
          checks.push({ name: `${t.topic}.records_reconcile`, ok: true, detail: 'records 0 = accepted 0 + quarantined 0' });
        }
        for (const table of [...keyedTables.map((k) => k.table), ...wholeTables, 'records'] as SilverTable[]) tables[table] = base!.tables[table] ?? [];
        tables.quarantine = (base!.tables.quarantine ?? []).filter((f) => f.topic !== 'trades');
        checks.push(...base!.checks.filter((c) => !c.name.startsWith('trades') || c.name.startsWith('trades.dead_letter')).filter((c) => !c.name.endsWith('.records_reconcile')));
        topicRules = topicRuleList(options.actions);
      }
      tables.quarantine = [...tradeResult.tables.quarantine, ...(tables.quarantine ?? [])];
      if (tables.quarantine.length === 0) tables.quarantine = await writer.whole('quarantine', `(SELECT * FROM trades_quarantine WHERE false)`);
      checks.splice(1, 0, ...tradeResult.checks);

      const run = { incremental: base !== null, newRecords: Object.fromEntries(topicKeys.map((t) => [t.topic, t.topic === 'trades' ? trades.newRecords : Number(newCounts.find((r) => r.topic === t.topic)?.n ?? 0)])), counts: runCounts };
      const counts = totals(tables, runCounts);
      log.info({ run, counts, failed: checks.filter((x) => !x.ok) }, 'silver tables built');
      const failed = checks.find((x) => !x.ok);
      if (failed) throw new SilverCheckFailedError(`silver build not published: check ${failed.name} failed: ${failed.detail}`, { check: failed.name });

      const manifest: SilverManifest = {
        format: 3, version, builtAt: new Date(clock()).toISOString(), businessDate, bronzeVersion,
        bronzeFiles: catalog.bronzeRecordFiles.length, bronzeLastFile: catalog.bronzeRecordFiles.at(-1)?.path ?? null,
        highWaterMarks: catalog.bronzeWatermarks, buckets, actions,
        rules: [...rules.map((r) => ({ id: r.id, version: r.version })), ...topicRules], tables, counts, run, checks,
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

/**
 * The tables of the topics besides trades: for each keyed table, the previous rows of the touched buckets minus the
 * touched keys, plus this build's rows; quarantine per topic and bucket; the new records; the entities' current
 * tables whole; then their checks.
 */
async function writeOtherTopics(
  db: DuckDBConnection, store: ObjectStore, writer: TableWriter, base: SilverManifest | null, tables: SilverManifest['tables'],
  touchedBuckets: Map<string, Set<number>>, buckets: number, prevFiles: (table: SilverTable, keep: (f: SilverFile) => boolean) => Promise<string[]>,
): Promise<SilverManifest['checks']> {
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
  for (const { topic } of entityTopics) {
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
  tables.quarantine = quarantineFiles;
  // Records: append-only; the new ones, one file per topic and bucket.
  const recordFiles: SilverFile[] = [...(base?.tables.records ?? []).filter((f) => f.topic !== 'trades')];
  for (const [topic, set] of touchedBuckets) {
    await db.run(`CREATE OR REPLACE TEMP TABLE records_new AS SELECT * EXCLUDE (bucket), bucket AS _bucket FROM new_records WHERE topic = ${quotedString(topic)}`);
    recordFiles.push(...(await writer.buckets('records', 'records_new', [...set], { topic })));
  }
  tables.records = recordFiles;

  // Current tables of the entities, whole, from the merged histories; then every check.
  const checks = await buildEntityCurrents(db);
  for (const table of wholeTables) tables[table] = await writer.whole(table, table);
  checks.push(...(await factChecks(db, { orders: 'orders_merged', executions: 'executions_merged', fx_rates: 'fx_rates_merged' })));
  return checks;
}

/** The whole of a keyed table is needed after the merge when a current table or a check reads it. */
function wholeNeeded(table: SilverTable): boolean {
  return table.endsWith('_history') && table !== 'trades_history';
}

/**
 * The version to build on, or null for a full build: the previous one when it is bucketed the same way and the
 * bronze files it took are still bronze's first ones.
 */
function incrementalBase(head: SilverManifest | null, catalog: Catalog, buckets: number, actions: Record<string, RuleAction>, log: Logger): SilverManifest | null {
  if (head === null) return null;
  const sameActions = (a: Record<string, RuleAction>, b: Record<string, RuleAction>) => JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());
  const why = head.format !== 3 || head.bronzeFiles === undefined ? 'the previous version predates this layout of silver'
    : head.buckets !== buckets ? `the bucket count changed (${head.buckets} -> ${buckets})`
    : !sameActions(head.actions ?? {}, actions) ? 'the rule actions changed'
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
    const records = (topic === 'trades' ? tables.trades_index ?? [] : (tables.records ?? []).filter((f) => f.topic === topic)).reduce((n, f) => n + f.rows, 0);
    const quarantined = (tables.quarantine ?? []).filter((f) => f.topic === topic).reduce((n, f) => n + f.rows, 0);
    out[topic] = { records, accepted: records - quarantined, quarantined, warned: run[topic]?.warned ?? 0 };
  }
  return out;
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
          log.debug({ ms: Math.round(performance.now() - t0), sql: sql.replace(/\s+/g, ' ').slice(0, 200) }, 'silver statement');
        }
      };
    },
  });
}
