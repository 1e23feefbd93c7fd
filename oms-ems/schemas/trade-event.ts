/**
 * `trades`: booked trades, the trade store's input. The fields of CONTRACT.md section 3, exactly, plus the envelope
 * and where the trade came from.
 */
import { z } from 'zod';
import { assetClassSchema, currencySchema, envelopeShape, idSchema, isoDateSchema, legalEntitySchema, sideSchema } from './common.js';

export const tradeEventSchema = z.object({
  ...envelopeShape,
  trade_id: idSchema,
  version: z.number().int().min(1),
  counterparty_id: idSchema,
  book_id: idSchema,
  legal_entity: legalEntitySchema,
  instrument_id: idSchema.describe('ISIN or internal id'),
  asset_class: assetClassSchema,
  side: sideSchema,
  quantity: z.number().positive().describe('units; a bond unit is 100 of face value'),
  price: z.number().nonnegative().describe('per unit, so quantity x price is the consideration'),
  currency: currencySchema,
  trade_date: isoDateSchema,
  settlement_date: isoDateSchema.nullable().optional(),
  maturity_date: isoDateSchema.nullable().optional().describe('null for instruments without maturity'),
  created_date: isoDateSchema,
  exec_id: idSchema.nullable().optional().describe('the execution the trade was captured from'),
  venue: idSchema.nullable().optional(),
  counterparty_type: z.string().nullable().optional().describe('enrichment from the counterparty directory'),
  issuer_id: idSchema.nullable().optional().describe('enrichment from the instrument master'),
});
export type TradeEvent = z.infer<typeof tradeEventSchema>;

/** `trades.dead_letter`: executions trade capture could not enrich, with the reason. */
export const tradeDeadLetterEventSchema = z.object({
  ...envelopeShape,
  reason: z.string().min(1),
  missing: z.array(z.enum(['instrument', 'counterparty'])),
  exec_id: idSchema,
  execution: z.record(z.string(), z.unknown()).describe('the execution event as it was received'),
});
export type TradeDeadLetterEvent = z.infer<typeof tradeDeadLetterEventSchema>;
