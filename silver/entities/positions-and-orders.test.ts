import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TestLake } from '../test-fixtures/lake.js';
import { instrument, order, position, record } from './test-events.js';

let lake: TestLake;
beforeEach(async () => {
  lake = await TestLake.create();
});
afterEach(async () => {
  await lake.close();
});

const pos = (value: Record<string, unknown> | string, at: string) => record('positions', 'BANK_A|B1|I1', value, at);

describe('silver.positions', () => {
  it('flattens the after state, orders changes by event time whatever the arrival, and enriches from the instrument master', async () => {
    await lake.land([
      record('ref.instruments', 'I1', instrument('2026-03-01T06:00:00Z'), '2026-03-01T06:00:00Z'),
      pos(position('2026-03-02T09:00:00Z', 100, { op: 'c' }), '2026-03-02T09:00:00Z'),
      pos(position('2026-03-02T11:00:00Z', 300), '2026-03-02T11:00:00Z'),
      pos(position('2026-03-02T10:00:00Z', 200), '2026-03-02T11:30:00Z'),
    ]);
    const build = await lake.build({ businessDate: '2026-03-02' });
    expect(build.checks.filter((c) => !c.ok)).toEqual([]);
    expect(await lake.query('SELECT position_id, quantity, currency, trade_count, asset_class, issuer_type FROM silver.positions_current')).toEqual([
      { position_id: 'BANK_A|B1|I1', quantity: '300.0000000000', currency: 'USD', trade_count: 1, asset_class: 'GOVT_BOND', issuer_type: 'SOVEREIGN' },
    ]);
    expect(await lake.query('SELECT quantity, valid_from, valid_to FROM silver.positions_history WHERE recorded_to IS NULL ORDER BY valid_from')).toEqual([
      { quantity: '100.0000000000', valid_from: '2026-03-02 09:00:00+00', valid_to: '2026-03-02 10:00:00+00' },
      { quantity: '200.0000000000', valid_from: '2026-03-02 10:00:00+00', valid_to: '2026-03-02 11:00:00+00' },
      { quantity: '300.0000000000', valid_from: '2026-03-02 11:00:00+00', valid_to: null },
    ]);
    // As known at 11:15, before the late change arrived, 100 held from 09:00 until 11:00.
    expect(await lake.query(`SELECT quantity FROM silver.positions_history WHERE valid_from <= TIMESTAMPTZ '2026-03-02 10:30:00+00'
      AND (valid_to IS NULL OR valid_to > TIMESTAMPTZ '2026-03-02 10:30:00+00') AND recorded_from <= TIMESTAMPTZ '2026-03-02 11:15:00+00'
      AND (recorded_to IS NULL OR recorded_to > TIMESTAMPTZ '2026-03-02 11:15:00+00')`)).toEqual([{ quantity: '100.0000000000' }]);
  });

  it('quarantines a broken after state under the nested rule id, and a redelivery', async () => {
    const once = position('2026-03-02T09:00:00Z', 100);
    await lake.land([
      pos(once, '2026-03-02T09:00:00Z'),
      pos(once, '2026-03-02T09:00:01Z'),
      pos(position('2026-03-02T09:00:00Z', 100, { after: { quantity: 'lots', cost: 1, currency: 'USD', trade_count: 1 } }), '2026-03-02T09:00:02Z'),
      pos(position('2026-03-02T09:00:00Z', 100, { after: null }), '2026-03-02T09:00:03Z'),
    ]);
    const build = await lake.build({ businessDate: '2026-03-02' });
    expect(build.counts.positions).toEqual({ records: 4, accepted: 1, quarantined: 3, warned: 0 });
    expect(await lake.query("SELECT rule, reason FROM silver.quarantine WHERE topic = 'positions' ORDER BY recorded_at")).toEqual([
      { rule: 'positions.duplicate_event', reason: expect.stringMatching(/^event ev-\d+ was already received/) },
      { rule: 'positions.schema.after.quantity.type', reason: 'after.quantity must be a number, got "lots"' },
      { rule: 'positions.schema.after.required', reason: 'after must not be null' },
    ]);
  });
});

describe('silver.orders', () => {
  it('keeps every accepted order event once, typed, in arrival order', async () => {
    const accepted = order('2026-03-02T09:00:00Z');
    await lake.land([
      record('orders', 'O1', accepted, '2026-03-02T09:00:00Z'),
      record('orders', 'O1', order('2026-03-02T09:05:00Z', { event_type: 'ORDER_FILLED', status: 'FILLED', filled_quantity: 100, average_price: 99.7 }), '2026-03-02T09:05:00Z'),
      record('orders', 'O1', accepted, '2026-03-02T09:06:00Z'),
      record('orders', 'O2', order('2026-03-02T09:07:00Z', { order_id: 'O2', quantity: 0 }), '2026-03-02T09:07:00Z'),
    ]);
    const build = await lake.build({ businessDate: '2026-03-02' });
    expect(build.counts.orders).toEqual({ records: 4, accepted: 2, quarantined: 2, warned: 0 });
    expect(await lake.query('SELECT event_type, status, quantity, filled_quantity, average_price, event_time FROM silver.orders')).toEqual([
      { event_type: 'ORDER_ACCEPTED', status: 'NEW', quantity: '100.0000000000', filled_quantity: '0.0000000000', average_price: null, event_time: '2026-03-02 09:00:00+00' },
      { event_type: 'ORDER_FILLED', status: 'FILLED', quantity: '100.0000000000', filled_quantity: '100.0000000000', average_price: '99.7000000000', event_time: '2026-03-02 09:05:00+00' },
    ]);
    expect((await lake.query("SELECT rule FROM silver.quarantine WHERE topic = 'orders' ORDER BY recorded_at")).map((r) => r.rule)).toEqual([
      'orders.duplicate_event', 'orders.schema.quantity.positive',
    ]);
  });
});
