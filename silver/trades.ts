/**
 * The `trades` part of a silver build: validation, the trade store's rules and the two-timeline history, worked on the
 * records bronze committed since the last build and, of what silver already holds, only what those records need.
 *
 * What silver keeps of trades, by bucket of trade id:
 * - `trades_index`: one narrow row per record taken (its position, where bronze holds it, whether it passed the schema
 *   rules, the version, maturity and event id the trade store's rules read). Append-only.
 * - `trades_history` in three parts: `current` (recorded_to and valid_to open, one row per live trade: these files are
 *   trades_current's too), `open` (recorded_to open, valid_to closed) and `closed` (recorded_to closed, append-only).
 *   The live parts (current, open) are merged on read: segments appended per build, and deletes files naming the trades
 *   whose rows in older segments are gone (silver/trades-live.ts).
 * - quarantine rows, per bucket.
 *
 * The rules of a record depend only on the records of its trade that arrived before it (record timestamp, then
 * position). So when a trade's new records all arrive after those silver holds (the usual case), what silver holds of
 * it stays as it is, and the new records' rules need only the held records' index rows. Its history changes only where
 * knowledge is still open: each new accepted version outranks every held one (rule 1), so the new rows follow from
 * the open rows alone. The open rows' winners reproduce that open state by themselves, so they go into
 * entity_history.sql as versions known from "-infinity" (with the new versions after them), and the rows it gives back
 * that start at "-infinity" are the open rows again, with their own recorded_from; those closed before any new record
 * (recorded_to "-infinity") are dropped. No held record is read again, and closed rows are only appended.
 * A trade with a new record arriving before one silver holds ("out of order") is worked on whole, as a full build
 * would: its held records are read back from bronze, and its rows in every part and in quarantine are replaced.
 */
import { quotedList, quotedString, sqlFile, type DuckDBConnection } from '../lib/duckdb.js';
import { mapLimited } from '../lib/concurrency.js';
import type { Logger } from '../lib/log.js';
import type { ObjectStore } from '../store/object-store.js';
import type { SilverFile, SilverManifest } from './manifest.js';
import { fieldColumnsSql, ruleIndexesSql, violationsSql, type Rule } from './rules/schema-rules.js';
import { historyChecks } from './entities/history-checks.js';
import { rows } from './entities/rows.js';
import { bucketSql, compactSegments, recordKeySql, type TableWriter } from './table-writer.js';
import { tradeJsonFields, tradeTypedColumnsSql } from './trade-typing.js';
import { compactLive, tradesRowsSql } from './trades-live.js';

export interface TradesInput {
  db: DuckDBConnection;
  store: ObjectStore;
  log: Logger;
  /** The version built on, or null for a full build. */
  base: SilverManifest | null;
  /** Bronze record files committed since the base version, and all of them (names and local paths). */
  fresh: { path: string; local: string }[];
  bronze: { path: string; local: string }[];
  buckets: number;
  rules: Rule[];
}

export interface TradesOutput {
  tables: { trades_history: SilverFile[]; trades_current: SilverFile[]; trades_index: SilverFile[]; quarantine: SilverFile[] };
  /** The records this build worked on: the new ones and, for trades worked on whole, the held ones. */
  counts: { records: number; accepted: number; quarantined: number; warned: number };
  checks: SilverManifest['checks'];
}

/** Columns of trades_history, in order. */
const historyColumns = `trade_id, version, counterparty_id, book_id, legal_entity, instrument_id, asset_class, side, quantity, price, currency,
  trade_date, settlement_date, maturity_date, created_date, valid_from, valid_to, recorded_from, recorded_to, event_id, topic, "partition", "offset",
  source, received_at`;

const arrivalOrder = `ORDER BY recorded_at, "partition" NULLS LAST, "offset", file_sha256, line`;
const minusInfinity = `'-infinity'::TIMESTAMPTZ`;

export class TradesBuild {
  /** Buckets that new records fall in. */
  readonly touched = new Set<number>();
  newRecords = 0;
  private readonly files: (part: NonNullable<SilverFile['part']> | 'index' | 'quarantine', bucket: number) => SilverFile[];

  constructor(private readonly input: TradesInput) {
    const base = input.base;
    this.files = (part, bucket) => {
      if (base === null) return [];
      if (part === 'index') return (base.tables.trades_index ?? []).filter((f) => f.bucket === bucket);
      if (part === 'quarantine') return (base.tables.quarantine ?? []).filter((f) => f.topic === 'trades' && f.bucket === bucket);
      return (base.tables.trades_history ?? []).filter((f) => f.part === part && f.bucket === bucket);
    };
  }

  private local(files: SilverFile[]): Promise<string[]> {
    return mapLimited(files, 8, (f) => this.input.store.localPath(`silver/${f.path}`));
  }

  /** The records to work on and their schema rule violations (`trade_violations`), before anything is written. */
  async validate(): Promise<void> {
    const { db, fresh, bronze, buckets, rules } = this.input;
    const filesMap = bronze.length === 0 ? 'SELECT NULL::VARCHAR AS path, NULL::VARCHAR AS local WHERE false'
      : `SELECT * FROM (VALUES ${bronze.map((f) => `(${quotedString(f.path)}, ${quotedString(f.local)})`).join(', ')}) f(path, local)`;
    await db.run(`CREATE OR REPLACE TEMP TABLE trade_bronze_files AS ${filesMap}`);
    // 1. The new records, with their trade id (gk) and bucket, and where bronze holds them.
    const source = fresh.length === 0
      ? `(SELECT NULL::VARCHAR AS topic, NULL::INTEGER AS "partition", NULL::BIGINT AS "offset", NULL::VARCHAR AS "key", NULL::VARCHAR AS "value",
          NULL::TIMESTAMPTZ AS "timestamp", NULL::VARCHAR AS source, NULL::VARCHAR AS file_sha256, NULL::BIGINT AS line, NULL::VARCHAR AS filename,
          NULL::BIGINT AS file_row_number WHERE false)`
      : `read_parquet(${quotedList(fresh.map((f) => f.local))}, filename = true, file_row_number = true)`;
    await db.run(`CREATE OR REPLACE TEMP TABLE trade_new AS ${this.stageSql(`(
      SELECT r.topic, r."partition", r."offset", r."key", r."value", r."timestamp" AS recorded_at, r.source, r.file_sha256, r.line,
        f.path AS bronze_file, r.file_row_number AS bronze_row
      FROM ${source} r JOIN trade_bronze_files f ON f.local = r.filename
      WHERE r.topic = 'trades')`)}`);
    for (const r of await rows(db, 'SELECT bucket, count(*) AS n FROM trade_new GROUP BY bucket')) {
      this.touched.add(Number(r.bucket));
      this.newRecords += Number(r.n);
    }
    // 2. What silver holds of the trades they touch (index rows), and the order all of them arrived in.
    const indexFiles = await this.local([...this.touched].flatMap((b) => this.files('index', b)));
    // (Not where bronze holds them: only the trades worked on whole need that, read below.)
    await db.run(`CREATE OR REPLACE TEMP TABLE trade_held AS
      ${indexFiles.length === 0 ? `SELECT * EXCLUDE (bronze_file, bronze_row) FROM (${indexShape}) WHERE false`
        : `SELECT i.* EXCLUDE (bronze_file, bronze_row) FROM read_parquet(${quotedList(indexFiles)}) i
        SEMI JOIN (SELECT DISTINCT gk FROM trade_new WHERE gk IS NOT NULL) t ON t.gk = i.gk`}`);
    // Arrival numbers (the order of section 3) over both, written into the tables: a join each time costs more.
    await db.run(`CREATE OR REPLACE TEMP TABLE trade_arrivals AS
      SELECT held, rid, row_number() OVER (${arrivalOrder}) AS arrival FROM (
        SELECT false AS held, rowid AS rid, recorded_at, "partition", "offset", file_sha256, line FROM trade_new
        UNION ALL SELECT true, rowid, recorded_at, "partition", "offset", file_sha256, line FROM trade_held)`);
    for (const [table, held] of [['trade_new', false], ['trade_held', true]] as const) {
      await db.run(`ALTER TABLE ${table} ADD COLUMN arrival BIGINT`);
      await db.run(`UPDATE ${table} SET arrival = a.arrival FROM trade_arrivals a WHERE a.held = ${held} AND a.rid = ${table}.rowid`);
    }
    await db.run('CREATE OR REPLACE TEMP VIEW trade_new_a AS SELECT * FROM trade_new');
    await db.run("CREATE OR REPLACE TEMP VIEW trade_held_a AS SELECT *, 'trades' AS topic FROM trade_held");
    // Trades with a new record that arrived before one silver holds: worked on whole.
    await db.run(`CREATE OR REPLACE TEMP TABLE trade_slow AS
      SELECT gk FROM (SELECT gk, max(arrival) AS last FROM trade_held_a GROUP BY gk) h
      JOIN (SELECT gk, min(arrival) AS first FROM trade_new_a WHERE gk IS NOT NULL GROUP BY gk) n USING (gk)
      WHERE h.last > n.first`);
    // 3. The records to work on: the new ones, and the held ones of the trades worked on whole, read back from bronze.
    const slowCount = Number((await rows(db, 'SELECT count(*) AS n FROM trade_slow'))[0].n);
    if (slowCount > 0) {
      await db.run(`CREATE OR REPLACE TEMP TABLE trade_slow_held AS
        SELECT h.arrival, i.bronze_file, i.bronze_row, f.local
        FROM read_parquet(${quotedList(indexFiles)}) i SEMI JOIN trade_slow s ON s.gk = i.gk
        JOIN trade_held h ON h.gk = i.gk AND h."partition" IS NOT DISTINCT FROM i."partition" AND h."offset" IS NOT DISTINCT FROM i."offset"
          AND h.file_sha256 IS NOT DISTINCT FROM i.file_sha256 AND h.line IS NOT DISTINCT FROM i.line
        JOIN trade_bronze_files f ON f.path = i.bronze_file`);
    }
    const slowFiles = slowCount === 0 ? [] : (await rows(db, 'SELECT DISTINCT local FROM trade_slow_held')).map((r) => String(r.local));
    await db.run(`CREATE OR REPLACE TEMP TABLE trade_slow_raw AS
      ${slowFiles.length === 0 ? 'SELECT * FROM trade_new_a WHERE false' : this.stageSql(`(
        SELECT b.topic, b."partition", b."offset", b."key", b."value", b."timestamp" AS recorded_at, b.source, b.file_sha256, b.line,
          h.bronze_file, h.bronze_row, h.arrival
        FROM read_parquet(${quotedList(slowFiles)}, filename = true, file_row_number = true) b
        JOIN trade_slow_held h ON h.local = b.filename AND h.bronze_row = b.file_row_number)`)}`);
    await db.run('CREATE OR REPLACE TEMP VIEW trade_work AS SELECT * FROM trade_new_a UNION ALL BY NAME SELECT * FROM trade_slow_raw');
    // 4. The violation rows of the records that break some schema rule.
    await db.run(`CREATE OR REPLACE TEMP TABLE trade_violations AS ${violationsSql(rules, `(${fieldColumnsSql(rules, '(SELECT arrival, "value", TRY_CAST("value" AS JSON) AS j, _rules FROM trade_work WHERE len(_rules) > 0)')})`)}`);
    await db.run("CREATE OR REPLACE TEMP TABLE trade_schema_failed AS SELECT DISTINCT arrival FROM trade_violations WHERE action IN ('quarantine', 'fail')");
  }

  /**
   * Records in bronze's columns (and any others, kept) -> the same with their trade id (gk) and bucket, the schema rules
   * they break (`_rules`, ruleIndexesSql) and their fields typed, in one pass over the JSON: json_type and json_transform
   * once per record (silver/rules), and the rules and the casts read what those give.
   */
  private stageSql(source: string): string {
    const { rules, buckets } = this.input;
    const fields = new Set(rules.flatMap((r) => r.fields));
    const missing = tradeJsonFields.filter((f) => !fields.has(f));
    if (missing.length > 0) throw new Error(`trades: the schema rules do not read ${missing.join(', ')}`);
    return `SELECT *, ${bucketSql('gk', buckets, true)} AS bucket FROM (
      SELECT * EXCLUDE (j, j_type, f_type, f_text),
        CASE WHEN f_type."trade_id" = 'VARCHAR' THEN f_text."trade_id" ELSE ${recordKeySql(['trade_id'])} END AS gk,
        ${ruleIndexesSql(rules)} AS _rules,
        ${tradeTypedColumnsSql('f_text', { safe: true })}
      FROM (${fieldColumnsSql(rules, `(SELECT *, TRY_CAST("value" AS JSON) AS j FROM ${source})`)}))`;
  }

  /** The trade store's rules, the history, and the files of the new version. */
  async finish(writer: TableWriter): Promise<TradesOutput> {
    const { db, buckets } = this.input;
    // 5. The records that passed the schema rules (typed as they were staged).
    await db.run(`CREATE OR REPLACE TEMP VIEW trade_typed AS
      SELECT w.* EXCLUDE (bucket), w.bucket AS _bucket FROM trade_work w ANTI JOIN trade_schema_failed USING (arrival)`);
    // 6. The trade store's rules over them and the held records of the other trades they touch (index rows).
    await db.run(sqlFile('silver/trade_checks', {
      candidates: `(SELECT arrival, recorded_at, topic, "partition", "offset", file_sha256, line, trade_id, version, maturity_date, event_id FROM trade_typed
        UNION ALL
        SELECT arrival, recorded_at, topic, "partition", "offset", file_sha256, line, gk, version, maturity_date, event_id
        FROM trade_held_a ANTI JOIN trade_slow USING (gk) WHERE schema_ok)`,
    }));
    await db.run(sqlFile('silver/trade_versions', { typed: 'trade_typed' }));
    // 7. The trades whose history changes: those with a new accepted version, and those worked on whole.
    // Sorted by bucket, so that each bucket's statements below skip the others' rows.
    await db.run(`CREATE OR REPLACE TEMP TABLE trade_changed AS
      SELECT * FROM (
        SELECT DISTINCT trade_id AS gk, _bucket, false AS slow FROM trade_versions ANTI JOIN trade_slow s ON s.gk = trade_versions.trade_id
        UNION ALL SELECT gk, ${bucketSql('gk', buckets)}, true FROM trade_slow)
      ORDER BY _bucket`);
    const affected = new Set<number>();
    const slowBuckets = new Set<number>();
    for (const r of await rows(db, 'SELECT DISTINCT _bucket, slow FROM trade_changed')) (r.slow ? slowBuckets : affected).add(Number(r._bucket));
    for (const b of slowBuckets) affected.add(b);
    // 8. The open rows of the trades that change (not those worked on whole), as versions known from -infinity, ranked
    // before every real one and by valid time among themselves (arrival, unique within a trade).
    // (Merged on read: the bucket's live segments less the rows its deletes hide, silver/trades-live.ts.)
    const liveFiles = [...affected].flatMap((b) => (['current', 'open', 'deletes'] as const).flatMap((part) => this.files(part, b)));
    const openRows = tradesRowsSql((await this.local(liveFiles)).map((local, i) => ({ file: liveFiles[i], local })));
    await db.run(`CREATE OR REPLACE TEMP TABLE trade_pseudo AS
      ${openRows === null ? `SELECT * EXCLUDE (recorded_from, received_at), NULL::TIMESTAMPTZ AS _rf, NULL::TIMESTAMPTZ AS _received, NULL::BIGINT AS arrival, NULL::INTEGER AS _bucket FROM (${emptyHistory})`
        : `SELECT p.* EXCLUDE (recorded_from, received_at), recorded_from AS _rf, received_at AS _received,
          epoch_us(valid_from) - 4611686018427387904 AS arrival, c._bucket
        FROM ${openRows} p JOIN (SELECT gk, _bucket FROM trade_changed WHERE NOT slow) c ON c.gk = p.trade_id`}`);
    await db.run(`CREATE OR REPLACE TEMP VIEW trade_versions_all AS
      SELECT *, NULL::TIMESTAMPTZ AS _rf, NULL::TIMESTAMPTZ AS _received FROM trade_versions
      UNION ALL BY NAME
      SELECT arrival, trade_id, version, counterparty_id, book_id, legal_entity, instrument_id, asset_class, side, quantity, price, currency,
        trade_date, settlement_date, maturity_date, created_date, event_id, valid_from, ${minusInfinity} AS recorded_at, topic, "partition", "offset", source,
        NULL::VARCHAR AS file_sha256, NULL::BIGINT AS line, _bucket, _rf, _received
      FROM trade_pseudo`);
    // 9. The history of those trades (sql/silver/entity_history.sql), the open rows given back as they were.
    await db.run(sqlFile('silver/entity_history', { versions: 'trade_versions_all', history: 'trade_history_raw', key: 'trade_id', rank_by: 'version', order_by: '' }));
    // A view: one partitioned statement writes the rows of every bucket and part (and the checks read them).
    await db.run(`CREATE OR REPLACE TEMP VIEW trade_history AS
      SELECT *, CASE WHEN recorded_to IS NOT NULL THEN 'closed' WHEN valid_to IS NULL THEN 'current' ELSE 'open' END AS _part FROM (
      SELECT ${historyColumns.replace('recorded_from,', `CASE WHEN recorded_from = ${minusInfinity} THEN _rf ELSE recorded_from END AS recorded_from,`).replace('received_at', 'coalesce(_received, received_at) AS received_at')},
        _bucket
      FROM trade_history_raw WHERE recorded_to IS DISTINCT FROM ${minusInfinity})`);
    await db.run(sqlFile('silver/quarantine', { records: 'trade_work', violations: 'trade_violations', rejections: 'trade_rejections', quarantine: 'trades_quarantine' }));

    // 10. Files. Current and open parts (merged on read, silver/trades-live.ts): each bucket with changes gets a segment
    // of its new live rows and a deletes file hiding the older live rows of its trades that had some. Closed part: the
    // new rows appended, but in the buckets of trades worked on whole, which are written again without their old rows.
    // The new rows of every bucket are written by one partitioned statement.
    const seg = writer.version;
    const newRows = (part: 'current' | 'open' | 'closed', b: number) => `SELECT * EXCLUDE (_bucket, _part) FROM trade_history WHERE _part = '${part}' AND _bucket = ${b}`;
    const parts = { current: [] as SilverFile[], open: [] as SilverFile[], closed: [] as SilverFile[], deletes: [] as SilverFile[] };
    const fresh: string[] = [];
    const deleting: number[] = [];
    for (let b = 0; b < buckets; b++) {
      for (const part of ['current', 'open', 'deletes'] as const) parts[part].push(...this.files(part, b));
      const old = this.files('closed', b);
      if (!affected.has(b)) {
        parts.closed.push(...old);
        continue;
      }
      fresh.push(`_bucket = ${b}`);
      if (this.files('current', b).length + this.files('open', b).length > 0) deleting.push(b);
      if (!slowBuckets.has(b) || old.length === 0) {
        parts.closed.push(...old);
      } else {
        fresh[fresh.length - 1] = `(_part <> 'closed' AND _bucket = ${b})`;
        const oldLocal = await this.local(old);
        const file = await writer.write('trades_history', `SELECT * FROM (
          SELECT * FROM read_parquet(${quotedList(oldLocal)}) p
            ANTI JOIN (SELECT gk FROM trade_changed WHERE _bucket = ${b} AND slow) c ON c.gk = p.trade_id
          UNION ALL BY NAME ${newRows('closed', b)})`, { part: 'closed', bucket: b }, { dictionary: false });
        if (file !== null) parts.closed.push(file);
      }
    }
    if (fresh.length > 0) {
      for (const f of await writer.partitioned('trades_history', `SELECT * FROM trade_history WHERE ${fresh.join(' OR ')}`, { byPart: true, seg })) parts[f.part as keyof typeof parts].push(f);
    }
    if (deleting.length > 0) {
      // The trades whose older live rows go: those whose open rows were read (trade_pseudo), and those worked on whole.
      parts.deletes.push(...await writer.partitioned('trades_history', `SELECT gk AS trade_id, ${seg}::INTEGER AS _seg, _bucket, 'deletes' AS _part
        FROM trade_changed WHERE _bucket IN (${deleting.join(', ')}) AND (slow OR gk IN (SELECT trade_id FROM trade_pseudo))`, { byPart: true }));
    }
    const live: SilverFile[] = [];
    for (let b = 0; b < buckets; b++) {
      const here = [...parts.current, ...parts.open, ...parts.deletes].filter((f) => f.bucket === b);
      live.push(...(affected.has(b) ? await compactLive(writer, (f) => this.local(f), b, here) : here));
    }
    parts.closed = await this.compact(writer, 'trades_history', 'closed', parts.closed);
    const history = [...live, ...parts.closed];
    const current = live.filter((f) => f.part !== 'open');
    // Index: the new records' rows, appended.
    await db.run(`CREATE OR REPLACE TEMP TABLE trade_new_index AS
      SELECT gk, recorded_at, "partition", "offset", file_sha256, line, schema_ok,
        CASE WHEN schema_ok THEN version END AS version, CASE WHEN schema_ok THEN maturity_date END AS maturity_date,
        CASE WHEN schema_ok THEN event_id END AS event_id, bronze_file, bronze_row, bucket AS _bucket
      FROM (SELECT n.*, f.arrival IS NULL AS schema_ok FROM trade_new_a n LEFT JOIN trade_schema_failed f ON f.arrival = n.arrival)`);
    const index = await this.compact(writer, 'trades_index', undefined, [
      ...(this.input.base?.tables.trades_index ?? []),
      ...(this.newRecords === 0 ? [] : await writer.partitioned('trades_index', 'SELECT * FROM trade_new_index', {})),
    ]);
    // Quarantine: the buckets with new records, less the old rows of the trades worked on whole.
    const quarantine: SilverFile[] = [];
    for (let b = 0; b < buckets; b++) {
      const old = this.files('quarantine', b);
      if (!this.touched.has(b)) {
        quarantine.push(...old);
        continue;
      }
      const oldLocal = await this.local(old);
      const file = await writer.write('quarantine', `SELECT * FROM (
        ${oldLocal.length === 0 ? '' : `SELECT * FROM read_parquet(${quotedList(oldLocal)}) p ANTI JOIN trade_slow s ON s.gk = p.entity_key UNION ALL BY NAME`}
        SELECT * FROM trades_quarantine WHERE ${bucketSql('entity_key', buckets, true)} = ${b})`, { topic: 'trades', bucket: b });
      if (file !== null) quarantine.push(file);
    }

    // 11. Checks: one current row per trade, open rows that neither overlap nor leave a gap. The rows of the trades
    // that did not change are as they were when their own build checked them.
    await db.run("CREATE OR REPLACE TEMP VIEW trades_check_history AS SELECT * FROM trade_history WHERE _part <> 'closed'");
    await db.run("CREATE OR REPLACE TEMP VIEW trades_check_current AS SELECT * FROM trade_history WHERE _part = 'current'");
    const checks = await historyChecks(db, { entity: 'trades', key: 'trade_id', noun: 'trade' }, { history: 'trades_check_history', current: 'trades_check_current' });
    const [c] = await rows(db, `SELECT
      (SELECT count(*) FROM trade_work) AS records,
      (SELECT count(*) FROM trade_versions) AS accepted,
      (SELECT count(*) FROM trades_quarantine) AS quarantined,
      (SELECT count(DISTINCT arrival) FROM trade_violations WHERE action = 'warn') AS warned`);
    const counts = { records: Number(c.records), accepted: Number(c.accepted), quarantined: Number(c.quarantined), warned: Number(c.warned) };
    return { tables: { trades_history: history, trades_current: current, trades_index: index, quarantine }, counts, checks };
  }

  private compact(writer: TableWriter, table: 'trades_history' | 'trades_index', part: 'closed' | undefined, files: SilverFile[]): Promise<SilverFile[]> {
    return compactSegments(writer, (f) => this.local(f), table, files, { part });
  }
}

/** The shape of trades_index rows (before the bucket). */
const indexShape = `SELECT NULL::VARCHAR AS gk, NULL::TIMESTAMPTZ AS recorded_at, NULL::INTEGER AS "partition", NULL::BIGINT AS "offset", NULL::VARCHAR AS file_sha256,
  NULL::BIGINT AS line, NULL::BOOLEAN AS schema_ok, NULL::INTEGER AS version, NULL::DATE AS maturity_date, NULL::VARCHAR AS event_id,
  NULL::VARCHAR AS bronze_file, NULL::BIGINT AS bronze_row`;

/** The shape of trades_history rows (no row). */
export const emptyHistory = `SELECT NULL::VARCHAR AS trade_id, NULL::INTEGER AS version, NULL::VARCHAR AS counterparty_id, NULL::VARCHAR AS book_id,
  NULL::VARCHAR AS legal_entity, NULL::VARCHAR AS instrument_id, NULL::VARCHAR AS asset_class, NULL::VARCHAR AS side, NULL::DECIMAL(38, 10) AS quantity,
  NULL::DECIMAL(38, 10) AS price, NULL::VARCHAR AS currency, NULL::DATE AS trade_date, NULL::DATE AS settlement_date, NULL::DATE AS maturity_date,
  NULL::DATE AS created_date, NULL::TIMESTAMPTZ AS valid_from, NULL::TIMESTAMPTZ AS valid_to, NULL::TIMESTAMPTZ AS recorded_from,
  NULL::TIMESTAMPTZ AS recorded_to, NULL::VARCHAR AS event_id, NULL::VARCHAR AS topic, NULL::INTEGER AS "partition", NULL::BIGINT AS "offset",
  NULL::VARCHAR AS source, NULL::TIMESTAMPTZ AS received_at WHERE false`;
