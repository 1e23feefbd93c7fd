/**
 * The LCR result object (LCR.md section E, CONTRACT.md section 5) from exact figures: money rounded half to even to
 * 2 decimals and the ratio to 6, once, here.
 */
import { products, type Product } from './exposure-schema.js';
import type { LcrFigures } from './lcr-figures.js';
import type { Rational } from './rational.js';

export const exclusionReasons = ['beyond_30d', 'open_inflow', 'encumbered', 'non_hqla_asset'] as const;
export type ExclusionReason = (typeof exclusionReasons)[number];

export interface ExcludedExposure {
  exposure_id: string;
  reason: ExclusionReason;
}

export const moneyFields = [
  'level1', 'level2a', 'level2b', 'adjusted_level1', 'adjusted_level2a', 'adjusted_level2b', 'adjustment_15pct_cap',
  'adjustment_40pct_cap', 'unadjusted_adjustment_15pct_cap', 'unadjusted_adjustment_40pct_cap', 'hqla_total',
  'outflows_total', 'inflows_total', 'inflows_capped', 'net_cash_outflows',
] as const satisfies readonly (keyof LcrFigures)[];
type MoneyField = (typeof moneyFields)[number];

export type EntityLcr = { reporting_currency: string } & Record<MoneyField, string> & {
  lcr: string | null;
  outflows_by_product: Record<Product, string>;
  inflows_by_product: Record<Product, string>;
  excluded: ExcludedExposure[];
};

export interface LcrReport {
  as_of_date: string | null;
  horizon_days: number;
  entities: Record<string, EntityLcr>;
}

export const moneyDigits = 2;
export const ratioDigits = 6;

export function entityLcr(
  reportingCurrency: string,
  figures: LcrFigures,
  byProduct: { outflows: Partial<Record<Product, Rational>>; inflows: Partial<Record<Product, Rational>> },
  excluded: ExcludedExposure[],
): EntityLcr {
  const money = Object.fromEntries(moneyFields.map((f) => [f, figures[f].toFixed(moneyDigits)])) as Record<MoneyField, string>;
  const perProduct = (sums: Partial<Record<Product, Rational>>) =>
    Object.fromEntries(products.map((p) => [p, sums[p]?.toFixed(moneyDigits) ?? '0.00'])) as Record<Product, string>;
  return {
    reporting_currency: reportingCurrency,
    ...money,
    lcr: figures.lcr === null ? null : figures.lcr.toFixed(ratioDigits),
    outflows_by_product: perProduct(byProduct.outflows),
    inflows_by_product: perProduct(byProduct.inflows),
    excluded,
  };
}
