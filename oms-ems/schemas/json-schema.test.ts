import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { topicValidator } from '../../test/json-schema-validator.js';
import { jsonSchemaFiles } from './json-schema.js';
import { tradeEventSchema } from './trade-event.js';

const dir = join(import.meta.dirname, 'json');

const trade = {
  event_id: 'E1', schema_version: 1, event_time: '2026-03-02T09:30:00Z', source: 'trade-capture',
  trade_id: 'T1', version: 1, counterparty_id: 'CP1', book_id: 'BOOK-1', legal_entity: 'BANK_A', instrument_id: 'US912828ZT05',
  asset_class: 'GOVT_BOND', side: 'BUY', quantity: 1000, price: 99.5, currency: 'USD', trade_date: '2026-03-02',
  settlement_date: '2026-03-04', maturity_date: '2030-05-15', created_date: '2026-03-02',
};

describe('exported JSON Schemas', () => {
  it('are the committed files, byte for byte (run `npm run schemas` after changing a zod schema)', async () => {
    const committed = (await readdir(dir)).filter((f) => f.endsWith('.schema.json')).sort();
    const generated = jsonSchemaFiles();
    expect(committed).toEqual([...generated.keys()].sort());
    for (const [name, text] of generated) expect(await readFile(join(dir, name), 'utf8'), name).toBe(text);
  });

  it('accept a CONTRACT.md trade and reject one that breaks it, as zod does', async () => {
    const validate = topicValidator('trades');
    expect(validate(trade), JSON.stringify(validate.errors)).toBe(true);
    expect(tradeEventSchema.safeParse(trade).success).toBe(true);
    for (const bad of [{ ...trade, quantity: 0 }, { ...trade, version: 1.5 }, { ...trade, trade_date: '2026-02-30' }, { ...trade, currency: 'usd' }, { ...trade, side: 'HOLD' }]) {
      expect(validate(bad), JSON.stringify(bad)).toBe(false);
      expect(tradeEventSchema.safeParse(bad).success).toBe(false);
    }
    const { trade_id: _, ...missing } = trade;
    expect(validate(missing)).toBe(false);
    expect(validate.errors?.[0]?.params).toEqual({ missingProperty: 'trade_id' });
  });
});
