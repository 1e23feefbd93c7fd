/**
 * The checks a zod object schema makes on each of its top-level fields, read from its JSON Schema (`z.toJSONSchema`),
 * which already spells out types, enums, patterns, formats, bounds, lengths and which fields are required.
 * A keyword this module does not understand throws, so a schema change can never silently drop a check.
 */
import { z } from 'zod';

export type JsonKind = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array';

export interface FieldSpec {
  name: string;
  /** The key must be present (not z.optional). */
  required: boolean;
  /** JSON null is accepted (z.nullable). */
  nullable: boolean;
  /** Accepted kinds besides null; empty means anything (z.unknown). */
  kinds: JsonKind[];
  enum?: string[];
  format?: string;
  patterns: string[];
  minimum?: number;
  exclusiveMinimum?: number;
  maximum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
}

export interface ObjectSpec {
  fields: FieldSpec[];
  /** Keys outside `fields` are refused (z.strictObject). */
  closed: boolean;
}

type JsonSchema = Record<string, unknown>;

const kinds = new Set<string>(['string', 'number', 'integer', 'boolean', 'object', 'array']);
/** Keywords that carry no check at the top level of a field: notes, or the insides of a nested value (type check only). */
const ignored = new Set([
  'description', 'title', 'default', 'examples', 'deprecated', 'readOnly', 'writeOnly', '$comment', 'id',
  'properties', 'required', 'additionalProperties', 'patternProperties', 'propertyNames', 'items', 'prefixItems',
  'minItems', 'maxItems', 'uniqueItems', 'minProperties', 'maxProperties', 'contentEncoding',
]);

export function objectSpec(schema: z.ZodObject): ObjectSpec {
  const json = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'throw' }) as JsonSchema;
  const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((json.required ?? []) as string[]);
  return {
    fields: Object.entries(properties).map(([name, property]) => fieldSpec(name, property, required.has(name))),
    closed: json.additionalProperties === false,
  };
}

function fieldSpec(name: string, property: JsonSchema, required: boolean): FieldSpec {
  const spec: FieldSpec = { name, required, nullable: false, kinds: [], patterns: [] };
  const { anyOf, ...rest } = property;
  if (anyOf === undefined) {
    apply(spec, rest);
    // No type (z.unknown, z.any): null is a value like any other.
    if (spec.kinds.length === 0 && spec.enum === undefined) spec.nullable = true;
    return spec;
  }
  const branches = anyOf as JsonSchema[];
  const isNull = (b: JsonSchema) => b.type === 'null';
  spec.nullable = branches.some(isNull);
  const others = branches.filter((b) => !isNull(b));
  apply(spec, rest);
  if (others.length === 1) {
    apply(spec, others[0]);
  } else {
    // A union of several kinds: only the kind is checked, since each branch's own constraints would need the others'.
    const all = others.map((b) => typeList(spec.name, b.type === undefined ? undefined : [b.type].flat().filter((t) => t !== 'null')));
    spec.kinds = all.some((k) => k.length === 0) ? [] : [...new Set(all.flat())];
  }
  return spec;
}

function apply(spec: FieldSpec, schema: JsonSchema): void {
  for (const [keyword, value] of Object.entries(schema)) {
    switch (keyword) {
      case 'type': {
        const types = Array.isArray(value) ? (value as string[]) : [value as string];
        if (types.includes('null')) spec.nullable = true;
        spec.kinds = typeList(spec.name, types.filter((t) => t !== 'null'));
        break;
      }
      case 'enum':
      case 'const': {
        const values = keyword === 'const' ? [value] : (value as unknown[]);
        if (values.includes(null)) spec.nullable = true;
        const rest = values.filter((v) => v !== null);
        if (!rest.every((v) => typeof v === 'string')) unsupported(spec.name, `${keyword} of non-strings`);
        spec.enum = rest as string[];
        break;
      }
      case 'format':
        spec.format = value as string;
        break;
      case 'pattern':
        spec.patterns.push(value as string);
        break;
      case 'allOf':
        // zod puts a second regex of one string here; anything else would be a check this module cannot make.
        for (const part of value as JsonSchema[]) {
          const keys = Object.keys(part);
          if (keys.length !== 1 || keys[0] !== 'pattern') unsupported(spec.name, `allOf with ${keys.join(', ')}`);
          spec.patterns.push(part.pattern as string);
        }
        break;
      case 'minimum':
      case 'exclusiveMinimum':
      case 'maximum':
      case 'exclusiveMaximum':
      case 'minLength':
      case 'maxLength':
        spec[keyword] = value as number;
        break;
      default:
        if (!ignored.has(keyword)) unsupported(spec.name, keyword);
    }
  }
}

function typeList(field: string, type: unknown): JsonKind[] {
  if (type === undefined) return [];
  const types = Array.isArray(type) ? type : [type];
  for (const t of types) if (!kinds.has(t as string)) unsupported(field, `type ${String(t)}`);
  return types as JsonKind[];
}

function unsupported(field: string, what: string): never {
  throw new Error(`schema rules: field ${field}: ${what} is not supported; add it to silver/rules/field-specs.ts`);
}
