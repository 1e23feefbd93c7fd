/**
 * The regime as SQL fragments for sql/gold/lcr_classified.sql: CASE expressions that pick the first matching rate
 * rule, map rule ids to their rates and HQLA classes to their weights, all as DECIMAL literals (never DOUBLE).
 * Every name and figure comes from a zod-validated regime and is quoted with quotedString.
 */
import { quotedString } from '../../lib/duckdb.js';
import type { RateRule, RateSelector, Regime } from '../regime/regime.js';
import { productDirectionCase } from './exposure-sql.js';

/** Rates and weights have at most 4 decimals (regime-schema.ts), so this type holds them exactly. */
const decimal = (value: string) => `CAST(${quotedString(value)} AS DECIMAL(5,4))`;
const list = (values: readonly string[]) => `(${values.map(quotedString).join(', ')})`;

function selectorSql(rule: RateRule): string {
  const when: RateSelector = rule.when;
  const terms = [`product = ${quotedString(rule.product)}`];
  if (when.counterparty_type) terms.push(`counterparty_type IN ${list(when.counterparty_type)}`);
  if (when.collateral_class) terms.push(`collateral_class IN ${list(when.collateral_class)}`);
  for (const flag of ['is_operational', 'is_insured', 'is_stable', 'is_encumbered'] as const) {
    if (when[flag] !== undefined) terms.push(when[flag] ? flag : `NOT ${flag}`);
  }
  return terms.join(' AND ');
}

function firstMatch(rules: Regime['outflows']): string {
  if (rules.length === 0) return 'CAST(NULL AS VARCHAR)';
  return `CASE ${rules.map((r) => `WHEN ${selectorSql(r)} THEN ${quotedString(r.id)}`).join(' ')} END`;
}

export function regimeFragments(regime: Regime): Record<string, string> {
  const rules = [...regime.outflows, ...regime.inflows];
  const levels = Object.entries(regime.hqla_levels).filter(([, level]) => level !== undefined) as [string, NonNullable<Regime['hqla_levels']['L1']>][];
  const classCase = (pick: (level: (typeof levels)[number][1]) => string, otherwise: string) =>
    levels.length === 0 ? otherwise : `CASE hqla_class ${levels.map(([cls, level]) => `WHEN ${quotedString(cls)} THEN ${pick(level)}`).join(' ')} ELSE ${otherwise} END`;
  return {
    horizon_days: String(regime.horizon_days),
    product_direction: productDirectionCase(),
    asset_class: `CASE product ${Object.entries(regime.asset_products).map(([p, a]) => `WHEN ${quotedString(p)} THEN ${quotedString(a.class)}`).join(' ')} ELSE collateral_class END`,
    outflow_rule: firstMatch(regime.outflows),
    inflow_rule: firstMatch(regime.inflows),
    rule_rate: rules.length === 0 ? 'CAST(NULL AS DECIMAL(5,4))' : `CASE rate_rule ${rules.map((r) => `WHEN ${quotedString(r.id)} THEN ${decimal(r.rate)}`).join(' ')} END`,
    hqla_weight: classCase((level) => decimal(level.weight), 'CAST(NULL AS DECIMAL(5,4))'),
    hqla_bucket: classCase((level) => quotedString(level.bucket), 'CAST(NULL AS VARCHAR)'),
  };
}
