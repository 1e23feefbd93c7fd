/**
 * One query that checks every record of a relation against a list of rules in a single pass.
 *
 * The input relation has a column `value` (VARCHAR, the raw payload) and a column `j` (JSON: `TRY_CAST(value AS JSON)`,
 * NULL when the value is not JSON), and any others (ids, offsets, ...), which the output keeps. It must not have columns
 * named j_type, f_type, f_text or _rule. The output has one row per (record, violated rule): the input's columns, then
 * rule_id, rule_version, action and reason. A record that breaks no rule gives no row.
 *
 * Each JSON function call costs about a quarter of a microsecond whatever it reads, so the fields are read with one
 * json_type call over all their paths and one json_transform, never once per rule; the rules then test plain columns.
 */
import { quotedIdentifier, quotedString } from '../../lib/duckdb.js';
import type { Rule } from './schema-rules.js';

/** `input`: a table or view name, or a parenthesised query (trusted SQL text, not user input). */
export function rulesSql(rules: Rule[], input = 'input'): string {
  return violationsSql(rules, `(SELECT *, ${ruleIndexesSql(rules)} AS _rules FROM (${fieldColumnsSql(rules, input)}))`);
}

/**
 * The rules a record breaks, as a list of their 1-based positions in `rules` (empty when it breaks none), over the
 * columns of fieldColumnsSql. For a build that keeps it beside other columns of the same pass (the typed fields) and
 * makes the violation rows (violationsSql) of the few records that break some rule only.
 */
export function ruleIndexesSql(rules: Rule[]): string {
  if (rules.length === 0) throw new Error('rulesSql: no rules');
  // list_where costs ~50 ns per element and row, so it runs only on records that break some rule: the OR decides.
  // A violation that is NULL despite the contract counts as kept, not as an error: list_where refuses NULLs.
  const flags = rules.map((r) => `(${r.violation}) IS TRUE`);
  return `CASE WHEN ${flags.join('\n    OR ')} THEN list_where(range(1, ${rules.length + 1}), [
    ${flags.join(',\n    ')}
  ]) ELSE [] END`;
}

/**
 * One row per (record, broken rule) from `input`: the columns of fieldColumnsSql plus `_rules` (ruleIndexesSql), and
 * any others, which the output keeps (but j_type, f_type, f_text and _rules), with rule_id, rule_version, action, reason.
 */
export function violationsSql(rules: Rule[], input: string): string {
  if (rules.length === 0) throw new Error('rulesSql: no rules');
  const pick = (values: string[]) => `[${values.join(', ')}][_rule]`;
  const reasons = rules.map((r, i) => `WHEN ${i + 1} THEN ${r.reason}`).join('\n    ');
  return `SELECT * EXCLUDE (j_type, f_type, f_text, _rule),
  ${pick(rules.map((r) => quotedString(r.id)))} AS rule_id,
  ${pick(rules.map((r) => String(r.version)))} AS rule_version,
  ${pick(rules.map((r) => quotedString(r.action)))} AS action,
  CASE _rule
    ${reasons}
  END AS reason
FROM (SELECT * EXCLUDE (_rules), unnest(_rules) AS _rule FROM ${input})`;
}

/**
 * The input relation with the columns rules read: j_type (json_type(j)), f_type (STRUCT: json_type of each field,
 * NULL when absent, 'NULL' when JSON null) and f_text (STRUCT: each field as text, strings unescaped, other values as
 * their JSON text; NULL when absent or null).
 */
export function fieldColumnsSql(rules: Rule[], input = 'input'): string {
  const fields = [...new Set(rules.flatMap((r) => r.fields))];
  if (fields.length === 0) {
    return `SELECT *, json_type(j) AS j_type, NULL::STRUCT(none VARCHAR) AS f_type, NULL::STRUCT(none VARCHAR) AS f_text FROM ${input}`;
  }
  const paths = fields.map((f) => quotedString(`$.${JSON.stringify(f)}`)).join(', ');
  const types = fields.map((f, i) => `${quotedIdentifier(f)} := _types[${i + 2}]`).join(', ');
  const structure = quotedString(JSON.stringify(Object.fromEntries(fields.map((f) => [f, 'VARCHAR']))));
  return `SELECT * EXCLUDE (_types), _types[1] AS j_type, struct_pack(${types}) AS f_type
  FROM (SELECT *, json_type(j, ['$', ${paths}]) AS _types, json_transform(j, ${structure}) AS f_text FROM ${input})`;
}
