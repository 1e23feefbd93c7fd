/**
 * `positions`: change data capture of position keeping, one event per change of a position (legal entity, book,
 * instrument), with the state before and after, as Debezium shapes it (`op` c = created, u = updated).
 */
import { z } from 'zod';
import { currencySchema, envelopeShape, idSchema, legalEntitySchema } from './common.js';

export const positionStateSchema = z.object({
  quantity: z.number().describe('signed: long > 0, short < 0'),
  cost: z.number().describe('signed cost of the position in its currency (quantity x price, summed)'),
  currency: currencySchema,
  trade_count: z.number().int().nonnegative(),
});
export type PositionState = z.infer<typeof positionStateSchema>;

export const positionEventSchema = z.object({
  ...envelopeShape,
  position_id: idSchema.describe('legal_entity|book_id|instrument_id'),
  op: z.enum(['c', 'u']),
  legal_entity: legalEntitySchema,
  book_id: idSchema,
  instrument_id: idSchema,
  before: positionStateSchema.nullable(),
  after: positionStateSchema,
  trade_id: idSchema.describe('the trade that caused the change'),
  trade_version: z.number().int().min(1),
  journal_entry_id: idSchema,
});
export type PositionEvent = z.infer<typeof positionEventSchema>;
