import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { openDuckDb, quotedString, type DuckDb } from '../../lib/duckdb.js';
import { topicSpecs } from '../../oms-ems/schemas/topics.js';
import { tradeEventSchema } from '../../oms-ems/schemas/trade-event.js';
import { treasuryDealEventSchema } from '../../oms-ems/schemas/treasury-deal-event.js';
import { fieldColumnsSql, rulesSql, schemaRules, type Rule } from './schema-rules.js';

/*
 * Speed, measured with `npm run bench -- silver-rules` on the 2-core machine of PERFORMANCE.md:
 * 1,000,000 trade values (~520 bytes, 23 fields) against the 73 `trades` rules, over a table of (value, j):
 * - 1 value in 100 broken (17 violations each): 2.6-2.8 s, ~360-380k records/s;
 * - all valid: 1.9-2.1 s, ~490-540k records/s; 1 in 10 broken: ~2.8 s, ~350-360k records/s.
 * About 1.1 s of it reads the fields (one json_type over all paths, one json_transform), ~0.8 s tests the rules.
 * A first version calling json_type / json_extract_string once per rule took 25-35 s (~30-40k records/s).
 */

let db: DuckDb;
beforeAll(async () => {
  db = await openDuckDb();
});
afterAll(() => db?.close());

const envelope = { event_id: 'ev-1', schema_version: 1, event_time: '2026-03-02T10:15:30.123Z', source: 'trade-capture' };
const trade = {
  ...envelope,
  trade_id: 'T-1', version: 1, counterparty_id: 'CP-1', book_id: 'BOOK-1', legal_entity: 'BANK_A', instrument_id: 'US91282CJL54',
  asset_class: 'GOVT_BOND', side: 'BUY', quantity: 1000, price: 99.5, currency: 'USD', trade_date: '2026-03-02',
  settlement_date: '2026-03-04', maturity_date: '2030-01-15', created_date: '2026-03-02',
};
const deal = {
  ...envelope,
  deal_id: 'D-1', version: 2, action: 'AMEND', deal_type: 'DEPOSIT', legal_entity: 'BANK_A', book_id: 'TREASURY', counterparty_id: 'CP-9',
  counterparty_type: 'RETAIL', currency: 'EUR', principal: 250000, drawn_amount: null, interest_rate: 0.015, start_date: '2026-01-05',
  maturity_date: null, notice_days: 0, is_operational: false, is_insured: true, has_relationship: true, collateral_instrument_id: null,
  collateral_nominal: null, collateral_market_value: null, collateral_rehypothecated: null, trade_date: '2026-01-05',
};
const json = (o: object) => JSON.stringify(o);
const without = (o: Record<string, unknown>, key: string) => json(Object.fromEntries(Object.entries(o).filter(([k]) => k !== key)));

interface Violation {
  id: number;
  rule_id: string;
  reason: string;
  action: string;
  rule_version: number;
}

/** Runs the rules over the values (one record each, numbered from 0), as silver does: one query over a relation. */
async function violations(rules: Rule[], values: (string | null)[]): Promise<Violation[]> {
  const rows = values.map((v, i) => `(${i}, ${v === null ? 'NULL' : quotedString(v)})`).join(', ');
  const input = `(SELECT id, value, TRY_CAST(value AS JSON) AS j FROM (VALUES ${rows}) t(id, value))`;
  const reader = await db.connection.runAndReadAll(`SELECT id, rule_id, reason, action, rule_version FROM (${rulesSql(rules, input)}) ORDER BY id, rule_id`);
  return reader.getRowObjectsJson() as unknown as Violation[];
}

async function ruleIds(rules: Rule[], value: string | null): Promise<string[]> {
  return (await violations(rules, [value])).map((v) => v.rule_id);
}

describe('trades rules', () => {
  const rules = schemaRules('trades', tradeEventSchema);

  it('starts with the json rule and gives every rule a stable id, version 1 and the default action', () => {
    expect(rules[0].id).toBe('trades.schema.json');
    expect(new Set(rules.map((r) => r.id)).size).toBe(rules.length);
    expect(rules.every((r) => r.version === 1 && r.action === 'quarantine')).toBe(true);
    expect(rules.map((r) => r.id)).toEqual(expect.arrayContaining([
      'trades.schema.trade_id.required', 'trades.schema.trade_id.type', 'trades.schema.trade_id.minLength', 'trades.schema.trade_id.maxLength',
      'trades.schema.version.int', 'trades.schema.version.min', 'trades.schema.quantity.positive', 'trades.schema.price.min',
      'trades.schema.currency.pattern', 'trades.schema.side.enum', 'trades.schema.trade_date.format', 'trades.schema.event_time.format',
    ]));
    // maturity_date is optional and nullable: nothing requires it.
    expect(rules.map((r) => r.id)).not.toContain('trades.schema.maturity_date.required');
  });

  it('finds nothing wrong with a valid trade, with or without its optional fields', async () => {
    expect(tradeEventSchema.safeParse(trade).success).toBe(true);
    expect(await violations(rules, [json(trade), json({ ...trade, maturity_date: null }), without(trade, 'maturity_date')])).toEqual([]);
  });

  it.each([
    ['missing trade_id', without(trade, 'trade_id'), ['trades.schema.trade_id.required'], 'trade_id is required, missing'],
    ['null trade_id', json({ ...trade, trade_id: null }), ['trades.schema.trade_id.required'], 'trade_id must not be null'],
    ['version 1.5', json({ ...trade, version: 1.5 }), ['trades.schema.version.int'], 'version must be an integer, got 1.5'],
    ['version 0', json({ ...trade, version: 0 }), ['trades.schema.version.min'], 'version must be >= 1, got 0'],
    ['quantity 0', json({ ...trade, quantity: 0 }), ['trades.schema.quantity.positive'], 'quantity must be > 0, got 0'],
    ['quantity -5', json({ ...trade, quantity: -5 }), ['trades.schema.quantity.positive'], 'quantity must be > 0, got -5'],
    ['quantity "100"', json({ ...trade, quantity: '100' }), ['trades.schema.quantity.type'], 'quantity must be a number, got "100"'],
    ['price -1', json({ ...trade, price: -1 }), ['trades.schema.price.min'], 'price must be >= 0, got -1'],
    ['currency usd', json({ ...trade, currency: 'usd' }), ['trades.schema.currency.pattern'], 'currency must match ^[A-Z]{3}$, got "usd"'],
    ['side HOLD', json({ ...trade, side: 'HOLD' }), ['trades.schema.side.enum'], 'side must be one of BUY, SELL, got "HOLD"'],
    ['trade_date 2026-02-30', json({ ...trade, trade_date: '2026-02-30' }), ['trades.schema.trade_date.format'],
      'trade_date must be a calendar date YYYY-MM-DD, got "2026-02-30"'],
    ['trade_date 2026/03/02', json({ ...trade, trade_date: '2026/03/02' }), ['trades.schema.trade_date.format'],
      'trade_date must be a calendar date YYYY-MM-DD, got "2026/03/02"'],
    ['an object where a string is expected', json({ ...trade, book_id: { id: 'B' } }), ['trades.schema.book_id.type'],
      'book_id must be a string, got {"id":"B"}'],
    ['event_time without offset', json({ ...trade, event_time: '2026-03-02T10:15:30' }), ['trades.schema.event_time.format'],
      'event_time must be a valid date-time, got "2026-03-02T10:15:30"'],
    ['an empty trade_id', json({ ...trade, trade_id: '' }), ['trades.schema.trade_id.minLength'], 'trade_id must have at least 1 characters, got ""'],
    ['a 65-character book_id', json({ ...trade, book_id: 'B'.repeat(65) }), ['trades.schema.book_id.maxLength'],
      `book_id must have at most 64 characters, got 65: "${'B'.repeat(65)}"`],
    ['exec_id present but null (nullable)', json({ ...trade, exec_id: null }), [], undefined],
  ])('flags %s', async (_, value, expected, reason) => {
    const found = await violations(rules, [value]);
    expect(found.map((v) => v.rule_id)).toEqual(expected);
    if (reason !== undefined) expect(found[0].reason).toBe(reason);
    // zod agrees on every case.
    expect(tradeEventSchema.safeParse(JSON.parse(value)).success).toBe(expected.length === 0);
  });

  it.each([
    ['not JSON', '{"trade_id":', 'value is not JSON: {"trade_id":'],
    ['a JSON array', '[1,2]', 'value must be a JSON object, got an array: [1,2]'],
    ['a JSON string', '"T-1"', 'value must be a JSON object, got a string: "T-1"'],
    ['JSON null', 'null', 'value must be a JSON object, got null: null'],
    ['a null record value', null, 'value is missing (null record value)'],
  ])('flags a value that is %s with the json rule alone', async (_, value, reason) => {
    expect(await violations(rules, [value])).toEqual([expect.objectContaining({ rule_id: 'trades.schema.json', reason })]);
  });

  it('makes every other rule FALSE, not NULL, when the json rule fires', async () => {
    const values = ['{"trade_id":', '[1,2]', '"T-1"', 'null', '42'];
    const rows = values.map((v, i) => `(${i}, ${quotedString(v)})`).join(', ');
    const input = `(SELECT value, TRY_CAST(value AS JSON) AS j FROM (VALUES ${rows}) t(id, value))`;
    const reader = await db.connection.runAndReadAll(`SELECT [${rules.map((r) => r.violation).join(', ')}] AS flags FROM (${fieldColumnsSql(rules, input)})`);
    for (const [flags] of reader.getRowsJson() as unknown as boolean[][][]) {
      expect(flags).toEqual([true, ...rules.slice(1).map(() => false)]);
    }
  });

  it('lists each broken rule of a record once, and keeps the input columns', async () => {
    const found = await violations(rules, [json(trade), json({ ...trade, side: 'HOLD', quantity: -5, currency: 'usd' })]);
    expect(found.map((v) => [v.id, v.rule_id])).toEqual([
      [1, 'trades.schema.currency.pattern'], [1, 'trades.schema.quantity.positive'], [1, 'trades.schema.side.enum'],
    ]);
  });

  it('takes the default action and actions per rule id from the options', async () => {
    const custom = schemaRules('trades', tradeEventSchema, { action: 'warn', actions: { 'trades.schema.side.enum': 'fail' } });
    expect(custom.find((r) => r.id === 'trades.schema.side.enum')?.action).toBe('fail');
    expect(custom.find((r) => r.id === 'trades.schema.json')?.action).toBe('warn');
    const found = await violations(custom, [json({ ...trade, side: 'HOLD', price: -1 })]);
    expect(found.map((v) => [v.rule_id, v.action, v.rule_version])).toEqual([['trades.schema.price.min', 'warn', 1], ['trades.schema.side.enum', 'fail', 1]]);
  });
});

describe('treasury.deals rules', () => {
  const rules = schemaRules('treasury.deals', treasuryDealEventSchema);
  const ids = (v: string | null) => ruleIds(rules, v);

  it('finds nothing wrong with a valid deal, nulls included', async () => {
    expect(treasuryDealEventSchema.safeParse(deal).success).toBe(true);
    expect(await ids(json(deal))).toEqual([]);
  });

  it.each([
    ['action CLOSE', { action: 'CLOSE' }, ['treasury.deals.schema.action.enum'], 'action must be one of NEW, AMEND, CANCEL, got "CLOSE"'],
    ['deal_type as a number', { deal_type: 3 }, ['treasury.deals.schema.deal_type.type'], 'deal_type must be a string, got 3'],
    ['is_insured as a string', { is_insured: 'true' }, ['treasury.deals.schema.is_insured.type'], 'is_insured must be a boolean, got "true"'],
    ['is_operational null', { is_operational: null }, ['treasury.deals.schema.is_operational.required'], 'is_operational must not be null'],
    ['collateral_rehypothecated as 1', { collateral_rehypothecated: 1 }, ['treasury.deals.schema.collateral_rehypothecated.type'],
      'collateral_rehypothecated must be a boolean, got 1'],
    ['counterparty_type unknown', { counterparty_type: 'ALIEN' }, ['treasury.deals.schema.counterparty_type.enum'], undefined],
    ['notice_days 2.5', { notice_days: 2.5 }, ['treasury.deals.schema.notice_days.int'], 'notice_days must be an integer, got 2.5'],
    ['notice_days -1', { notice_days: -1 }, ['treasury.deals.schema.notice_days.min'], 'notice_days must be >= 0, got -1'],
    ['drawn_amount -0.01', { drawn_amount: -0.01 }, ['treasury.deals.schema.drawn_amount.min'], 'drawn_amount must be >= 0, got -0.01'],
    ['interest_rate as text', { interest_rate: '1.5%' }, ['treasury.deals.schema.interest_rate.type'], 'interest_rate must be a number, got "1.5%"'],
    ['start_date 2026-13-01', { start_date: '2026-13-01' }, ['treasury.deals.schema.start_date.format'], undefined],
    ['a leap day in a common year', { trade_date: '2025-02-29' }, ['treasury.deals.schema.trade_date.format'], undefined],
    ['a leap day in a leap year', { trade_date: '2024-02-29' }, [], undefined],
    ['legal_entity lower case', { legal_entity: 'bank_a' }, ['treasury.deals.schema.legal_entity.pattern'], undefined],
  ])('flags %s', async (_, change, expected, reason) => {
    const value = json({ ...deal, ...change });
    const found = await violations(rules, [value]);
    expect(found.map((v) => v.rule_id)).toEqual(expected);
    if (reason !== undefined) expect(found[0].reason).toBe(reason);
    expect(treasuryDealEventSchema.safeParse(JSON.parse(value)).success).toBe(expected.length === 0);
  });

  it('requires a nullable field that is not optional: counterparty_id may be null but not absent', async () => {
    expect(await ids(json({ ...deal, counterparty_id: null }))).toEqual([]);
    expect(await ids(without(deal, 'counterparty_id'))).toEqual(['treasury.deals.schema.counterparty_id.required']);
  });
});

describe('schemaRules', () => {
  it('builds rules DuckDB runs for every topic; an empty object breaks only the required rules', async () => {
    for (const spec of topicSpecs) {
      const rules = schemaRules(spec.topic, spec.schema);
      const required = (z.toJSONSchema(spec.schema, { io: 'input' }) as { required: string[] }).required;
      expect(await ruleIds(rules, '{}')).toEqual(required.map((f) => `${spec.topic}.schema.${f}.required`).sort());
    }
  });

  it('quotes field names that need it, in paths, identifiers and strings', async () => {
    const odd = z.object({ 'it\'s "odd".name': z.number().positive(), 'a.b': z.enum(['X']) });
    const rules = schemaRules('odd', odd);
    expect(await ruleIds(rules, json({ 'it\'s "odd".name': 1, 'a.b': 'X' }))).toEqual([]);
    expect(await violations(rules, [json({ 'it\'s "odd".name': -2, 'a.b': 'Y' })])).toEqual([
      expect.objectContaining({ rule_id: 'odd.schema.a.b.enum', reason: 'a.b must be one of X, got "Y"' }),
      expect.objectContaining({ rule_id: 'odd.schema.it\'s "odd".name.positive', reason: 'it\'s "odd".name must be > 0, got -2' }),
    ]);
  });

  it('checks only the kind of a nested object, array or record field, and only the presence of z.unknown', async () => {
    const nested = z.object({ inner: z.object({ a: z.string() }), list: z.array(z.number()), map: z.record(z.string(), z.unknown()), any: z.unknown() });
    const rules = schemaRules('nested', nested);
    expect(rules.map((r) => r.id)).toEqual([
      'nested.schema.json', 'nested.schema.inner.required', 'nested.schema.inner.type', 'nested.schema.list.required', 'nested.schema.list.type',
      'nested.schema.map.required', 'nested.schema.map.type', 'nested.schema.any.required',
    ]);
    expect(await ruleIds(rules, json({ inner: { a: 1 }, list: ['x'], map: {}, any: [1] }))).toEqual([]);
    expect(await ruleIds(rules, json({ inner: [], list: {}, map: 'x', any: null }))).toEqual(['nested.schema.inner.type', 'nested.schema.list.type', 'nested.schema.map.type']);
    expect(await ruleIds(rules, json({ inner: {}, list: [], map: {} }))).toEqual(['nested.schema.any.required']);
  });

  it('refuses unknown fields of a strict object', async () => {
    const rules = schemaRules('strict', z.strictObject({ a: z.string() }));
    expect(await violations(rules, [json({ a: 'x', b: 1, c: 2 })])).toEqual([
      expect.objectContaining({ rule_id: 'strict.schema.additional', reason: 'unknown fields: b, c' }),
    ]);
  });

  it('throws on a check it cannot express rather than dropping it', () => {
    expect(() => schemaRules('t', z.object({ n: z.number().multipleOf(5) }))).toThrow(/n: multipleOf is not supported/);
  });
});
