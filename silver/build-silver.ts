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
import { entityTopic, entityTopics, factTables, factTopics, historyEntities } from './entities/entity-topics.js';
import { rows } from './entities/rows.js';
import { bucketSql, compactSegments, recordKeySql, recordPositionSql, TableWriter } from './table-writer.js';
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
  ...historyEntities.map((e) => ({ table: `${e.entity}_history` as SilverTable, topic: entityTopic(e.entity), key: e.key, work: `${e.entity}_history` })),
];

/** Rebuilt whole from the merged histories. */
const wholeTables: SilverTable[] = historyEntities.map((e) => `${e.entity}_current` as SilverTable);

/** The topic of a bronze record file, from its path (records/topic=<topic>/dt=<date>/...), if it says. */
function fileTopic(path: string): string | undefined {
  return /^records\/topic=([^/]+)\//.exec(path)?.[1];
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
    // Bronze keeps each topic's records in files of their own (records/topic=<topic>/...): trades read theirs alone.
    const fresh = catalog.bronzeRecordFiles.slice(base?.bronzeFiles ?? 0);
    const ofTrades = (f: { path: string }) => fileTopic(f.path) === undefined || fileTopic(f.path) === 'trades';
    const ofOthers = (f: { path: string }) => fileTopic(f.path) !== 'trades';
    const rules = tradeRules(options.actions);
    const trades = new TradesBuild({ db, store, log, base, fresh: fresh.filter(ofTrades), bronze: catalog.bronzeRecordFiles.filter(ofTrades), buckets, rules });
    // No new trade records: the trades' files, rules and checks carry over as they are.
    const tradesActive = base === null || fresh.some(ofTrades);
    if (tradesActive) await trades.validate();
    const topicList = `(${entityTopics.map((t) => quotedString(t.topic)).join(', ')})`;
    await db.run(`CREATE OR REPLACE TEMP TABLE new_records AS
      SELECT *, ${bucketSql('gk', buckets, true)} AS bucket FROM (
        SELECT topic, "partition", "offset", "key", "value", "timestamp", source, file_sha256, line, ${keySql()} AS gk, row_number() OVER () AS nid
        FROM ${!fresh.some(ofOthers) ? 'bronze.records WHERE false' : `read_parquet(${quotedList(fresh.filter(ofOthers).map((f) => f.local))}) WHERE topic IN ${topicList}`})`);
    const touchedBuckets = new Map<string, Set<number>>();
    for (const r of await rows(db, 'SELECT DISTINCT topic, bucket FROM new_records')) {
      if (!touchedBuckets.has(String(r.topic))) touchedBuckets.set(String(r.topic), new Set());
      touchedBuckets.get(String(r.topic))!.add(Number(r.bucket));
    }
    // Nothing new besides trades: the other topics' tables, rules and checks stay as they are. Else only the topics with
    // new records are worked on (all of them in a full build); the others' tables carry over.
    const others = base === null || touchedBuckets.size > 0;
    const active = (topic: string) => base === null || touchedBuckets.has(topic);
    // Per topic, how many new records, and their first and last record timestamps (epoch µs).
    const newCounts = await rows(db, 'SELECT topic, count(*) AS n, epoch_us(min("timestamp")) AS first, epoch_us(max("timestamp")) AS last FROM new_records GROUP BY topic');
    const recordsUpTo = { ...(base?.recordsUpTo ?? {}) };
    for (const r of newCounts) recordsUpTo[String(r.topic)] = Math.max(recordsUpTo[String(r.topic)] ?? -Infinity, Number(r.last));

    // 2. What to work on: the new records, and the records silver holds of the keys they touch that must be worked on
    // again ("rework"): every key of the fact topics, and the keys of the entities with a history that have a new
    // record arriving before one silver holds. Of the other touched keys, silver's held records stay as they are: their
    // event ids (for the duplicate rule) and their open history rows (buildEntityTables) are all the build needs.
    let topics: Awaited<ReturnType<typeof validateTopics>> | null = null;
    if (others) {
      await db.run('CREATE OR REPLACE TEMP TABLE touched AS SELECT DISTINCT topic, gk FROM new_records WHERE gk IS NOT NULL');
      const heldFiles = (base?.tables.records ?? []).filter((f) => f.topic !== undefined && f.bucket !== undefined && (touchedBuckets.get(f.topic)?.has(f.bucket) ?? false));
      const held = await mapLimited(heldFiles, 8, (f) => store.localPath(`silver/${f.path}`));
      const historyTopics = `(${historyEntities.map((e) => quotedString(entityTopic(e.entity))).join(', ')})`;
      // What the held records of the touched keys are needed for: their event ids (the duplicate rule) and, of the
      // topics whose new records do not all arrive after every record silver holds (manifest recordsUpTo), when they
      // arrived. Narrow columns, and the arrival columns only where needed.
      const late = new Set(newCounts.filter((r) => base?.recordsUpTo?.[String(r.topic)] === undefined || Number(r.first) <= base.recordsUpTo[String(r.topic)]).map((r) => String(r.topic)));
      const arrivalColumns = `"timestamp", "partition", "offset", file_sha256, line`;
      await db.run(`CREATE OR REPLACE TEMP TABLE held_ids AS
        ${held.length === 0 ? `SELECT topic, gk, NULL::VARCHAR AS event_id, NULL::BOOLEAN AS schema_ok FROM new_records WHERE false`
          : `SELECT r.topic, r.gk, r.event_id, r.schema_ok FROM read_parquet(${quotedList(held)}) r SEMI JOIN touched t ON t.topic = r.topic AND t.gk = r.gk`}`);
      const heldLate = held.filter((_, i) => late.has(heldFiles[i].topic!));
      await db.run(`CREATE OR REPLACE TEMP TABLE held_records AS
        ${heldLate.length === 0 ? `SELECT topic, gk, ${arrivalColumns} FROM new_records WHERE false`
          : `SELECT r.topic, r.gk, ${arrivalColumns.split(', ').map((c) => `r.${c}`).join(', ')} FROM read_parquet(${quotedList(heldLate)}) r SEMI JOIN touched t ON t.topic = r.topic AND t.gk = r.gk`}`);
      // A key is reworked when one of its held records arrived after a new one: decided by the record timestamps where
      // they differ, in full arrival order (timestamp, partition, offset, file, line) for the keys where they tie.
      const arrivalOrder = `ORDER BY "timestamp", "partition" NULLS LAST, "offset", file_sha256, line`;
      await db.run(`CREATE OR REPLACE TEMP TABLE held_span AS
        SELECT h.topic, h.gk, h.last_held, n.first_new FROM (SELECT topic, gk, max("timestamp") AS last_held FROM held_records GROUP BY ALL) h
        JOIN (SELECT topic, gk, min("timestamp") AS first_new FROM new_records WHERE gk IS NOT NULL AND topic IN ${historyTopics} GROUP BY ALL) n USING (topic, gk)
        WHERE h.last_held >= n.first_new`);
      await db.run(`CREATE OR REPLACE TEMP TABLE rework AS
        SELECT topic, gk FROM touched WHERE topic NOT IN ${historyTopics}
        UNION ALL SELECT topic, gk FROM held_span WHERE last_held > first_new
        UNION ALL
        SELECT topic, gk FROM (
          SELECT topic, gk, held, row_number() OVER (${arrivalOrder}) AS ord FROM (
            SELECT topic, gk, true AS held, ${arrivalColumns} FROM held_records SEMI JOIN held_span USING (topic, gk)
            UNION ALL
            SELECT topic, gk, false, ${arrivalColumns} FROM new_records SEMI JOIN held_span USING (topic, gk))
          WHERE (topic, gk) IN (SELECT topic, gk FROM held_span WHERE last_held = first_new))
        GROUP BY topic, gk HAVING max(ord) FILTER (WHERE held) > min(ord) FILTER (WHERE NOT held)`);
      // The held records of the other touched keys that passed their schema rules and share an event id with a new
      // record of their key (what the duplicate rule needs of them; usually none), in arrival order.
      await db.run(`CREATE OR REPLACE TEMP TABLE held_repeated AS
        SELECT DISTINCT h.topic, h.gk, h.event_id FROM held_ids h
        SEMI JOIN (SELECT DISTINCT topic, gk, ${recordKeySql(['event_id'])} AS event_id FROM new_records WHERE gk IS NOT NULL) n
          ON n.topic = h.topic AND n.gk = h.gk AND n.event_id = h.event_id
        ANTI JOIN rework w ON w.topic = h.topic AND w.gk = h.gk
        WHERE h.schema_ok`);
      const repeated = Number((await rows(db, 'SELECT count(*) AS n FROM held_repeated'))[0].n) > 0;
      await db.run(`CREATE OR REPLACE TEMP TABLE held_events AS
        ${!repeated ? `SELECT topic, gk, NULL::VARCHAR AS event_id, NULL::BIGINT AS arrival, NULL::VARCHAR AS position FROM new_records WHERE false`
          : `SELECT h.topic, h.gk, h.event_id, row_number() OVER (${arrivalOrder}) - 4611686018427387904 AS arrival, ${recordPositionSql} AS position
            FROM read_parquet(${quotedList(held)}) h SEMI JOIN held_repeated r ON r.topic = h.topic AND r.gk = h.gk AND r.event_id = h.event_id
            WHERE h.schema_ok`}`);
      // A view: each topic's staging reads its own records from it once.
      await db.run(`CREATE OR REPLACE TEMP VIEW work_records AS
        SELECT * FROM new_records
        ${held.length === 0 ? '' : `UNION ALL BY NAME SELECT r.* EXCLUDE (event_id, schema_ok) FROM read_parquet(${quotedList(held)}) r SEMI JOIN rework t ON t.topic = r.topic AND t.gk = r.gk`}`);
      topics = await validateTopics(db, 'work_records', options.actions, 'held_events', active);
    }
    log.info({ incremental: base !== null, newRecords: { trades: trades.newRecords, ...Object.fromEntries(newCounts.map((r) => [r.topic, Number(r.n)])) }, bronzeFiles: fresh.length }, 'silver build: records to work on');

    // 3. Rules with action fail stop the build before anything is written.
    const failing = await rows(db, `SELECT rule_id, count(*) AS n, min(reason) AS example FROM (
      ${[...(tradesActive ? ['trade_violations'] : []), ...(topics?.violations ?? ['(SELECT NULL AS rule_id, NULL AS reason, NULL AS action WHERE false)'])].map((t) => `SELECT rule_id, reason FROM ${t} WHERE action = 'fail'`).join('\n      UNION ALL ')})
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
      const tradeResult = tradesActive ? await trades.finish(writer) : {
        tables: {
          trades_history: base!.tables.trades_history ?? [], trades_current: base!.tables.trades_current ?? [], trades_index: base!.tables.trades_index ?? [],
          // (With a topic-less file: an empty table's placeholder, which keeps the view's columns.)
          quarantine: (base!.tables.quarantine ?? []).filter((f) => f.topic === 'trades' || f.topic === undefined),
        },
        counts: { records: 0, accepted: 0, quarantined: 0, warned: 0 },
        checks: base!.checks.filter((c) => c.name.startsWith('trades_history.') || c.name.startsWith('trades_current.')),
      };
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
        // The rows with recorded_to open that silver holds of the touched keys not worked on again.
        const heldOpen = new Map<string, string>();
        for (const e of historyEntities.filter((x) => active(entityTopic(x.entity)))) {
          const topic = entityTopic(e.entity);
          const files = await prevFiles(`${e.entity}_history` as SilverTable, (f) => (f.part === 'open' || f.part === 'current') && (touchedBuckets.get(topic)?.has(f.bucket ?? -1) ?? false));
          if (files.length === 0) continue;
          await db.run(`CREATE OR REPLACE TEMP VIEW ${e.entity}_held_open AS
            SELECT p.* FROM read_parquet(${quotedList(files)}) p
            SEMI JOIN (SELECT gk FROM touched WHERE topic = ${quotedString(topic)} EXCEPT SELECT gk FROM rework WHERE topic = ${quotedString(topic)}) t ON t.gk = p.${e.key}`);
          heldOpen.set(e.entity, `${e.entity}_held_open`);
        }
        await buildEntityTables(db, (entity) => heldOpen.get(entity) ?? null, active);
        const topicRun = await topicRunCounts(db, entityTopics.filter((t) => active(t.topic))
          .map((t) => ({ topic: t.topic, records: `${t.name}_records`, accepted: `${t.name}_accepted`, quarantine: `${t.name}_quarantine`, violations: `${t.name}_violations` })));
        for (const t of entityTopics) {
          if (active(t.topic)) continue;
          topicRun.counts[t.topic] = { records: 0, accepted: 0, quarantined: 0, warned: 0 };
          topicRun.checks.push({ name: `${t.topic}.records_reconcile`, ok: true, detail: 'records 0 = accepted 0 + quarantined 0' });
        }
        Object.assign(runCounts, topicRun.counts);
        checks.push(...entityTopics.map((t) => topicRun.checks.find((c) => c.name === `${t.topic}.records_reconcile`)!));
        await db.run(`CREATE OR REPLACE TEMP TABLE quarantine AS ${topics.quarantines.map((t) => `SELECT * FROM ${t}`).join(' UNION ALL ')}`);
        checks.push(...(await writeOtherTopics(db, store, writer, base, tables, touchedBuckets, buckets, prevFiles, active)));
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
        format: 5, version, builtAt: new Date(clock()).toISOString(), businessDate, bronzeVersion,
        bronzeFiles: catalog.bronzeRecordFiles.length, bronzeLastFile: catalog.bronzeRecordFiles.at(-1)?.path ?? null,
        highWaterMarks: catalog.bronzeWatermarks, recordsUpTo, buckets, actions,
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
 * The tables of the topics besides trades. Facts: the previous rows of the touched buckets minus the touched keys,
 * plus this build's rows. Histories, in two parts per bucket: `open` (recorded_to open) rewritten where a bucket was
 * touched (its rows of the touched keys replaced by this build's), `closed` (recorded_to closed, never changed again
 * unless a key is worked on again whole) appended, but in the buckets of reworked keys, which are written again
 * without those keys' old rows. Quarantine per topic and bucket (the reworked keys' rows replaced, new rows added); the
 * new records appended; the entities' current tables whole, from the open rows; then their checks.
 */
async function writeOtherTopics(
  db: DuckDBConnection, store: ObjectStore, writer: TableWriter, base: SilverManifest | null, tables: SilverManifest['tables'],
  touchedBuckets: Map<string, Set<number>>, buckets: number, prevFiles: (table: SilverTable, keep: (f: SilverFile) => boolean) => Promise<string[]>,
  active: (topic: string) => boolean,
): Promise<SilverManifest['checks']> {
  const carry = (table: SilverTable, keep: (f: SilverFile) => boolean) => (base?.tables[table] ?? []).filter(keep);
  const local = (files: SilverFile[]) => mapLimited(files, 8, (f) => store.localPath(`silver/${f.path}`));
  // The current tables rebuilt: those of the entities worked on, and of those enriched from one.
  const rebuilt = new Set(historyEntities.filter((e) => [e.entity, ...(e.enrichedFrom ?? [])].some((x) => active(entityTopic(x)))).map((e) => e.entity));
  for (const k of keyedTables) {
    if (!active(k.topic)) {
      tables[k.table] = base!.tables[k.table] ?? [];
      // A current table rebuilt from a history that did not change reads that history's current rows.
      const entity = k.table.replace(/_history$/, '');
      if (rebuilt.has(entity)) {
        const current = await local(carry(k.table, (f) => f.part === 'current'));
        await db.run(`CREATE OR REPLACE TEMP VIEW ${k.work} AS ${current.length === 0 ? `SELECT * FROM read_parquet(${quotedList(await local(tables[k.table]!))}) WHERE false`
          : `SELECT * FROM read_parquet(${quotedList(current)})`}`);
      }
      continue;
    }
    const touchedHere = touchedBuckets.get(k.topic) ?? new Set<number>();
    const keysOf = (table: string) => `(SELECT gk FROM ${table} WHERE topic = ${quotedString(k.topic)})`;
    // (A view where the history was built from held rows: entities/build-entities.ts.)
    const [kind] = await rows(db, `SELECT count(*) AS n FROM duckdb_views() WHERE temporary AND view_name = ${quotedString(k.work)}`);
    await db.run(`ALTER ${Number(kind.n) > 0 ? 'VIEW' : 'TABLE'} ${k.work} RENAME TO ${k.work}_work`);
    if (!k.table.endsWith('_history')) {
      const previous = await prevFiles(k.table, (f) => touchedHere.has(f.bucket ?? -1));
      await db.run(`CREATE OR REPLACE TEMP TABLE ${k.work}_merged AS
        SELECT * EXCLUDE (_key), ${bucketSql('_key', buckets)} AS _bucket FROM (
          SELECT *, ${k.key} AS _key FROM ${k.work}_work
          ${previous.length === 0 ? '' : `UNION ALL BY NAME
          SELECT p.* FROM (SELECT *, ${k.key} AS _key FROM read_parquet(${quotedList(previous)})) p ANTI JOIN ${keysOf('touched')} t ON t.gk = p._key`})`);
      // Untouched buckets' files as they were (an unbucketed file is only an empty table's placeholder).
      tables[k.table] = [...carry(k.table, (f) => f.bucket !== undefined && !touchedHere.has(f.bucket)), ...(await writer.buckets(k.table, `${k.work}_merged`, [...touchedHere], {}))];
      if (tables[k.table]!.length === 0) tables[k.table] = await writer.whole(k.table, `(SELECT * EXCLUDE (_bucket) FROM ${k.work}_merged)`);
      await db.run(`CREATE OR REPLACE TEMP VIEW ${k.work} AS SELECT * EXCLUDE (_bucket) FROM ${k.work}_merged`);
      continue;
    }
    // This build's rows, by part and bucket: `current` (recorded_to and valid_to open: one row per key), `open`
    // (recorded_to open, valid_to closed), `closed` (recorded_to closed).
    const t = k.work;
    const topic = quotedString(k.topic);
    const bucketOf = (col: string) => bucketSql(col, buckets);
    await db.run(`CREATE OR REPLACE TEMP TABLE ${t}_new AS
      SELECT *, ${bucketOf(k.key)} AS _bucket,
        CASE WHEN recorded_to IS NOT NULL THEN 'closed' WHEN valid_to IS NULL THEN 'current' ELSE 'open' END AS _part
      FROM ${t}_work`);
    // Rows of the previous version this build's replace: every row of a reworked key; of the other touched keys, the
    // current row, and the open rows given to the history as versions (<entity>_pseudo).
    const entity = k.table.replace(/_history$/, '');
    await db.run(`CREATE OR REPLACE TEMP TABLE ${t}_gone_open AS
      SELECT ${k.key}, valid_from, ${bucketOf(k.key)} AS _bucket FROM ${entity}_pseudo WHERE valid_to IS NOT NULL`);
    const reworked = new Set((await rows(db, `SELECT DISTINCT ${bucketSql('gk', buckets)} AS b FROM rework WHERE topic = ${topic}`)).map((r) => Number(r.b)));
    const goneOpen = new Set((await rows(db, `SELECT DISTINCT _bucket FROM ${t}_gone_open`)).map((r) => Number(r._bucket)));
    const old = (part: string, b: number) => carry(k.table, (f) => f.part === part && f.bucket === b);
    const without = async (files: SilverFile[], part: 'current' | 'open' | 'closed') => `SELECT p.* FROM read_parquet(${quotedList(await local(files))}) p
      ANTI JOIN ${part === 'current' ? keysOf('touched') : keysOf('rework')} w ON w.gk = p.${k.key}
      ${part === 'open' ? `ANTI JOIN ${t}_gone_open g ON g.${k.key} = p.${k.key} AND g.valid_from = p.valid_from` : ''}`;
    // Current part: the touched buckets' rows written again (a table: the current tables read it below).
    const previousCurrent = [...touchedHere].flatMap((b) => old('current', b));
    await db.run(`CREATE OR REPLACE TEMP TABLE ${t}_current AS
      SELECT * EXCLUDE (_part) FROM ${t}_new WHERE _part = 'current'
      ${previousCurrent.length === 0 ? '' : `UNION ALL BY NAME SELECT *, ${bucketOf(k.key)} AS _bucket FROM (${await without(previousCurrent, 'current')})`}`);
    const files: SilverFile[] = [];
    const carriedCurrent: SilverFile[] = [];
    for (let b = 0; b < buckets; b++) if (!touchedHere.has(b)) carriedCurrent.push(...old('current', b));
    if (touchedHere.size > 0) files.push(...(await writer.partitioned(k.table, `SELECT *, 'current' AS _part FROM ${t}_current`, { byPart: true })));
    // Open and closed parts: this build's rows appended as a segment; a bucket losing rows is written again.
    const appended: string[] = [];
    const segments = { open: [] as SilverFile[], closed: [] as SilverFile[] };
    for (const part of ['open', 'closed'] as const) {
      for (let b = 0; b < buckets; b++) {
        const before = old(part, b);
        const loses = part === 'open' ? reworked.has(b) || goneOpen.has(b) : reworked.has(b);
        if (!touchedHere.has(b) || !loses || before.length === 0) {
          segments[part].push(...before);
          if (touchedHere.has(b)) appended.push(`(_part = '${part}' AND _bucket = ${b})`);
          continue;
        }
        const file = await writer.write(k.table, `SELECT * FROM (${await without(before, part)}
          UNION ALL BY NAME SELECT * EXCLUDE (_bucket, _part) FROM ${t}_new WHERE _part = '${part}' AND _bucket = ${b})`, { part, bucket: b }, { dictionary: false });
        if (file !== null) segments[part].push(file);
      }
    }
    if (appended.length > 0) {
      for (const f of await writer.partitioned(k.table, `SELECT * FROM ${t}_new WHERE ${appended.join(' OR ')}`, { byPart: true })) {
        if (f.part === 'current') throw new Error(`silver: unexpected current file ${f.path}`);
        segments[f.part as 'open' | 'closed'].push(f);
      }
    }
    for (const part of ['open', 'closed'] as const) files.push(...(await compactSegments(writer, local, k.table, segments[part], { part })));
    tables[k.table] = [...carriedCurrent, ...files];
    // An empty table still gets a file, so that its view has its columns.
    if (tables[k.table]!.length === 0) tables[k.table] = await writer.whole(k.table, `(SELECT * EXCLUDE (_bucket, _part) FROM ${t}_new)`);
    // What the current tables read: every key's current row.
    const carriedLocal = await local(carriedCurrent);
    await db.run(`CREATE OR REPLACE TEMP VIEW ${t} AS SELECT * EXCLUDE (_bucket) FROM ${t}_current
      ${carriedLocal.length === 0 ? '' : `UNION ALL BY NAME SELECT * FROM read_parquet(${quotedList(carriedLocal)})`}`);
    // What the checks read: the touched keys' rows with recorded_to open, this build's and those held that stay. Of
    // the latter, those that end where the replaced ones start or later: a key's rows are contiguous in valid time, so
    // these include the one this build's rows must follow on from, and the earlier ones were checked when written.
    const heldOpen = [...touchedHere].flatMap((b) => [...old('current', b), ...old('open', b)]);
    const [from] = await rows(db, `SELECT CAST(min(valid_from) AS VARCHAR) AS m FROM ${entity}_pseudo`);
    await db.run(`CREATE OR REPLACE TEMP VIEW ${t}_checked AS
      SELECT ${k.key}, valid_from, valid_to, recorded_to FROM ${t}_new WHERE _part <> 'closed'
      ${heldOpen.length === 0 || from.m === null ? '' : `UNION ALL SELECT p.${k.key}, p.valid_from, p.valid_to, p.recorded_to FROM read_parquet(${quotedList(await local(heldOpen))}) p
        SEMI JOIN ${keysOf('touched')} w ON w.gk = p.${k.key}
        ANTI JOIN ${keysOf('rework')} r ON r.gk = p.${k.key}
        ANTI JOIN ${entity}_pseudo g ON g.${k.key} = p.${k.key} AND g.valid_from = p.valid_from
        WHERE p.valid_to IS NULL OR p.valid_to >= ${quotedString(String(from.m))}::TIMESTAMPTZ`}`);
  }
  // Quarantine: per topic and bucket, keyed by entity_key (rows without one are kept as they are).
  const quarantineFiles: SilverFile[] = [];
  for (const { topic } of entityTopics) {
    if (!active(topic)) {
      quarantineFiles.push(...carry('quarantine', (f) => f.topic === topic));
      continue;
    }
    const touchedHere = touchedBuckets.get(topic) ?? new Set<number>();
    const previous = await prevFiles('quarantine', (f) => f.topic === topic && touchedHere.has(f.bucket ?? -1));
    await db.run(`CREATE OR REPLACE TEMP TABLE quarantine_merged AS
      SELECT *, ${bucketSql('entity_key', buckets, true)} AS _bucket FROM (
        SELECT * FROM quarantine WHERE topic = ${quotedString(topic)}
        ${previous.length === 0 ? '' : `UNION ALL BY NAME
        SELECT p.* FROM read_parquet(${quotedList(previous)}) p
        ANTI JOIN (SELECT gk FROM rework WHERE topic = ${quotedString(topic)}) t ON t.gk = p.entity_key`})`);
    quarantineFiles.push(...carry('quarantine', (f) => f.topic === topic && !touchedHere.has(f.bucket ?? -1)),
      ...(await writer.buckets('quarantine', 'quarantine_merged', [...touchedHere], { topic })));
  }
  tables.quarantine = quarantineFiles;
  // Records: append-only; the new ones with their event id and whether they passed their schema rules (what a later
  // build needs of them when it does not work on them again), one segment per topic and bucket.
  await db.run(`CREATE OR REPLACE TEMP TABLE new_record_flags AS
    ${entityTopics.filter((t) => active(t.topic)).map((t) => `SELECT nid, j ->> 'event_id' AS event_id,
      arrival NOT IN (SELECT arrival FROM ${t.name}_violations WHERE action IN ('quarantine', 'fail')) AS schema_ok
    FROM ${t.name}_records WHERE nid IS NOT NULL`).join('\n    UNION ALL ')}`);
  const recordFiles: SilverFile[] = [];
  for (const { topic } of entityTopics) {
    const set = touchedBuckets.get(topic);
    const old = (base?.tables.records ?? []).filter((f) => f.topic === topic);
    if (set === undefined) {
      recordFiles.push(...old);
      continue;
    }
    await db.run(`CREATE OR REPLACE TEMP TABLE records_new AS
      SELECT n.* EXCLUDE (bucket, nid), f.event_id, f.schema_ok, n.bucket AS _bucket
      FROM new_records n LEFT JOIN new_record_flags f USING (nid) WHERE n.topic = ${quotedString(topic)}`);
    recordFiles.push(...(await compactSegments(writer, local, 'records', [...old, ...(await writer.partitioned('records', 'SELECT * FROM records_new', { topic }))], { topic })));
  }
  tables.records = recordFiles;

  // Current tables of the entities, whole, from the current rows; the others' files as they were (and a view of them,
  // where a rebuilt one is enriched from them). Then the checks of what changed; the others' as their builds made them.
  for (const e of historyEntities) {
    if (rebuilt.has(e.entity)) continue;
    const files = base!.tables[`${e.entity}_current` as SilverTable] ?? [];
    tables[`${e.entity}_current` as SilverTable] = files;
    if (files.length > 0) await db.run(`CREATE OR REPLACE TEMP VIEW ${e.entity}_current AS SELECT * FROM read_parquet(${quotedList(await local(files))})`);
  }
  const checks = await buildEntityCurrents(db, (entity) => (active(entityTopic(entity)) ? `${entity}_history_checked` : `${entity}_history`), (entity) => rebuilt.has(entity));
  for (const e of historyEntities) if (rebuilt.has(e.entity)) tables[`${e.entity}_current` as SilverTable] = await writer.whole(`${e.entity}_current` as SilverTable, `${e.entity}_current`);
  const facts = Object.fromEntries(factTables.filter((f) => active(factTopics[f])).map((f) => [f, `${f}_merged`]));
  checks.push(...(await factChecks(db, facts)));
  // Carried: the checks of the entities and facts not worked on (each passed when its build wrote it).
  const mine = new Set(checks.map((c) => c.name));
  const carriedFrom = [...historyEntities.filter((e) => !active(entityTopic(e.entity))).flatMap((e) => [`${e.entity}_history.`, `${e.entity}_current.`]),
    ...factTables.filter((f) => !active(factTopics[f])).map((f) => `${f}.unique_`)];
  checks.push(...(base?.checks ?? []).filter((c) => !mine.has(c.name) && carriedFrom.some((prefix) => c.name.startsWith(prefix))));
  return checks;
}

/**
 * The version to build on, or null for a full build: the previous one when it is bucketed the same way and the
 * bronze files it took are still bronze's first ones.
 */
function incrementalBase(head: SilverManifest | null, catalog: Catalog, buckets: number, actions: Record<string, RuleAction>, log: Logger): SilverManifest | null {
  if (head === null) return null;
  const sameActions = (a: Record<string, RuleAction>, b: Record<string, RuleAction>) => JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());
  const why = head.format !== 5 || head.bronzeFiles === undefined ? 'the previous version predates this layout of silver'
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
