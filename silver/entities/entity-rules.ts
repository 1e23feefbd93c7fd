/**
 * The rules of a topic other than `trades`: the schema rules derived from its zod event schema (the envelope is
 * required), the rules of the nested objects silver reads (ids `<topic>.schema.<field>.<inner>...`), and the
 * duplicate-event rule (`<topic>.duplicate_event`, run in sql/silver/entities/topic_accepted.sql).
 */
import type { z } from 'zod';
import { schemaRules, type Rule, type RuleAction } from '../rules/schema-rules.js';
import { quotedString } from '../../lib/duckdb.js';
import type { EntityTopic } from './entity-topics.js';

export function topicRules(spec: EntityTopic, actions: Record<string, RuleAction> = {}): Rule[] {
  return schemaRules(spec.topic, spec.schema, { actions });
}

/** Rules on the fields of one object field; they run over a relation whose `j` is that object. */
export function nestedRules(topic: string, field: string, schema: z.ZodObject, actions: Record<string, RuleAction> = {}): Rule[] {
  const prefix = `${topic}.schema.`;
  return schemaRules(topic, schema)
    .filter((r) => r.id !== `${prefix}json`)
    .map((r) => {
      const id = `${prefix}${field}.${r.id.slice(prefix.length)}`;
      return { ...r, id, action: actions[id] ?? 'quarantine', reason: `${quotedString(`${field}.`)} || (${r.reason})` };
    });
}

export function duplicateRuleId(topic: string): string {
  return `${topic}.duplicate_event`;
}
