/**
 * The topics silver validates besides `trades`, the staging name of each (its tables are `<name>_records`,
 * `<name>_violations`, `<name>_rejections`, `<name>_accepted`, `<name>_quarantine`), and the entities with a
 * two-timeline history: the versions table that feeds sql/silver/entity_history.sql, the key and what ranks versions.
 */
import type { z } from 'zod';
import { counterpartyEventSchema } from '../../oms-ems/schemas/counterparty-event.js';
import { executionEventSchema } from '../../oms-ems/schemas/execution-event.js';
import { fxRateEventSchema } from '../../oms-ems/schemas/fx-rate-event.js';
import { instrumentEventSchema } from '../../oms-ems/schemas/instrument-event.js';
import { orderEventSchema } from '../../oms-ems/schemas/order-event.js';
import { positionEventSchema, positionStateSchema } from '../../oms-ems/schemas/position-event.js';
import { tradeDeadLetterEventSchema } from '../../oms-ems/schemas/trade-event.js';
import { treasuryDealEventSchema } from '../../oms-ems/schemas/treasury-deal-event.js';

export interface EntityTopic {
  topic: string;
  name: string;
  /** The payload fields naming the entity a record belongs to (joined with '|'): the unit an incremental build reworks. */
  keyFields: string[];
  schema: z.ZodObject;
  /** Object fields whose own fields silver reads, so they are checked too (the schema rules check only their kind). */
  nested?: { field: string; schema: z.ZodObject }[];
}

export const entityTopics: readonly EntityTopic[] = [
  { topic: 'orders', name: 'orders', keyFields: ['event_id'], schema: orderEventSchema },
  { topic: 'executions', name: 'executions', keyFields: ['event_id'], schema: executionEventSchema },
  { topic: 'positions', name: 'positions', keyFields: ['position_id'], schema: positionEventSchema, nested: [{ field: 'after', schema: positionStateSchema }] },
  { topic: 'treasury.deals', name: 'treasury_deals', keyFields: ['deal_id'], schema: treasuryDealEventSchema },
  { topic: 'ref.instruments', name: 'instruments', keyFields: ['instrument_id'], schema: instrumentEventSchema },
  { topic: 'ref.counterparties', name: 'counterparties', keyFields: ['counterparty_id'], schema: counterpartyEventSchema },
  { topic: 'ref.fx_rates', name: 'fx_rates', keyFields: ['rate_date', 'base_currency', 'quote_currency'], schema: fxRateEventSchema },
  // Validated and counted only: what trade capture could not enrich is for people to look at, not a table.
  { topic: 'trades.dead_letter', name: 'trade_dead_letters', keyFields: ['event_id'], schema: tradeDeadLetterEventSchema },
];

export interface HistoryEntity {
  /** Output tables `<entity>_history` and `<entity>_current`. */
  entity: string;
  /** sql/silver/entities/<versions>.sql makes the table of that name. */
  versions: string;
  key: string;
  /** Ranks two versions of one key, then arrival; the higher wins where both are in force. */
  rankBy: string;
  /** sql/silver/entities/<current>.sql, when the current table is enriched; else entity_current.sql. */
  current?: string;
  /** One of the entity, for check messages. */
  noun: string;
  /** The entities whose current tables the current one is enriched from (it is rebuilt when they change). */
  enrichedFrom?: string[];
}

/** In build order: the reference data first, since the current deals and positions are enriched from it. */
export const historyEntities: readonly HistoryEntity[] = [
  { entity: 'counterparties', versions: 'counterparty_versions', key: 'counterparty_id', rankBy: 'valid_from', noun: 'counterparty' },
  { entity: 'instruments', versions: 'instrument_versions', key: 'instrument_id', rankBy: 'valid_from', noun: 'instrument' },
  { entity: 'treasury_deals', versions: 'treasury_deal_versions', key: 'deal_id', rankBy: 'version', current: 'treasury_deals_current', noun: 'deal', enrichedFrom: ['counterparties'] },
  { entity: 'positions', versions: 'position_versions', key: 'position_id', rankBy: 'valid_from', current: 'positions_current', noun: 'position', enrichedFrom: ['instruments'] },
];

/** Append-only and keyed tables built from the accepted records: sql/silver/entities/<name>.sql, and their topics. */
export const factTables = ['orders', 'executions', 'fx_rates'] as const;
export const factTopics: Record<(typeof factTables)[number], string> = { orders: 'orders', executions: 'executions', fx_rates: 'ref.fx_rates' };

/** The topic of a history entity. */
export function entityTopic(entity: string): string {
  const spec = entityTopics.find((t) => t.name === entity);
  if (spec === undefined) throw new Error(`no topic for entity ${entity}`);
  return spec.topic;
}
