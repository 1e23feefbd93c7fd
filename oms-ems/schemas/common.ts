/**
 * Building blocks shared by every event schema: the envelope each event carries (event id, schema version, business
 * time, source) and the enumerations the LCR depends on (LCR.md section D).
 */
import { z } from 'zod';

export const isoDateSchema = z.iso.date();
export const isoDateTimeSchema = z.iso.datetime({ offset: true });
export const currencySchema = z.string().regex(/^[A-Z]{3}$/, 'ISO 4217 code (three capital letters)');
export const sideSchema = z.enum(['BUY', 'SELL']);
export const idSchema = z.string().min(1).max(64);

/** Fields every event carries, whatever its topic. */
export const envelopeShape = {
  event_id: idSchema.describe('unique per event; consumers deduplicate on it'),
  schema_version: z.number().int().min(1).describe('version of the schema the event was written with'),
  event_time: isoDateTimeSchema.describe('business time: when the fact happened (not when it was sent)'),
  source: z.string().min(1).describe('the system that emitted the event, e.g. oms, ems, venue:XLON, trade-capture'),
};

/** Counterparty classes of LCR.md section D; they decide run-off and inflow rates. */
export const counterpartyTypeSchema = z.enum([
  'RETAIL',
  'SMALL_BUSINESS',
  'NON_FINANCIAL_CORPORATE',
  'SOVEREIGN_DOMESTIC',
  'SOVEREIGN_FOREIGN',
  'CENTRAL_BANK',
  'BANK',
  'OTHER_FINANCIAL',
  'OTHER',
]);
export type CounterpartyType = z.infer<typeof counterpartyTypeSchema>;

/** Asset classes a trade may have: CONTRACT.md section 3's list and more. */
export const assetClassSchema = z.enum([
  'GOVT_BOND',
  'AGENCY_BOND',
  'COVERED_BOND',
  'CORPORATE_BOND',
  'RMBS',
  'EQUITY',
  'COMMODITY',
  'REPO',
  'REVERSE_REPO',
  'DEPOSIT',
  'LOAN',
]);
export type AssetClass = z.infer<typeof assetClassSchema>;

/** Long-term credit ratings on the S&P scale. */
export const ratingSchema = z.enum(['AAA', 'AA+', 'AA', 'AA-', 'A+', 'A', 'A-', 'BBB+', 'BBB', 'BBB-', 'BB+', 'BB', 'BB-', 'B+', 'B', 'B-', 'CCC', 'CC', 'C', 'D', 'NR']);
export type Rating = z.infer<typeof ratingSchema>;

export const legalEntitySchema = z.string().regex(/^[A-Z][A-Z0-9_]{1,31}$/, 'legal entity code, e.g. BANK_A');
