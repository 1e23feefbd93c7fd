import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TestLake } from '../test-fixtures/lake.js';
import { counterparty, fxRate, instrument, record } from './test-events.js';

let lake: TestLake;
beforeEach(async () => {
  lake = await TestLake.create();
});
afterEach(async () => {
  await lake.close();
});

const ins = (value: Record<string, unknown> | string, at: string, key = 'I1') => record('ref.instruments', key, value, at);

describe('silver.instruments', () => {
  it('orders versions by event time: an older version arriving late fills the past and leaves current alone', async () => {
    await lake.land([
      ins(instrument('2026-03-03T06:00:00Z', { price: 99.7 }), '2026-03-03T06:00:00Z'),
      ins(instrument('2026-03-02T06:00:00Z', { price: 99.5 }), '2026-03-03T07:00:00Z'),
    ]);
    const build = await lake.build({ businessDate: '2026-03-03' });
    expect(build.checks.filter((c) => !c.ok)).toEqual([]);
    expect(await lake.query('SELECT instrument_id, price FROM silver.instruments_current')).toEqual([{ instrument_id: 'I1', price: '99.7000000000' }]);
    expect(await lake.query('SELECT price, valid_from, valid_to, recorded_from FROM silver.instruments_history WHERE recorded_to IS NULL ORDER BY valid_from')).toEqual([
      { price: '99.5000000000', valid_from: '2026-03-02 06:00:00+00', valid_to: '2026-03-03 06:00:00+00', recorded_from: '2026-03-03 07:00:00+00' },
      { price: '99.7000000000', valid_from: '2026-03-03 06:00:00+00', valid_to: null, recorded_from: '2026-03-03 06:00:00+00' },
    ]);
  });

  it('answers "as of D, as known at T" for a back-dated correction', async () => {
    await lake.land([ins(instrument('2026-03-02T06:00:00Z', { rating: 'AA+' }), '2026-03-02T06:00:00Z')]);
    await lake.land([ins(instrument('2026-03-02T06:00:00Z', { rating: 'AA' }), '2026-03-04T10:00:00Z')]);
    await lake.build({ businessDate: '2026-03-04' });
    const asKnown = (t: string) => lake.query(`SELECT rating FROM silver.instruments_history
      WHERE valid_from <= TIMESTAMPTZ '2026-03-03 00:00:00+00' AND (valid_to IS NULL OR valid_to > TIMESTAMPTZ '2026-03-03 00:00:00+00')
        AND recorded_from <= TIMESTAMPTZ '${t}' AND (recorded_to IS NULL OR recorded_to > TIMESTAMPTZ '${t}')`);
    expect(await asKnown('2026-03-03 00:00:00+00')).toEqual([{ rating: 'AA+' }]);
    expect(await asKnown('2026-03-05 00:00:00+00')).toEqual([{ rating: 'AA' }]);
  });

  it('treats active = false as a tombstone, and a later active version as a revival', async () => {
    await lake.land([
      ins(instrument('2026-03-02T06:00:00Z'), '2026-03-02T06:00:00Z'),
      ins(instrument('2026-03-02T06:00:00Z', { instrument_id: 'I2' }), '2026-03-02T06:00:00Z', 'I2'),
      ins(instrument('2026-03-03T06:00:00Z', { active: false }), '2026-03-03T06:00:00Z'),
      ins(instrument('2026-03-03T06:00:00Z', { instrument_id: 'I2', active: false }), '2026-03-03T06:00:00Z', 'I2'),
      ins(instrument('2026-03-04T06:00:00Z', { instrument_id: 'I2' }), '2026-03-04T06:00:00Z', 'I2'),
    ]);
    await lake.build({ businessDate: '2026-03-04' });
    expect(await lake.query('SELECT instrument_id FROM silver.instruments_current')).toEqual([{ instrument_id: 'I2' }]);
    expect(await lake.query("SELECT deleted, valid_from, valid_to FROM silver.instruments_history WHERE instrument_id = 'I1' AND recorded_to IS NULL ORDER BY valid_from")).toEqual([
      { deleted: false, valid_from: '2026-03-02 06:00:00+00', valid_to: '2026-03-03 06:00:00+00' },
      { deleted: true, valid_from: '2026-03-03 06:00:00+00', valid_to: null },
    ]);
  });

  it('quarantines a duplicate event id and schema failures with their rule ids; counts reconcile', async () => {
    const once = instrument('2026-03-02T06:00:00Z');
    await lake.land([
      ins(once, '2026-03-02T06:00:00Z'),
      ins(once, '2026-03-02T06:05:00Z'),
      ins(instrument('2026-03-02T06:00:00Z', { instrument_id: 'I3', asset_class: 'TULIPS' }), '2026-03-02T06:06:00Z', 'I3'),
      ins(instrument('2026-03-02T06:00:00Z', { instrument_id: 'I4', event_time: '2026-03-02' }), '2026-03-02T06:07:00Z', 'I4'),
    ]);
    const build = await lake.build({ businessDate: '2026-03-02' });
    expect(build.counts['ref.instruments']).toEqual({ records: 4, accepted: 1, quarantined: 3, warned: 0 });
    expect((await lake.query("SELECT rule FROM silver.quarantine WHERE topic = 'ref.instruments' ORDER BY recorded_at")).map((r) => r.rule)).toEqual([
      'ref.instruments.duplicate_event', 'ref.instruments.schema.asset_class.enum', 'ref.instruments.schema.event_time.format',
    ]);
  });
});

describe('silver.counterparties', () => {
  it('keeps the latest event time current whatever the arrival order, drops a withdrawn one, and deduplicates', async () => {
    const cp = (value: Record<string, unknown>, at: string) => record('ref.counterparties', String(value.counterparty_id), value, at);
    const dup = counterparty('2026-03-02T06:00:00Z', { counterparty_id: 'CP2' });
    await lake.land([
      cp(counterparty('2026-03-03T06:00:00Z', { name: 'Alice B.' }), '2026-03-03T06:00:00Z'),
      cp(counterparty('2026-03-02T06:00:00Z', { name: 'Alice' }), '2026-03-03T06:30:00Z'),
      cp(dup, '2026-03-02T06:00:00Z'),
      cp(dup, '2026-03-02T07:00:00Z'),
      cp(counterparty('2026-03-03T08:00:00Z', { counterparty_id: 'CP2', active: false }), '2026-03-03T08:00:00Z'),
      cp(counterparty('2026-03-03T08:00:00Z', { counterparty_id: 'CP3', country: 'Germany' }), '2026-03-03T08:00:00Z'),
    ]);
    const build = await lake.build({ businessDate: '2026-03-03' });
    expect(build.counts['ref.counterparties']).toEqual({ records: 6, accepted: 4, quarantined: 2, warned: 0 });
    expect(await lake.query('SELECT counterparty_id, name FROM silver.counterparties_current')).toEqual([{ counterparty_id: 'CP1', name: 'Alice B.' }]);
    expect((await lake.query("SELECT rule FROM silver.quarantine WHERE topic = 'ref.counterparties' ORDER BY recorded_at")).map((r) => r.rule)).toEqual([
      'ref.counterparties.duplicate_event', 'ref.counterparties.schema.country.pattern',
    ]);
  });
});

describe('silver.fx_rates', () => {
  it('keeps one rate per date and pair, the latest arrival, typed', async () => {
    const fx = (value: Record<string, unknown>, at: string) => record('ref.fx_rates', String(value.quote_currency), value, at);
    await lake.land([
      fx(fxRate('2026-03-02T06:00:00Z', { rate: 0.92 }), '2026-03-02T06:00:00Z'),
      fx(fxRate('2026-03-02T06:00:00Z', { rate: 0.921 }), '2026-03-02T09:00:00Z'),
      fx(fxRate('2026-03-03T06:00:00Z', { rate_date: '2026-03-03', rate: 0.93 }), '2026-03-03T06:00:00Z'),
      fx(fxRate('2026-03-03T06:00:00Z', { rate_date: '2026-03-03', rate: 0 }), '2026-03-03T07:00:00Z'),
    ]);
    const build = await lake.build({ businessDate: '2026-03-03' });
    expect(build.counts['ref.fx_rates']).toEqual({ records: 4, accepted: 3, quarantined: 1, warned: 0 });
    expect(await lake.query('SELECT rate_date, base_currency, quote_currency, rate, versions_received FROM silver.fx_rates ORDER BY rate_date')).toEqual([
      { rate_date: '2026-03-02', base_currency: 'USD', quote_currency: 'EUR', rate: '0.9210000000', versions_received: 2 },
      { rate_date: '2026-03-03', base_currency: 'USD', quote_currency: 'EUR', rate: '0.9300000000', versions_received: 1 },
    ]);
  });
});
