/** `orders`: the OMS's order life cycle, one event per state change. */
import { z } from 'zod';
import { currencySchema, envelopeShape, idSchema, legalEntitySchema, sideSchema } from './common.js';

export const orderStatusSchema = z.enum(['NEW', 'PARTIALLY_FILLED', 'FILLED', 'CANCELLED', 'REPLACED', 'REJECTED']);
export type OrderStatus = z.infer<typeof orderStatusSchema>;

export const orderEventSchema = z.object({
  ...envelopeShape,
  event_type: z.enum(['ORDER_ACCEPTED', 'ORDER_REJECTED', 'ORDER_FILLED', 'ORDER_CANCELLED', 'ORDER_REPLACED']),
  order_id: idSchema,
  client_order_id: idSchema.nullable().describe('the caller\'s id, when it gave one'),
  idempotency_key: z.string().min(1).max(128).nullable(),
  account_id: idSchema.describe('the trading account, e.g. a book'),
  book_id: idSchema,
  legal_entity: legalEntitySchema,
  instrument_id: idSchema,
  side: sideSchema,
  order_type: z.enum(['MARKET', 'LIMIT']),
  quantity: z.number().positive(),
  limit_price: z.number().nonnegative().nullable(),
  currency: currencySchema,
  status: orderStatusSchema,
  filled_quantity: z.number().nonnegative(),
  average_price: z.number().nonnegative().nullable(),
  replaces_order_id: idSchema.nullable().describe('on the new order of a replace: the order it replaces'),
  reason: z.string().nullable().describe('why an order was rejected or cancelled'),
});
export type OrderEvent = z.infer<typeof orderEventSchema>;
