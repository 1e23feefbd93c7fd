/** `executions`: what venues reported back through the EMS (FIX ExecutionReports), one event per report. */
import { z } from 'zod';
import { currencySchema, envelopeShape, idSchema, isoDateSchema, legalEntitySchema, sideSchema } from './common.js';

export const execTypeSchema = z.enum(['NEW', 'PARTIAL_FILL', 'FILL', 'CANCELLED', 'REJECTED']);
export type ExecType = z.infer<typeof execTypeSchema>;

export const executionEventSchema = z.object({
  ...envelopeShape,
  exec_id: idSchema.describe('the venue\'s ExecID (17), unique per venue'),
  order_id: idSchema.describe('the OMS order id (the FIX ClOrdID the EMS sent)'),
  venue: idSchema,
  venue_order_id: idSchema.nullable(),
  exec_type: execTypeSchema,
  legal_entity: legalEntitySchema,
  book_id: idSchema,
  instrument_id: idSchema,
  side: sideSchema,
  last_quantity: z.number().nonnegative(),
  last_price: z.number().nonnegative(),
  cumulative_quantity: z.number().nonnegative(),
  leaves_quantity: z.number().nonnegative(),
  average_price: z.number().nonnegative(),
  currency: currencySchema,
  counterparty_id: idSchema.describe('who is on the other side: the venue\'s clearing counterparty or the OTC dealer'),
  trade_date: isoDateSchema,
  settlement_date: isoDateSchema.nullable(),
  reason: z.string().nullable(),
});
export type ExecutionEvent = z.infer<typeof executionEventSchema>;
