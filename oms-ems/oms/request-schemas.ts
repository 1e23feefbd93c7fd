/**
 * The OMS request bodies. Strict: an unknown field is refused, not dropped, so a misspelt `limit_prise` cannot turn
 * a LIMIT order into one without a price. Quantity and prices are checked here too because an order event cannot carry
 * a quantity ≤ 0 (orders topic schema): such a request is refused at the door instead of stored as a rejected order.
 */
import { z } from 'zod';
import { currencySchema, idSchema, legalEntitySchema, sideSchema } from '../schemas/common.js';
import { execTypeSchema } from '../schemas/execution-event.js';
import { RequestValidationError, type RequestIssue } from './oms-errors.js';

const quantitySchema = z.number().positive();
const priceSchema = z.number().nonnegative();

export const newOrderRequestSchema = z.strictObject({
  client_order_id: idSchema.optional(),
  account_id: idSchema,
  book_id: idSchema,
  legal_entity: legalEntitySchema,
  instrument_id: idSchema,
  side: sideSchema,
  order_type: z.enum(['MARKET', 'LIMIT']),
  quantity: quantitySchema,
  limit_price: priceSchema.nullable().optional().describe('required for LIMIT orders (a pre-trade check)'),
  currency: currencySchema,
});
export type NewOrderRequest = z.input<typeof newOrderRequestSchema>;

export const replaceRequestSchema = z
  .strictObject({ quantity: quantitySchema.optional(), limit_price: priceSchema.optional() })
  .refine((r) => r.quantity !== undefined || r.limit_price !== undefined, { message: 'give quantity, limit_price or both' });
export type ReplaceRequest = z.input<typeof replaceRequestSchema>;

export const cancelRequestSchema = z.strictObject({ reason: z.string().min(1).max(200).optional() });
export type CancelRequest = z.input<typeof cancelRequestSchema>;

/** What the EMS reports when a venue answers; `lastQty` and `lastPx` matter for fills only (0 otherwise). */
export const executionReportSchema = z.strictObject({
  orderId: idSchema,
  execType: execTypeSchema,
  lastQty: z.number().nonnegative(),
  lastPx: z.number().nonnegative(),
  reason: z.string().min(1).max(200).optional(),
});
export type ExecutionReport = z.input<typeof executionReportSchema>;

/** The Idempotency-Key the orders topic can carry. */
export const idempotencyKeySchema = z.string().regex(/^[\x21-\x7e]{1,128}$/, '1 to 128 visible ASCII characters');

/** Zod issues as `{ path, message }`, one per bad path; an unknown field is named by its own path. */
export function requestIssues(error: z.ZodError): RequestIssue[] {
  return error.issues.flatMap((issue) => {
    const prefix = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: [...prefix, key].join('.'), message: 'unknown field' }));
    }
    return [{ path: prefix.length === 0 ? '(root)' : prefix.join('.'), message: issue.message }];
  });
}

/** Parses `body` or throws `RequestValidationError` naming every bad path. */
export function parseRequest<S extends z.ZodType>(schema: S, body: unknown, what: string): z.output<S> {
  const result = schema.safeParse(body);
  if (!result.success) throw new RequestValidationError(what, requestIssues(result.error));
  return result.data;
}
