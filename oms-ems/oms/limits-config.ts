/**
 * Pre-trade limits as a JSON file (`lakehouse service oms --limits limits.json`), parsed with zod: the shape of
 * `LimitsConfig` (pre-trade-checks.ts), strict, so a misspelt limit is refused rather than ignored.
 *
 *   { "defaults": { "maxOrderQuantity": 1000000, "maxOrderNotional": 50000000, "maxOpenNotional": 500000000 },
 *     "accounts": { "ACC-SMALL": { "maxOrderNotional": 100000 } },
 *     "instruments": { "US0378331005": { "maxOrderQuantity": 5000 } },
 *     "restrictedInstruments": ["XS0000000001"] }
 */
import { z } from 'zod';
import type { LimitsConfig } from './pre-trade-checks.js';

const orderLimitsSchema = z.strictObject({
  maxOrderQuantity: z.number().positive().optional(),
  maxOrderNotional: z.number().positive().optional(),
  maxOpenNotional: z.number().positive().optional(),
});

export const limitsConfigSchema = z.strictObject({
  defaults: orderLimitsSchema,
  accounts: z.record(z.string().min(1), orderLimitsSchema).optional(),
  instruments: z.record(z.string().min(1), orderLimitsSchema).optional(),
  restrictedInstruments: z.array(z.string().min(1)).optional(),
});

/** What an OMS runs with when no limits are given: wide enough for a treasury desk's tickets, not unlimited. */
export const defaultLimits: LimitsConfig = {
  defaults: { maxOrderQuantity: 10_000_000, maxOrderNotional: 100_000_000, maxOpenNotional: 1_000_000_000 },
};

/** The limits in `text` (JSON), or the problems, each naming its dotted path. */
export function parseLimitsConfig(text: string): { value?: LimitsConfig; errors: string[] } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { errors: [`not JSON: ${(err as Error).message}`] };
  }
  const parsed = limitsConfigSchema.safeParse(json);
  if (parsed.success) return { value: parsed.data, errors: [] };
  return { errors: parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`) };
}
