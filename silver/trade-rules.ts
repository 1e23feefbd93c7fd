/**
 * The rules a `trades` record must pass before the trade store's own rules (trade_checks.sql) see it: the schema
 * rules derived from the zod event schema, with the envelope optional, since CONTRACT.md section 3 does not require it.
 */
import { tradeEventSchema } from '../oms-ems/schemas/trade-event.js';
import { schemaRules, type Rule, type RuleAction } from './rules/schema-rules.js';

export const tradeContractSchema = tradeEventSchema.partial({ event_id: true, schema_version: true, event_time: true, source: true });

export function tradeRules(actions: Record<string, RuleAction> = {}): Rule[] {
  return schemaRules('trades', tradeContractSchema, { actions });
}
