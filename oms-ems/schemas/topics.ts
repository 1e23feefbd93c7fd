/** Every topic the trading services emit, its value schema and the field that is the record key. */
import type { z } from 'zod';
import { counterpartyEventSchema } from './counterparty-event.js';
import { executionEventSchema } from './execution-event.js';
import { fxRateEventSchema } from './fx-rate-event.js';
import { instrumentEventSchema } from './instrument-event.js';
import { orderEventSchema } from './order-event.js';
import { positionEventSchema } from './position-event.js';
import { tradeDeadLetterEventSchema, tradeEventSchema } from './trade-event.js';
import { treasuryDealEventSchema } from './treasury-deal-event.js';

export interface TopicSpec {
  topic: string;
  schema: z.ZodObject;
  key: string;
  description: string;
}

export const topicSpecs = [
  { topic: 'orders', schema: orderEventSchema, key: 'order_id', description: 'order life cycle events from the OMS' },
  { topic: 'executions', schema: executionEventSchema, key: 'order_id', description: 'execution reports from venues, through the EMS' },
  { topic: 'trades', schema: tradeEventSchema, key: 'trade_id', description: 'booked trades (CONTRACT.md section 3)' },
  { topic: 'trades.dead_letter', schema: tradeDeadLetterEventSchema, key: 'exec_id', description: 'executions trade capture could not enrich' },
  { topic: 'positions', schema: positionEventSchema, key: 'position_id', description: 'position changes (CDC, before and after)' },
  { topic: 'treasury.deals', schema: treasuryDealEventSchema, key: 'deal_id', description: 'deposits, funding, repos, loans, facilities, reserves' },
  { topic: 'ref.instruments', schema: instrumentEventSchema, key: 'instrument_id', description: 'the instrument master' },
  { topic: 'ref.counterparties', schema: counterpartyEventSchema, key: 'counterparty_id', description: 'the counterparty directory' },
  { topic: 'ref.fx_rates', schema: fxRateEventSchema, key: 'quote_currency', description: 'end-of-day exchange rates' },
] as const satisfies readonly TopicSpec[];

export type TopicName = (typeof topicSpecs)[number]['topic'];

export function topicSpec(topic: string): TopicSpec | undefined {
  return topicSpecs.find((s) => s.topic === topic);
}
