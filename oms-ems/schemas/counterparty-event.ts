/** `ref.counterparties`: the counterparty directory, one event per version of a counterparty. */
import { z } from 'zod';
import { counterpartyTypeSchema, envelopeShape, idSchema, ratingSchema } from './common.js';

export const counterpartyEventSchema = z.object({
  ...envelopeShape,
  counterparty_id: idSchema,
  name: z.string().min(1),
  counterparty_type: counterpartyTypeSchema,
  country: z.string().regex(/^[A-Z]{2}$/),
  lei: z.string().regex(/^[A-Z0-9]{20}$/).nullable(),
  rating: ratingSchema.nullable(),
  active: z.boolean().describe('false: withdrawn from the directory (a tombstone)'),
});
export type CounterpartyEvent = z.infer<typeof counterpartyEventSchema>;
