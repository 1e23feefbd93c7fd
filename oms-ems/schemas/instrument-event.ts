/**
 * `ref.instruments`: the instrument master. One event per version of an instrument; the attributes decide its HQLA
 * level (issuer type, risk weight, rating, central-bank eligibility, index membership, RMBS criteria).
 */
import { z } from 'zod';
import { assetClassSchema, currencySchema, envelopeShape, idSchema, isoDateSchema, ratingSchema } from './common.js';

export const issuerTypeSchema = z.enum([
  'SOVEREIGN',
  'CENTRAL_BANK',
  'PSE', // public sector entity
  'MDB', // multilateral development bank, BIS, IMF, ECB, EC
  'GSE', // government-sponsored agency
  'BANK',
  'OTHER_FINANCIAL',
  'NON_FINANCIAL_CORPORATE',
]);
export type IssuerType = z.infer<typeof issuerTypeSchema>;

export const instrumentEventSchema = z.object({
  ...envelopeShape,
  instrument_id: idSchema,
  isin: z.string().regex(/^[A-Z]{2}[A-Z0-9]{9}[0-9]$/).nullable(),
  name: z.string().min(1),
  asset_class: assetClassSchema,
  currency: currencySchema,
  issuer_id: idSchema.nullable(),
  issuer_type: issuerTypeSchema.nullable(),
  issuer_country: z.string().regex(/^[A-Z]{2}$/).nullable(),
  risk_weight: z.number().min(0).max(15).nullable().describe('Basel standardised risk weight of the issuer, 0.2 = 20%'),
  rating: ratingSchema.nullable(),
  central_bank_eligible: z.boolean(),
  listed_index: z.string().nullable().describe('equities: the major index it belongs to'),
  rmbs_full_recourse: z.boolean().nullable(),
  rmbs_ltv: z.number().min(0).max(2).nullable().describe('average loan-to-value at issuance, 0.8 = 80%'),
  own_originated: z.boolean().nullable(),
  maturity_date: isoDateSchema.nullable(),
  coupon_rate: z.number().nullable(),
  price: z.number().nonnegative().describe('reference price per unit; a bond unit is 100 of face value, so quantity x price is the market value for every asset class'),
  price_date: isoDateSchema,
  active: z.boolean().describe('false: withdrawn from the master (a tombstone)'),
});
export type InstrumentEvent = z.infer<typeof instrumentEventSchema>;
