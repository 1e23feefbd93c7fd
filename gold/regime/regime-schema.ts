/**
 * The shape of a regime file (gold/regime/<id>.json): versioned, dated LCR parameters. Rates and weights are decimal
 * strings, cap factors exact fractions ("2/3") or decimals, so that nothing passes through a JS float.
 */
import { z } from 'zod';
import { collateralClasses, counterpartyTypes, productDirections, products, type Product } from '../lcr/exposure-schema.js';

const rate = z.string().regex(/^(0(\.\d{1,4})?|1(\.0{1,4})?)$/, 'must be a decimal string from "0" to "1" with at most 4 decimals, like "0.25"');
const fraction = z.string().regex(/^\d+(\.\d{1,8})?(\/[1-9]\d*)?$/, 'must be an exact fraction like "2/3" or a decimal string like "0.6667"');
const isoDate = z.iso.date();
const source = z.string().min(1, 'must name where the figure comes from');

export const whenSchema = z.strictObject({
  counterparty_type: z.array(z.enum(counterpartyTypes)).nonempty().optional(),
  collateral_class: z.array(z.enum(collateralClasses)).nonempty().optional(),
  is_operational: z.boolean().optional(),
  is_insured: z.boolean().optional(),
  is_stable: z.boolean().optional(),
  is_encumbered: z.boolean().optional(),
});
export type RateSelector = z.infer<typeof whenSchema>;

export const rateRuleSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9_]+(\.[a-z0-9_]+)*$/, 'must be dotted snake_case, like "retail_deposit.stable"'),
  product: z.enum(products as [Product, ...Product[]]),
  when: whenSchema,
  rate,
  source,
  /** False for a figure inherited from the regime this one extends because no primary text confirmed it (n/c). */
  confirmed: z.boolean().default(true),
});
export type RateRule = z.infer<typeof rateRuleSchema>;

const hqlaLevelSchema = z.strictObject({ weight: rate, bucket: z.enum(['level1', 'level2a', 'level2b']), source });
const assetProductSchema = z.strictObject({ class: z.enum(collateralClasses), source });

export const capsSchema = z.strictObject({
  /** adjusted: Basel Annex 1 (caps on the unwound amounts); us_max_excess: 12 CFR 249.21 (the larger of both excesses). */
  method: z.enum(['adjusted', 'us_max_excess']),
  level2_share: rate,
  level2b_share: rate,
  level2_over_level1: fraction,
  level2b_over_level1_and_level2a: fraction,
  level2b_over_level1: fraction.nullable(),
  source,
}).refine((c) => c.method !== 'adjusted' || c.level2b_over_level1 !== null, { path: ['level2b_over_level1'], message: 'is required by method "adjusted"' });

const header = {
  id: z.string().regex(/^[a-z0-9_-]+$/, 'must be a lower-case name'),
  version: z.string().min(1),
  effective_from: isoDate,
  description: z.string().min(1),
};

const parameters = {
  horizon_days: z.number().int().positive(),
  hqla_levels: z.strictObject({ L1: hqlaLevelSchema.optional(), L2A: hqlaLevelSchema.optional(), L2B_RMBS: hqlaLevelSchema.optional(), L2B: hqlaLevelSchema.optional() }),
  asset_products: z.strictObject({ CASH: assetProductSchema, CB_RESERVES: assetProductSchema }),
  caps: capsSchema,
  inflow_cap: z.strictObject({ share_of_outflows: rate, source }),
};

const inflowProducts = new Set<Product>(['SECURED_LENDING', 'UNSECURED_LENDING', 'SECURITY']);

const fileRuleSchema = rateRuleSchema.omit({ confirmed: true });

function rulesFor<S extends typeof fileRuleSchema>(direction: 'outflow' | 'inflow', rule: S) {
  return z.array(rule).superRefine((rules: z.infer<typeof fileRuleSchema>[], ctx) => {
    const seen = new Set<string>();
    rules.forEach((rule, i) => {
      const fits = direction === 'outflow' ? productDirections[rule.product] === 'outflow' : inflowProducts.has(rule.product);
      if (!fits) ctx.addIssue({ code: 'custom', path: [i, 'product'], message: `${rule.product} has no ${direction} rate` });
      if (seen.has(rule.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `duplicate rule id ${rule.id}` });
      seen.add(rule.id);
    });
  });
}

/** A regime as the calculator uses it: complete, after any `extends` is resolved. */
export const regimeSchema = z.strictObject({
  ...header,
  extends: z.string().nullable(),
  ...parameters,
  outflows: rulesFor('outflow', rateRuleSchema),
  inflows: rulesFor('inflow', rateRuleSchema),
}).superRefine((regime, ctx) => {
  const outflowIds = new Set(regime.outflows.map((r) => r.id));
  regime.inflows.forEach((r, i) => {
    if (outflowIds.has(r.id)) ctx.addIssue({ code: 'custom', path: ['inflows', i, 'id'], message: `${r.id} is also an outflow rule id` });
  });
});
export type RegimeData = z.infer<typeof regimeSchema>;

/** A file standing alone. */
export const baseRegimeFileSchema = z.strictObject({
  ...header,
  ...parameters,
  outflows: rulesFor('outflow', fileRuleSchema),
  inflows: rulesFor('inflow', fileRuleSchema),
});

const overrideSchema = z.strictObject({ id: z.string(), rate: rate.nullable(), source });

/**
 * A file that extends another: it states only what it confirms; `rate: null` drops a rule (the combination has no
 * rate here), `hqla_levels.X: null` drops a level; every inherited rule must be listed in `not_confirmed`.
 */
export const extendingRegimeFileSchema = z.strictObject({
  ...header,
  extends: z.string().regex(/^[a-z0-9_-]+$/),
  horizon_days: parameters.horizon_days.optional(),
  hqla_levels: z.strictObject({ L1: hqlaLevelSchema.nullable().optional(), L2A: hqlaLevelSchema.nullable().optional(), L2B_RMBS: hqlaLevelSchema.nullable().optional(), L2B: hqlaLevelSchema.nullable().optional() }).optional(),
  asset_products: z.strictObject({ CASH: assetProductSchema.optional(), CB_RESERVES: assetProductSchema.optional() }).optional(),
  caps: capsSchema.optional(),
  inflow_cap: parameters.inflow_cap.optional(),
  outflows: z.array(overrideSchema).default([]),
  inflows: z.array(overrideSchema).default([]),
  not_confirmed: z.array(z.string()).default([]),
});
export type ExtendingRegimeFile = z.infer<typeof extendingRegimeFileSchema>;
