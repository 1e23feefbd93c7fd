/**
 * The LCR calculator, one code path for `lakehouse lcr` and the gold build. In SQL: group the exposures of a typed
 * relation by every key their treatment depends on (one pass), decide each group's treatment (horizon, exclusion,
 * rate, HQLA level, unwind: sql/gold/lcr_treatment.sql with the regime's rates as DECIMAL literals) and sum per
 * entity exactly. In JS: the caps, the inflow cap and the ratio on exact rationals (lcr-figures.ts), rounded once.
 * Leaves lcr_classified (one row per exposure with its treatment: a temp view, or a temp table with `materialize`;
 * unless `classified: false`), and the temp tables lcr_exposure_key_groups, lcr_exposure_groups, lcr_group_treatment
 * and lcr_entity_sums (exact sums per date, entity, product, counterparty type and treatment).
 */
import { quotedIdentifier, quotedString, sqlFile, type DuckDBConnection } from '../../lib/duckdb.js';
import { TerminalError } from '../../lib/errors.js';
import { silentLogger, type Logger } from '../../lib/log.js';
import { loadRegime, type Regime } from '../regime/regime.js';
import { exposureColumns, flagColumns, type Product } from './exposure-schema.js';
import { lcrFigures, type EntitySums, type LcrFigures } from './lcr-figures.js';
import { entityLcr, type ExcludedExposure, type ExclusionReason, type LcrReport } from './lcr-report.js';
import { Rational } from './rational.js';
import { regimeFragments } from './regime-sql.js';

export interface ComputeLcrOptions {
  /** A table or view (`name` or `schema.name`) with the columns of LCR.md section D, typed: amount and
   *  collateral_value DECIMAL, as_of_date and maturity_date DATE, the flags BOOLEAN (NULL = false). */
  exposures: string;
  regime?: Regime;
  /** Keep lcr_classified as a temp table rather than a view over `exposures` (costs a pass writing every row). */
  materialize?: boolean;
  /** Leave lcr_classified for the caller (default true; the gold build does not read it, and it is made anyway when
   *  an exposure is refused or the excluded exposures are listed). */
  classified?: boolean;
  /** List every excluded exposure in the report (default true; the gold build keeps counts only, in lcr_entity_sums). */
  listExcluded?: boolean;
  /** Also hash the exposure rows, every column, in the same pass: lcr_exposure_groups.row_hash, whose bit_xor over all
   *  groups changes when any exposure does and not with the order of the rows (the gold build's fingerprint); and
   *  group lcr_exposure_key_groups by currency and direction too. */
  hashRows?: boolean;
  /** Called with each date's and entity's exact, unrounded figures (gold derives its buffer and headroom from them). */
  onFigures?: (asOfDate: string, legalEntity: string, figures: LcrFigures) => void;
  logger?: Logger;
}

export interface LcrRowProblem {
  exposure_id: string;
  legal_entity: string;
  product: string;
  counterparty_type: string | null;
  collateral_class: string | null;
  problem: string;
}

/** Exposures the regime cannot price, or that lack what their treatment needs: refused, never defaulted. */
export class LcrInputError extends TerminalError {
  constructor(message: string, readonly problems: LcrRowProblem[]) {
    super(message, { exposures: problems.length });
  }
}

type Row = Record<string, string | number | boolean | null>;

/**
 * The hash of the rows of each group of lcr_exposure_groups (hashRows): per group of lcr_exposure_key_groups (grouped
 * by currency and direction too), the bit_xor of a hash of each row's columns that are not keys of the group; then
 * the bit_xor of DuckDB's hash of that, the keys and the row count. Hashing only the columns that are not keys costs
 * less than half of hashing every column of every row, and changes just as well when any column of any row does.
 */
const rowHash = {
  keyGroups: 'bit_xor(hash(exposure_id, amount, collateral_value, maturity_date, is_operational, is_insured, is_stable, is_encumbered))',
  groups: `bit_xor(hash(as_of_date, legal_entity, reporting_currency, product, counterparty_type, collateral_class, keys, currency, direction,
    exposures, row_hash))`,
};

async function rows(db: DuckDBConnection, sql: string): Promise<Row[]> {
  return (await db.runAndReadAll(sql)).getRowObjectsJson() as Row[];
}

/** One report per as_of_date in the relation, oldest first; none for an empty relation. */
export async function computeLcr(db: DuckDBConnection, options: ComputeLcrOptions): Promise<LcrReport[]> {
  const regime = options.regime ?? loadRegime();
  const log = (options.logger ?? silentLogger).child({ module: 'lcr' });
  const relation = relationName(options.exposures);
  const started = performance.now();
  await checkColumns(db, relation);
  const fragments = regimeFragments(regime);
  const treatment = (input: string) => sqlFile('gold/lcr_treatment', { input, ...fragments });
  // A single as_of_date (a gold run's exposures): the date and its horizon are constants, not a key and a sum per row.
  const [dates] = await rows(db, `SELECT CAST(min(as_of_date) AS VARCHAR) AS first, CAST(max(as_of_date) AS VARCHAR) AS last,
    count(*) - count(as_of_date) AS undated FROM ${relation}`);
  const asOfDate = dates.first !== null && dates.first === dates.last && Number(dates.undated) === 0 ? `CAST(${quotedString(String(dates.first))} AS DATE)` : 'as_of_date';
  await db.run(sqlFile('gold/lcr_exposure_groups', {
    exposures: relation, as_of_date: asOfDate, horizon: `${asOfDate} + ${fragments.horizon_days}`,
    extra_keys: options.hashRows ? ', currency, direction' : '',
    key_groups_row_hash: options.hashRows ? rowHash.keyGroups : 'CAST(NULL AS UBIGINT)',
    groups_row_hash: options.hashRows ? rowHash.groups : 'CAST(NULL AS UBIGINT)',
  }));
  await db.run(sqlFile('gold/lcr_group_treatment', { treatment: treatment('lcr_exposure_groups') }));
  await db.run(sqlFile('gold/lcr_entity_sums'));
  // What the report is finished from, summed over what it does not tell apart (counterparty type, class, rule, exclusion).
  const sums = await rows(db, `SELECT as_of_date, legal_entity, reporting_currency, product, flow, stock_bucket, unwind_bucket,
    sum(problems) AS problems, sum(weighted_amount) AS weighted_amount, sum(stock_value) AS stock_value, sum(unwind_cash) AS unwind_cash,
    sum(unwind_collateral) AS unwind_collateral FROM lcr_entity_sums GROUP BY ALL ORDER BY as_of_date, legal_entity`);
  const problems = sums.some((s) => Number(s.problems ?? 0) > 0);
  const listExcluded = options.listExcluded !== false;
  // The rows one by one: for the caller, for the problems and for the excluded list (planning the view costs a few ms).
  if (options.classified !== false || problems || listExcluded) {
    await db.run(sqlFile('gold/lcr_exposure_keys', { exposures: relation, horizon_days: fragments.horizon_days }));
    const kind = options.materialize ? 'TABLE' : 'VIEW';
    const previous = await rows(db, "SELECT table_type FROM information_schema.tables WHERE table_catalog = 'temp' AND table_name = 'lcr_classified'");
    const previousKind = previous.length === 0 ? null : previous[0].table_type === 'VIEW' ? 'VIEW' : 'TABLE';
    if (previousKind !== null && previousKind !== kind) await db.run(`DROP ${previousKind} temp.main.lcr_classified`);
    await db.run(sqlFile('gold/lcr_classified', { relation_kind: kind, treatment: treatment('lcr_exposure_keys') }));
  }
  if (problems) await refuseProblems(db, regime);
  const excluded = listExcluded ? await excludedExposures(db) : new Map<string, ExcludedExposure[]>();
  const reports = buildReports(sums, excluded, regime, options.onFigures);
  log.debug({ regime: regime.id, dates: reports.length, sums: sums.length, ms: Math.round(performance.now() - started) }, 'LCR computed');
  return reports;
}

function relationName(name: string): string {
  if (!/^[A-Za-z_]\w*(\.[A-Za-z_]\w*){0,2}$/.test(name)) throw new TerminalError(`exposures relation ${JSON.stringify(name)} must be a table or view name`, { exposures: name });
  return name.split('.').map(quotedIdentifier).join('.');
}

const exactTypes = /^(DECIMAL\(\d+,\d+\)|TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT)$/;

async function checkColumns(db: DuckDBConnection, relation: string): Promise<void> {
  const described = await rows(db, `DESCRIBE SELECT * FROM ${relation}`);
  const types = new Map(described.map((r) => [String(r.column_name), String(r.column_type)]));
  const problems: string[] = [];
  for (const column of exposureColumns) {
    const type = types.get(column);
    if (type === undefined) problems.push(`${column} is missing`);
    else if ((column === 'amount' || column === 'collateral_value') && !exactTypes.test(type)) problems.push(`${column} is ${type}, not DECIMAL`);
    else if ((column === 'as_of_date' || column === 'maturity_date') && type !== 'DATE') problems.push(`${column} is ${type}, not DATE`);
    else if ((flagColumns as readonly string[]).includes(column) && type !== 'BOOLEAN') problems.push(`${column} is ${type}, not BOOLEAN`);
  }
  if (problems.length > 0) throw new TerminalError(`exposures relation ${relation}: ${problems.join('; ')}`, { exposures: relation, problems });
}

async function refuseProblems(db: DuckDBConnection, regime: Regime): Promise<never> {
  const found = await rows(db, `SELECT exposure_id, legal_entity, product, counterparty_type, collateral_class, problem
    FROM lcr_classified WHERE problem IS NOT NULL ORDER BY legal_entity, exposure_id`);
  const problems = found as unknown as LcrRowProblem[];
  const first = problems[0];
  throw new LcrInputError(`${problems.length} exposure(s) cannot be priced under regime ${regime.id}, e.g. ${first.exposure_id} (${first.product}): ${first.problem}`, problems);
}

const r = (v: unknown) => Rational.of(String(v));

const separator = '\x1f';

/** Per `date|entity`, the excluded exposures by reason, each reason's ids in order. */
async function excludedExposures(db: DuckDBConnection): Promise<Map<string, ExcludedExposure[]>> {
  const lists = await rows(db, sqlFile('gold/lcr_excluded', { separator: quotedString(separator) }));
  const byEntity = new Map<string, ExcludedExposure[]>();
  for (const list of lists) {
    const key = `${list.as_of_date}|${list.legal_entity}`;
    const reason = list.exclusion_reason as ExclusionReason;
    const ids = list.separated ? String(list.exposure_ids).split(separator) : await idsOf(db, list, reason);
    const entity = byEntity.get(key) ?? [];
    byEntity.set(key, entity);
    for (const id of ids) entity.push({ exposure_id: id, reason });
  }
  return byEntity;
}

async function idsOf(db: DuckDBConnection, list: Row, reason: string): Promise<string[]> {
  const found = await rows(db, `SELECT exposure_id FROM lcr_classified WHERE as_of_date = CAST(${quotedString(String(list.as_of_date))} AS DATE)
    AND legal_entity = ${quotedString(String(list.legal_entity))} AND exclusion_reason = ${quotedString(reason)} ORDER BY exposure_id`);
  return found.map((f) => String(f.exposure_id));
}

function buildReports(sums: Row[], excluded: Map<string, ExcludedExposure[]>, regime: Regime, onFigures?: ComputeLcrOptions['onFigures']): LcrReport[] {
  const groups = new Map<string, Map<string, Row[]>>();
  for (const s of sums) {
    const date = String(s.as_of_date);
    const entities = groups.get(date) ?? new Map<string, Row[]>();
    groups.set(date, entities);
    const entityRows = entities.get(String(s.legal_entity)) ?? [];
    entities.set(String(s.legal_entity), entityRows);
    entityRows.push(s);
  }
  return [...groups].map(([date, entities]) => ({
    as_of_date: date,
    horizon_days: regime.horizon_days,
    entities: Object.fromEntries([...entities].map(([entity, productRows]) => {
      const currencies = [...new Set(productRows.map((p) => String(p.reporting_currency)))].sort();
      if (currencies.length > 1) throw new LcrInputError(`legal entity ${entity} has more than one reporting_currency on ${date}: ${currencies.join(', ')}`, []);
      const total = (pick: (row: Row) => unknown) => Rational.sum(productRows.flatMap((row) => {
        const value = pick(row);
        return value === undefined ? [] : [r(value)];
      }));
      const stock = (bucket: string) => total((p) => (p.stock_bucket === bucket ? p.stock_value : undefined));
      const unwind = (bucket: string) => total((p) => (p.unwind_bucket === bucket ? p.unwind_collateral : undefined));
      const level: EntitySums = {
        level1: stock('level1'), level2a: stock('level2a'), level2b: stock('level2b'),
        adjusted_level1: stock('level1').plus(total((p) => p.unwind_cash)).plus(unwind('level1')),
        adjusted_level2a: stock('level2a').plus(unwind('level2a')),
        adjusted_level2b: stock('level2b').plus(unwind('level2b')),
        outflows_total: total((p) => (p.flow === 'outflow' ? p.weighted_amount : undefined)),
        inflows_total: total((p) => (p.flow === 'inflow' ? p.weighted_amount : undefined)),
      };
      const byProduct = (flow: string) => {
        const perProduct: Partial<Record<Product, Rational>> = {};
        for (const p of productRows) {
          const product = p.product as Product;
          if (p.flow === flow) perProduct[product] = (perProduct[product] ?? Rational.zero).plus(r(p.weighted_amount));
        }
        return perProduct;
      };
      const figures = lcrFigures(level, regime);
      onFigures?.(date, entity, figures);
      return [entity, entityLcr(currencies[0], figures, { outflows: byProduct('outflow'), inflows: byProduct('inflow') }, excluded.get(`${date}|${entity}`) ?? [])];
    })),
  }));
}
