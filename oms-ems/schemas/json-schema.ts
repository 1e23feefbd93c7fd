/** The event schemas as JSON Schema documents (draft 2020-12), for teams that validate without our code. */
import { z } from 'zod';
import { topicSpecs, type TopicSpec } from './topics.js';

export function topicJsonSchema(spec: TopicSpec): Record<string, unknown> {
  const schema = z.toJSONSchema(spec.schema, { target: 'draft-2020-12', io: 'input' }) as Record<string, unknown>;
  return {
    $schema: schema.$schema,
    $id: `https://treasury-lakehouse.example/schemas/${spec.topic}.schema.json`,
    title: spec.topic,
    description: `${spec.description}; record key: ${spec.key}`,
    ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== '$schema')),
  };
}

/** File name → pretty JSON text, as committed under oms-ems/schemas/json/. */
export function jsonSchemaFiles(): Map<string, string> {
  return new Map(topicSpecs.map((spec) => [`${spec.topic}.schema.json`, `${JSON.stringify(topicJsonSchema(spec), null, 2)}\n`]));
}
