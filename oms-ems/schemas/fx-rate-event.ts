/** `ref.fx_rates`: end-of-day exchange rates, one event per currency pair and date; gold converts with them. */
import { z } from 'zod';
import { currencySchema, envelopeShape, isoDateSchema } from './common.js';

export const fxRateEventSchema = z.object({
  ...envelopeShape,
  rate_date: isoDateSchema,
  base_currency: currencySchema,
  quote_currency: currencySchema,
  rate: z.number().positive().describe('units of quote_currency per one unit of base_currency'),
});
export type FxRateEvent = z.infer<typeof fxRateEventSchema>;
