/**
 * Validation rules derived from a zod event schema, as SQL expressions DuckDB evaluates over whole batches of bronze
 * records (PERFORMANCE.md: per-record logic stays in SQL). rules-sql.ts turns a list of them into one query.
 */
import { z } from 'zod';
import { quotedIdentifier, quotedString } from '../../lib/duckdb.js';
import { objectSpec, type FieldSpec, type JsonKind } from './field-specs.js';

export { rulesSql, fieldColumnsSql, ruleIndexesSql, violationsSql } from './rules-sql.js';

export type RuleAction = 'warn' | 'quarantine' | 'fail';

export interface Rule {
  /** Stable, e.g. 'trades.schema.quantity.positive'. */
  id: string;
  /** Bumped when the rule's meaning changes. */
  version: number;
  action: RuleAction;
  /** One line for people. */
  description: string;
  /**
   * SQL boolean expression, TRUE when a record violates the rule, FALSE otherwise (not NULL). It may reference
   * `value` (raw text), `j` (value as JSON, NULL when not JSON) and the columns fieldColumnsSql derives from `j` once
   * per record: `j_type` (json_type(j)), `f_type."<field>"` and `f_text."<field>"` for each field in `fields`.
   */
  violation: string;
  /** SQL VARCHAR expression: why one violating record violates it, naming the field and the bad value. */
  reason: string;
  /** Top-level fields the expressions read through f_type / f_text. */
  fields: string[];
}

export interface SchemaRulesOptions {
  /** Action of every rule (default 'quarantine'). */
  action?: RuleAction;
  /** Action per rule id, over `action`. */
  actions?: Record<string, RuleAction>;
}

export function schemaRules(topic: string, schema: z.ZodObject, options: SchemaRulesOptions = {}): Rule[] {
  const spec = objectSpec(schema);
  const drafts: Draft[] = [jsonRule(), ...spec.fields.flatMap(fieldRules)];
  if (spec.closed) drafts.push(closedRule(spec.fields.map((f) => f.name)));
  return drafts.map((d) => {
    const id = `${topic}.schema.${d.id}`;
    return {
      id,
      version: 1,
      action: options.actions?.[id] ?? options.action ?? 'quarantine',
      description: d.description,
      violation: d.violation,
      reason: d.reason,
      fields: d.field === undefined ? [] : [d.field],
    };
  });
}

interface Draft {
  id: string;
  description: string;
  violation: string;
  reason: string;
  field?: string;
}

const isObject = "j_type = 'OBJECT'";
const numericTypes = ['BIGINT', 'UBIGINT', 'DOUBLE'];
const jsonTypes: Record<JsonKind, string[]> = {
  string: ['VARCHAR'],
  number: numericTypes,
  integer: numericTypes, // 1.0 is an integer to JSON.parse; the int rule checks the value
  boolean: ['BOOLEAN'],
  object: ['OBJECT'],
  array: ['ARRAY'],
};
const kindNames: Record<JsonKind, string> = {
  string: 'a string', number: 'a number', integer: 'an integer', boolean: 'a boolean', object: 'an object', array: 'an array',
};
const sqlList = (values: string[]) => values.map(quotedString).join(', ');
/** JSON's name for a DuckDB json_type. */
const jsonName = (type: string) =>
  `CASE ${type} WHEN 'VARCHAR' THEN 'a string' WHEN 'BOOLEAN' THEN 'a boolean' WHEN 'ARRAY' THEN 'an array' WHEN 'NULL' THEN 'null' ELSE 'a number' END`;

function jsonRule(): Draft {
  return {
    id: 'json',
    description: 'value is a JSON object',
    violation: `${isObject} IS NOT TRUE`,
    reason: `CASE WHEN value IS NULL THEN 'value is missing (null record value)'
      WHEN j IS NULL THEN 'value is not JSON: ' || left(value, 100)
      ELSE 'value must be a JSON object, got ' || ${jsonName('j_type')} || ': ' || left(value, 100) END`,
  };
}

function closedRule(names: string[]): Draft {
  const extra = `list_filter(json_keys(j), k -> k NOT IN (${sqlList(names)}))`;
  return {
    id: 'additional',
    description: 'no fields besides those of the schema',
    violation: `(${isObject} AND len(${extra}) > 0) IS TRUE`,
    reason: `'unknown fields: ' || array_to_string(${extra}, ', ')`,
  };
}

function fieldRules(f: FieldSpec): Draft[] {
  const { name } = f;
  const type = `f_type.${quotedIdentifier(name)}`;
  const text = `f_text.${quotedIdentifier(name)}`;
  // JSON text, so that "100" and 100 read differently in a reason.
  const shown = `left(CAST(json_extract(j, ${quotedString(`$.${JSON.stringify(name)}`)}) AS VARCHAR), 100)`;
  const drafts: Draft[] = [];
  const rule = (check: string, description: string, violation: string, reason: string) =>
    drafts.push({ id: `${name}.${check}`, description: `${name} ${description}`, violation: `(${violation}) IS TRUE`, reason, field: name });
  const got = (message: string) => `${quotedString(`${name} ${message}, got `)} || ${shown}`;

  if (f.required || !f.nullable) {
    const broken = [f.required ? `${type} IS NULL` : '', f.nullable ? '' : `${type} = 'NULL'`].filter(Boolean).join(' OR ');
    const what = f.required && !f.nullable ? 'present and not null' : f.required ? 'present' : 'not null when present';
    rule('required', `is ${what}`, `(${broken}) AND ${isObject}`,
      `CASE WHEN ${type} IS NULL THEN ${quotedString(`${name} is required, missing`)} ELSE ${quotedString(`${name} must not be null`)} END`);
  }
  const numberKinds = f.kinds.length > 0 && f.kinds.every((k) => k === 'number' || k === 'integer');
  const n = `TRY_CAST(${text} AS DOUBLE)`;
  if (f.kinds.length > 0) {
    const accepted = sqlList([...new Set(['NULL', ...f.kinds.flatMap((k) => jsonTypes[k])])]);
    const expected = f.kinds.map((k) => kindNames[k]).join(' or ');
    // DuckDB reads NaN and Infinity, which JSON.parse refuses.
    const nonFinite = numberKinds ? ` OR (${type} = 'DOUBLE' AND NOT isfinite(${n}))` : '';
    rule('type', `is ${expected}`, `${type} NOT IN (${accepted})${nonFinite}`, got(`must be ${expected}`));
  }

  const isString = `${type} = 'VARCHAR'`;
  if (f.enum !== undefined) {
    const options = f.enum.join(', ');
    rule('enum', `is one of ${options}`, `${text} NOT IN (${sqlList(f.enum)}) AND ${isString}`, got(`must be one of ${options}`));
  }
  const format = f.format === undefined ? undefined : formats[f.format];
  if (format !== undefined) {
    rule('format', `is ${format.label}`, `${format.invalid(text)} AND ${isString}`, got(`must be ${format.label}`));
  }
  // A format without a cast (date-time, email, uuid, ...) is checked by zod's own regex, which comes as its pattern.
  const patterns = f.patterns.filter((p) => format === undefined || p !== format.pattern);
  patterns.forEach((pattern, i) => {
    const check = i === 0 ? (f.format !== undefined && format === undefined ? 'format' : 'pattern') : `pattern${i + 1}`;
    const label = check === 'format' ? `a valid ${f.format}` : `match ${pattern}`;
    rule(check, check === 'format' ? `is ${label} (${pattern})` : `matches ${pattern}`,
      `NOT regexp_full_match(${text}, ${quotedString(pattern)}) AND ${isString}`, got(`must ${check === 'format' ? 'be ' : ''}${label}`));
  });
  if (f.minLength !== undefined && f.minLength > 0) {
    rule('minLength', `has at least ${f.minLength} characters`, `${f.minLength === 1 ? `${text} = ''` : `length(${text}) < ${f.minLength}`} AND ${isString}`,
      got(`must have at least ${f.minLength} characters`));
  }
  if (f.maxLength !== undefined) {
    rule('maxLength', `has at most ${f.maxLength} characters`, `strlen(${text}) > ${f.maxLength} AND length(${text}) > ${f.maxLength} AND ${isString}`,
      `${quotedString(`${name} must have at most ${f.maxLength} characters, got `)} || length(${text}) || ': ' || ${shown}`);
  }

  const isNumber = `${type} IN (${sqlList(numericTypes)})`;
  const integer = f.kinds.length === 1 && f.kinds[0] === 'integer';
  if (integer) {
    rule('int', 'is a safe integer', `(${n} <> trunc(${n}) OR abs(${n}) > ${Number.MAX_SAFE_INTEGER}) AND ${isNumber}`,
      got('must be an integer'));
  }
  const bound = (check: string, op: string, limit: number | undefined) => {
    // z.int() adds the safe-integer bounds, which the int rule holds already.
    if (limit === undefined || (integer && Math.abs(limit) === Number.MAX_SAFE_INTEGER)) return;
    rule(check, `${op} ${limit}`, `NOT (${n} ${op} ${limit}) AND ${isNumber}`, got(`must be ${op} ${limit}`));
  };
  bound('min', '>=', f.minimum);
  bound(f.exclusiveMinimum === 0 ? 'positive' : 'gt', '>', f.exclusiveMinimum);
  bound('max', '<=', f.maximum);
  bound(f.exclusiveMaximum === 0 ? 'negative' : 'lt', '<', f.exclusiveMaximum);
  return drafts;
}

/** Formats checked with a cast rather than zod's long regex, which is then not checked again. */
const formats: Record<string, { label: string; pattern: string; invalid: (text: string) => string }> = {
  date: {
    label: 'a calendar date YYYY-MM-DD',
    pattern: (z.toJSONSchema(z.iso.date()) as { pattern: string }).pattern,
    // The cast refuses 2026-02-30; the round trip refuses what it accepts but zod does not (2026-3-2, 2026/03/02).
    invalid: (t) => `(length(${t}) <> 10 OR CAST(TRY_CAST(${t} AS DATE) AS VARCHAR) IS DISTINCT FROM ${t})`,
  },
};
