/**
 * What the page shows, read from the gold views of one catalog: per legal entity every date of gold.lcr, and for its
 * latest date HQLA by level, weighted flows by product and the drivers of the change. Money and ratios stay the
 * exact decimal strings gold wrote (the page formats them); the whole object is built once per gold version.
 */
import type { DuckDBConnection } from '../lib/duckdb.js';
import { dashboardQuery } from './resources.js';

export interface LcrPoint {
  asOfDate: string;
  /** The ratio, e.g. "1.234567"; null when there are no net cash outflows. */
  lcr: string | null;
  level1: string;
  level2a: string;
  level2b: string;
  hqlaTotal: string;
  outflowsTotal: string;
  inflowsTotal: string;
  inflowsCapped: string;
  netCashOutflows: string;
  /** HQLA minus net cash outflows: the headroom to 100%. */
  buffer: string;
  /** The internal limit as a ratio ("1.1000"): the dashboard's own, or the run's. */
  internalLimit: string;
  internalLimitBuffer: string;
  belowMinimum: boolean;
  belowInternalLimit: boolean;
  goldVersion: number;
  knownAt: string;
  computedAt: string;
}

export interface HqlaLevel {
  level: string;
  marketValue: string;
  haircut: string;
  capAdjustment: string;
  afterCaps: string;
}

export interface ProductFlows {
  product: string;
  /** Weighted (after run-off rates); null when the product has no outflow. */
  outflow: string | null;
  /** Weighted (after inflow rates, before the 75% cap); null when the product has no inflow. */
  inflow: string | null;
}

export interface Driver {
  rank: number;
  kind: 'hqla' | 'outflow' | 'inflow' | 'inflow_cap' | string;
  component: string;
  previousAmount: string;
  amount: string;
  change: string;
  bufferEffect: string;
}

export interface EntityDashboard {
  legalEntity: string;
  reportingCurrency: string;
  latest: LcrPoint;
  /** The date before the latest one, if any (for the day's change). */
  previous: LcrPoint | null;
  history: LcrPoint[];
  hqlaByLevel: HqlaLevel[];
  flows: ProductFlows[];
  drivers: { previousDate: string | null; rows: Driver[] };
}

export interface DashboardData {
  /** null before gold's first version. */
  goldVersion: number | null;
  /** The newest computed_at of the runs shown. */
  computedAt: string | null;
  /** The newest as_of_date shown. */
  asOfDate: string | null;
  /** The internal limit the dashboard was started with, if any (otherwise each run's). */
  internalLimitOverride: string | null;
  entities: EntityDashboard[];
}

export interface ReadDashboardOptions {
  goldVersion: number | null;
  internalLimit?: string;
  /** Drivers kept per entity. */
  topDrivers?: number;
}

type Row = Record<string, unknown>;

export async function readDashboard(db: DuckDBConnection, options: ReadDashboardOptions): Promise<DashboardData> {
  const internalLimitOverride = options.internalLimit ?? null;
  if (options.goldVersion === null) return { goldVersion: null, computedAt: null, asOfDate: null, internalLimitOverride, entities: [] };
  const rows = async (name: string, values: Record<string, string | number> = {}): Promise<Row[]> =>
    (await db.runAndReadAll(dashboardQuery(name), values)).getRowObjectsJson() as Row[];
  const history = await rows('lcr_history', { internal_limit: internalLimitOverride ?? '' });
  const levels = groupBy(await rows('latest_hqla_by_level'));
  const flows = groupBy(await rows('latest_flows'));
  const drivers = groupBy(await rows('latest_drivers', { top: options.topDrivers ?? 20 }));

  const entities: EntityDashboard[] = [];
  for (const [legalEntity, points] of groupBy(history)) {
    const series = points.map(lcrPoint);
    const driverRows = drivers.get(legalEntity) ?? [];
    entities.push({
      legalEntity,
      reportingCurrency: String(points[0].reporting_currency),
      latest: series[series.length - 1],
      previous: series.length > 1 ? series[series.length - 2] : null,
      history: series,
      hqlaByLevel: (levels.get(legalEntity) ?? []).map((r) => ({
        level: String(r.level), marketValue: String(r.market_value), haircut: String(r.haircut), capAdjustment: String(r.cap_adjustment), afterCaps: String(r.after_caps),
      })),
      flows: (flows.get(legalEntity) ?? []).map((r) => ({ product: String(r.product), outflow: nullableString(r.outflow), inflow: nullableString(r.inflow) })),
      drivers: {
        previousDate: driverRows.length > 0 ? String(driverRows[0].previous_date) : null,
        rows: driverRows.map((r) => ({
          rank: Number(r.rank), kind: String(r.kind), component: String(r.component), previousAmount: String(r.previous_amount),
          amount: String(r.amount), change: String(r.change), bufferEffect: String(r.buffer_effect),
        })),
      },
    });
  }
  const latest = entities.map((e) => e.latest);
  return {
    goldVersion: options.goldVersion,
    computedAt: latest.map((p) => p.computedAt).sort().at(-1) ?? null,
    asOfDate: latest.map((p) => p.asOfDate).sort().at(-1) ?? null,
    internalLimitOverride,
    entities,
  };
}

function groupBy(rows: Row[]): Map<string, Row[]> {
  const groups = new Map<string, Row[]>();
  for (const row of rows) {
    const key = String(row.legal_entity);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [row]);
    else group.push(row);
  }
  return groups;
}

function nullableString(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

function lcrPoint(r: Row): LcrPoint {
  return {
    asOfDate: String(r.as_of_date),
    lcr: nullableString(r.lcr),
    level1: String(r.level1),
    level2a: String(r.level2a),
    level2b: String(r.level2b),
    hqlaTotal: String(r.hqla_total),
    outflowsTotal: String(r.outflows_total),
    inflowsTotal: String(r.inflows_total),
    inflowsCapped: String(r.inflows_capped),
    netCashOutflows: String(r.net_cash_outflows),
    buffer: String(r.buffer),
    internalLimit: String(r.internal_limit),
    internalLimitBuffer: String(r.internal_limit_buffer),
    belowMinimum: r.below_minimum === true,
    belowInternalLimit: r.below_internal_limit === true,
    goldVersion: Number(r.gold_version),
    knownAt: String(r.known_at),
    computedAt: String(r.computed_at),
  };
}
