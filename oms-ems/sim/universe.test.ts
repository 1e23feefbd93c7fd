import { describe, expect, it } from 'vitest';
import { counterpartyEventSchema } from '../schemas/counterparty-event.js';
import { instrumentEventSchema } from '../schemas/instrument-event.js';
import { treasuryDealEventSchema } from '../schemas/treasury-deal-event.js';
import { topicValidator } from '../../test/json-schema-validator.js';
import { envelope } from './envelope.js';
import { TreasuryFeed } from './treasury-feed.js';
import { buildUniverse, isinCheckDigit } from './universe.js';

const env = envelope('E1', Date.parse('2026-03-02T06:00:00Z'), 'refdata');

describe('the simulated universe', () => {
  it('is the same for the same seed and differs for another', () => {
    const a = buildUniverse({ seed: 7, startDate: '2026-03-02' });
    expect(buildUniverse({ seed: 7, startDate: '2026-03-02' })).toEqual(a);
    expect(buildUniverse({ seed: 8, startDate: '2026-03-02' }).instruments).not.toEqual(a.instruments);
  });

  it('has valid ISINs (check digit) and instrument and counterparty records that validate', () => {
    const u = buildUniverse({ seed: 7, startDate: '2026-03-02' });
    const instruments = topicValidator('ref.instruments');
    const counterparties = topicValidator('ref.counterparties');
    for (const i of u.instruments) {
      if (i.isin !== null) expect(Number(i.isin.at(-1)), i.isin).toBe(isinCheckDigit(i.isin.slice(0, -1)));
      expect(instrumentEventSchema.safeParse({ ...env, ...i }).error).toBeUndefined();
      expect(instruments({ ...env, ...i }), JSON.stringify(instruments.errors)).toBe(true);
    }
    for (const c of u.counterparties) {
      expect(counterpartyEventSchema.safeParse({ ...env, ...c }).error).toBeUndefined();
      expect(counterparties({ ...env, ...c })).toBe(true);
    }
    expect(new Set(u.instruments.map((i) => i.instrument_id)).size).toBe(u.instruments.length);
  });

  it('knows the standard ISIN example (US0378331005, Apple)', () => {
    expect(isinCheckDigit('US037833100')).toBe(5);
  });
});

describe('the treasury feed', () => {
  it('books an opening balance sheet with every deal type and valid events, then rolls, amends and cancels', () => {
    const universe = buildUniverse({ seed: 3, startDate: '2026-03-02' });
    const feed = new TreasuryFeed({ seed: 3, universe });
    const entity = universe.entities[0];
    const opening = feed.openingBook(entity, '2026-03-02');
    expect(new Set(opening.map((d) => d.deal_type))).toEqual(new Set(['CB_RESERVES', 'CASH', 'DEPOSIT', 'REPO', 'REVERSE_REPO', 'LOAN', 'PLACEMENT', 'CREDIT_FACILITY', 'LIQUIDITY_FACILITY']));
    const days = ['2026-03-03', '2026-03-04', '2026-03-05', '2026-03-06', '2026-03-09', '2026-03-10'].flatMap((d) => feed.day(entity, d, 20));
    expect(days.some((d) => d.action === 'AMEND')).toBe(true);
    const validate = topicValidator('treasury.deals');
    for (const d of [...opening, ...days]) {
      expect(treasuryDealEventSchema.safeParse({ ...env, ...d }).error).toBeUndefined();
      expect(validate({ ...env, ...d }), JSON.stringify(validate.errors)).toBe(true);
      if (d.deal_type === 'REPO' || d.deal_type === 'REVERSE_REPO') expect(d.collateral_market_value).toBeGreaterThan(d.principal);
    }
  });
});
