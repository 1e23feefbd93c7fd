/**
 * Silver for every topic besides `trades`, inside one silver build (build-silver.ts owns write-audit-publish): stages
 * each topic's bronze records, runs its schema rules and the duplicate-event rule, keeps the rejected records for the
 * quarantine, builds the append-only facts (orders, executions), the FX rates, and the two-timeline history and
 * current table of each stateful entity, then counts and audits them. Every step is SQL over whole tables.
 */
import { quotedString, sqlFile, type DuckDBConnection } from '../../lib/duckdb.js';
import type { SilverManifest } from '../manifest.js';
import { rulesSql, type RuleAction } from '../rules/schema-rules.js';
import { duplicateRuleId, nestedRules, topicRules } from './entity-rules.js';
import { entityTopic, entityTopics, factTables, factTopics, historyEntities, type EntityTopic } from './entity-topics.js';
import { historyChecks } from './history-checks.js';
import { rows } from './rows.js';
import { decimalSql } from '../trade-typing.js';

export interface TopicValidation {
  /** Every rule that ran, by id and version (the manifest lists them). */
  rules: SilverManifest['rules'];
  /** The `<name>_violations` tables: (arrival, rule_id, rule_version, action, reason, ...). */
  violations: string[];
  /** The `<name>_quarantine` tables, in the layout of sql/silver/quarantine.sql. */
  quarantines: string[];
}

/**
 * Stages and validates every topic's records from `source` (the records this build works on). Rules with action fail
 * are the caller's to act on, from the violations tables. `held`: (topic, arrival, gk, position, event_id) of held
 * records not worked on again whose event ids the duplicate rule must see (sql/silver/entities/topic_accepted.sql).
 * Topics not `active` (no new records) are not staged: their tables carry over.
 */
export async function validateTopics(
  db: DuckDBConnection, source: string, actions: Record<string, RuleAction> = {}, held?: string, active: (topic: string) => boolean = () => true,
): Promise<TopicValidation> {
  const worked = entityTopics.filter((spec) => active(spec.topic));
  for (const spec of worked) await validateTopic(db, spec, source, actions, held);
  return { rules: topicRuleList(actions), violations: worked.map((s) => `${s.name}_violations`), quarantines: worked.map((s) => `${s.name}_quarantine`) };
}

/** The rules validateTopics runs (those of topics without new records are listed too: their tables carry over). */
export function topicRuleList(actions: Record<string, RuleAction> = {}): SilverManifest['rules'] {
  const rules: SilverManifest['rules'] = [];
  for (const spec of entityTopics) {
    const all = [...topicRules(spec, actions), ...(spec.nested ?? []).flatMap((n) => nestedRules(spec.topic, n.field, n.schema, actions))];
    for (const r of all) rules.push({ id: r.id, version: r.version });
    rules.push({ id: duplicateRuleId(spec.topic), version: 1 });
  }
  return rules;
}

async function validateTopic(db: DuckDBConnection, spec: EntityTopic, source: string, actions: Record<string, RuleAction>, held: string | undefined): Promise<void> {
  const t = (suffix: string) => `${spec.name}_${suffix}`;
  await db.run(sqlFile('silver/entities/topic_records', { records: t('records'), topic: quotedString(spec.topic), source }));
  const queries = [rulesSql(topicRules(spec, actions), t('records'))];
  for (const nested of spec.nested ?? []) {
    const inner = nestedRules(spec.topic, nested.field, nested.schema, actions);
    const path = quotedString(`$.${JSON.stringify(nested.field)}`);
    // Only where the field is an object: otherwise the topic's own rules already flag it.
    queries.push(rulesSql(inner, `(SELECT * REPLACE (j -> ${path} AS j) FROM ${t('records')} WHERE json_type(j, ${path}) = 'OBJECT')`));
  }
  await db.run(`CREATE OR REPLACE TEMP TABLE ${t('violations')} AS ${queries.join('\nUNION ALL\n')}`);
  await db.run(sqlFile('silver/entities/topic_accepted', {
    records: t('records'), violations: t('violations'), rejections: t('rejections'), accepted: t('accepted'), rule: quotedString(duplicateRuleId(spec.topic)),
    held: held === undefined ? '(SELECT NULL::BIGINT AS arrival, NULL::VARCHAR AS gk, NULL::VARCHAR AS position, NULL::VARCHAR AS event_id WHERE false)'
      : `(SELECT arrival, gk, position, event_id FROM ${held} WHERE topic = ${quotedString(spec.topic)})`,
  }));
  await db.run(sqlFile('silver/quarantine', { records: t('records'), violations: t('violations'), rejections: t('rejections'), quarantine: t('quarantine') }));
}

/**
 * Builds, from the validated topics, the facts and each stateful entity's history: tables `<fact>` and
 * `<entity>_history` holding the rows of the keys this build works on; and `<entity>_pseudo`, the held rows given to
 * the history as versions (below), which this build's rows replace.
 *
 * `held(entity)`: a relation of the rows silver holds with recorded_to open, of the keys whose held records are not
 * worked on again (their new records all arrived after them), or null. Such a key's state changes only from the
 * earliest valid_from of its new versions on, so its open rows that end before that stay as they are; the others'
 * winners reproduce the state now known from there on by themselves, so they go into the history as versions known
 * from "-infinity", ranked below every new version of equal rank (which arrived later) and among themselves by valid
 * time (a later segment's winner outranks an earlier one's where both are in force). The rows the history gives back
 * starting at "-infinity" are those rows again, with their own recorded_from and received_at; those closed at
 * "-infinity" are dropped. (As trades.ts does.)
 */
export async function buildEntityTables(db: DuckDBConnection, held: (entity: string) => string | null = () => null, active: (topic: string) => boolean = () => true): Promise<void> {
  // The exact DECIMAL(38, 10) cast of a field's text, cheaply where the value allows (the versions' SQL reads it).
  await db.run(`CREATE OR REPLACE TEMP MACRO silver_decimal(t) AS ${decimalSql('t')}`);
  for (const table of factTables) if (active(factTopics[table])) await db.run(sqlFile(`silver/entities/${table}`));
  for (const e of historyEntities.filter((x) => active(entityTopic(x.entity)))) {
    await db.run(sqlFile(`silver/entities/${e.versions}`));
    const source = held(e.entity);
    const orderBy = `ORDER BY v.${e.key}, f.recorded_from, f.valid_from`;
    if (source === null) {
      await db.run(`CREATE OR REPLACE TEMP TABLE ${e.entity}_pseudo AS SELECT NULL::VARCHAR AS ${e.key}, NULL::TIMESTAMPTZ AS valid_from, NULL::TIMESTAMPTZ AS valid_to WHERE false`);
      await db.run(sqlFile('silver/entity_history', { versions: e.versions, history: `${e.entity}_history`, key: e.key, rank_by: e.rankBy, order_by: orderBy }));
      continue;
    }
    // The earliest new valid_from as a constant too, so that the scan skips row groups of rows that end before it.
    const [first] = await rows(db, `SELECT CAST(min(valid_from) AS VARCHAR) AS m FROM ${e.versions}`);
    const after = first.m === null ? 'false' : `h.valid_to > ${quotedString(String(first.m))}::TIMESTAMPTZ AND h.valid_to > v.m`;
    await db.run(`CREATE OR REPLACE TEMP TABLE ${e.entity}_pseudo AS
      SELECT h.* FROM ${source} h LEFT JOIN (SELECT ${e.key}, min(valid_from) AS m FROM ${e.versions} GROUP BY ${e.key}) v USING (${e.key})
      WHERE h.valid_to IS NULL OR (${after})`);
    await db.run(`CREATE OR REPLACE TEMP VIEW ${e.versions}_all AS
      SELECT *, NULL::TIMESTAMPTZ AS _rf, NULL::TIMESTAMPTZ AS _received FROM ${e.versions}
      UNION ALL BY NAME
      SELECT h.* EXCLUDE (valid_to, recorded_from, recorded_to, received_at), h.recorded_from AS _rf, h.received_at AS _received,
        ${minusInfinity} AS recorded_at, epoch_us(h.valid_from) - 4611686018427387904 AS arrival, NULL::VARCHAR AS file_sha256, NULL::BIGINT AS line
      FROM ${e.entity}_pseudo h`);
    await db.run(sqlFile('silver/entity_history', { versions: `${e.versions}_all`, history: `${e.entity}_history_raw`, key: e.key, rank_by: e.rankBy, order_by: '' }));
    await db.run(`CREATE OR REPLACE TEMP VIEW ${e.entity}_history AS
      SELECT * EXCLUDE (_rf, _received) REPLACE (
        CASE WHEN recorded_from = ${minusInfinity} THEN _rf ELSE recorded_from END AS recorded_from,
        coalesce(_received, received_at) AS received_at)
      FROM ${e.entity}_history_raw WHERE recorded_to IS DISTINCT FROM ${minusInfinity}`);
  }
}

const minusInfinity = `'-infinity'::TIMESTAMPTZ`;

/**
 * Each entity's current table from its history (`<entity>_history`: at least every key's current rows), and the audit
 * of both; `checked(entity)`: the history rows to audit (by default `<entity>_history`). Only the `rebuilt` entities.
 */
export async function buildEntityCurrents(
  db: DuckDBConnection, checked: (entity: string) => string = (entity) => `${entity}_history`, rebuilt: (entity: string) => boolean = () => true,
): Promise<SilverManifest['checks']> {
  const checks: SilverManifest['checks'] = [];
  for (const e of historyEntities.filter((x) => rebuilt(x.entity))) {
    await db.run(e.current === undefined
      ? sqlFile('silver/entities/entity_current', { history: `${e.entity}_history`, current: `${e.entity}_current`, key: e.key })
      : sqlFile(`silver/entities/${e.current}`));
    checks.push(...(await historyChecks(db, e, { history: checked(e.entity), current: `${e.entity}_current` })));
  }
  return checks;
}

/** A topic's staging tables in this build: its records, the accepted ones, the quarantined ones, the rule violations. */
export interface TopicRunTables {
  topic: string;
  records: string;
  accepted: string;
  quarantine: string;
  violations: string;
}

/** What this build did with each topic's records: records = accepted + quarantined, checked per topic. */
export async function topicRunCounts(db: DuckDBConnection, topics: TopicRunTables[]): Promise<{ counts: SilverManifest['counts']; checks: SilverManifest['checks'] }> {
  const counts: SilverManifest['counts'] = {};
  const checks: SilverManifest['checks'] = [];
  for (const t of topics) {
    const [c] = await rows(db, `SELECT
      (SELECT count(*) FROM ${t.records}) AS records,
      (SELECT count(*) FROM ${t.accepted}) AS accepted,
      (SELECT count(*) FROM ${t.quarantine}) AS quarantined,
      (SELECT count(DISTINCT arrival) FROM ${t.violations} WHERE action = 'warn') AS warned`);
    const n = { records: Number(c.records), accepted: Number(c.accepted), quarantined: Number(c.quarantined), warned: Number(c.warned) };
    counts[t.topic] = n;
    checks.push({ name: `${t.topic}.records_reconcile`, ok: n.records === n.accepted + n.quarantined, detail: `records ${n.records} = accepted ${n.accepted} + quarantined ${n.quarantined}` });
  }
  return { counts, checks };
}

/** Facts keyed by event id (orders, executions) and FX rates by date and pair: unique keys, given the merged tables. */
export async function factChecks(db: DuckDBConnection, tables: Partial<Record<(typeof factTables)[number], string>>): Promise<SilverManifest['checks']> {
  const checks: SilverManifest['checks'] = [];
  for (const [fact, name, key, what] of [
    ['orders', 'orders.unique_event_id', 'event_id', 'event_id'],
    ['executions', 'executions.unique_event_id', 'event_id', 'event_id'],
    ['fx_rates', 'fx_rates.unique_rate', '(rate_date, base_currency, quote_currency)', '(rate_date, base_currency, quote_currency)'],
  ] as const) {
    const table = tables[fact];
    if (table === undefined) continue;
    const [n] = await rows(db, `SELECT count(*) - count(DISTINCT ${key}) AS n FROM ${table}`);
    checks.push({ name, ok: Number(n.n) === 0, detail: `${n.n} duplicate ${what}${fact === 'fx_rates' ? '' : '(s)'}` });
  }
  return checks;
}
