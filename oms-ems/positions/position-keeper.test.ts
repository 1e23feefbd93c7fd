import { describe, expect, it } from 'vitest';
import { positionEventSchema, type PositionEvent } from '../schemas/position-event.js';
import type { TradeEvent } from '../schemas/trade-event.js';
import { formatMoney, formatQuantity } from './decimal.js';
import { bookingOf, imbalances } from './journal.js';
import { PositionKeeper, tamperPosition } from './position-keeper.js';
import { randomTrades, tradeEvent } from './test-fixtures/trades.js';

const ust = 'BANK_A|BOOK-1|US912828ZT05';

function applyAll(keeper: PositionKeeper, trades: TradeEvent[]): PositionEvent[] {
  const events: PositionEvent[] = [];
  for (const t of trades) {
    const result = keeper.apply(t);
    for (const entry of result.entries) expect(imbalances(entry), entry.entry_id).toEqual([]);
    for (const event of result.events) expect(positionEventSchema.safeParse(event).success, JSON.stringify(event)).toBe(true);
    events.push(...result.events);
  }
  return events;
}

describe('PositionKeeper', () => {
  it('opens a position on a BUY and emits a create event with no before', () => {
    const keeper = new PositionKeeper();
    const result = keeper.apply(tradeEvent({ quantity: 1000, price: 99.5 }));
    expect(result.outcome).toBe('booked');
    expect(result.entries.map((e) => [e.entry_id, e.kind, e.trade_version])).toEqual([['je:T1:1', 'BOOK', 1]]);
    expect(result.events).toEqual([{
      event_id: 'pos:je:T1:1', schema_version: 1, event_time: '2026-03-02T09:30:00Z', source: 'position-keeping',
      position_id: ust, op: 'c', legal_entity: 'BANK_A', book_id: 'BOOK-1', instrument_id: 'US912828ZT05',
      before: null, after: { quantity: 1000, cost: 99500, currency: 'USD', trade_count: 1 },
      trade_id: 'T1', trade_version: 1, journal_entry_id: 'je:T1:1',
    }]);
    expect(keeper.reconcile().ok).toBe(true);
  });

  it('closes part of a long position with a SELL, then flips it short', () => {
    const keeper = new PositionKeeper();
    const events = applyAll(keeper, [
      tradeEvent({ trade_id: 'B1', side: 'BUY', quantity: 100, price: 10 }),
      tradeEvent({ trade_id: 'S1', side: 'SELL', quantity: 40, price: 12 }),
      tradeEvent({ trade_id: 'S2', side: 'SELL', quantity: 100, price: 11 }),
    ]);
    expect(events.map((e) => [e.op, e.before?.quantity ?? null, e.after.quantity, e.after.cost, e.after.trade_count])).toEqual([
      ['c', null, 100, 1000, 1],
      ['u', 100, 60, 520, 2],
      ['u', 60, -40, -580, 3],
    ]);
    expect(keeper.snapshot().cash['CASH:BANK_A:BOOK-1:USD']).toEqual({ currency: 'USD', amount: '580' });
    expect(keeper.reconcile()).toMatchObject({ ok: true, entries: 3, unbalanced: [], mismatches: [] });
  });

  it('reverses the booked version and books a higher one, naming each version', () => {
    const keeper = new PositionKeeper();
    keeper.apply(tradeEvent({ quantity: 100, price: 10 }));
    const result = keeper.apply(tradeEvent({ version: 2, quantity: 120, price: 10.5 }));
    expect(result.outcome).toBe('amended');
    expect(result.entries.map((e) => [e.entry_id, e.kind, e.trade_version])).toEqual([['je:T1:2', 'REVERSE', 1], ['je:T1:3', 'BOOK', 2]]);
    expect(result.entries[0].lines.map((l) => l.amount)).toEqual([-100_000n, 100_000n]);
    expect(result.events.map((e) => [e.op, e.before, e.after, e.trade_version, e.journal_entry_id])).toEqual([
      ['u', { quantity: 100, cost: 1000, currency: 'USD', trade_count: 1 }, { quantity: 0, cost: 0, currency: 'USD', trade_count: 0 }, 2, 'je:T1:2'],
      ['u', { quantity: 0, cost: 0, currency: 'USD', trade_count: 0 }, { quantity: 120, cost: 1260, currency: 'USD', trade_count: 1 }, 2, 'je:T1:3'],
    ]);
    expect(keeper.reconcile().ok).toBe(true);
  });

  it('moves a trade to another book when an amendment changes its book', () => {
    const keeper = new PositionKeeper();
    keeper.apply(tradeEvent({ quantity: 100, price: 10 }));
    const result = keeper.apply(tradeEvent({ version: 2, book_id: 'BOOK-2', quantity: 100, price: 10 }));
    expect(result.events.map((e) => [e.position_id, e.op, e.after.quantity])).toEqual([[ust, 'u', 0], ['BANK_A|BOOK-2|US912828ZT05', 'c', 100]]);
    expect(keeper.snapshot().cash).toEqual({
      'CASH:BANK_A:BOOK-1:USD': { currency: 'USD', amount: '0' },
      'CASH:BANK_A:BOOK-2:USD': { currency: 'USD', amount: '-1000' },
    });
    expect(keeper.reconcile().ok).toBe(true);
  });

  it('does nothing for the same version with the same content, even with another envelope', () => {
    const keeper = new PositionKeeper();
    keeper.apply(tradeEvent());
    const before = keeper.snapshot();
    const again = keeper.apply(tradeEvent({ event_id: 'other', event_time: '2026-03-02T10:00:00Z', source: 'replay' }));
    expect(again).toEqual({ outcome: 'unchanged', entries: [], events: [] });
    expect(keeper.snapshot()).toEqual(before);
  });

  it('treats a missing optional field and a null one as the same content', () => {
    const keeper = new PositionKeeper();
    keeper.apply(tradeEvent({ settlement_date: null }));
    const { settlement_date: _, ...without } = tradeEvent();
    expect(keeper.apply(without).outcome).toBe('unchanged');
  });

  it('replaces the same version with other content: reverses the stored one and books the new (rule 2)', () => {
    const keeper = new PositionKeeper();
    keeper.apply(tradeEvent({ quantity: 100, price: 10 }));
    const result = keeper.apply(tradeEvent({ quantity: 100, price: 10.01 }));
    expect(result.outcome).toBe('replaced');
    expect(result.entries.map((e) => [e.kind, e.trade_version])).toEqual([['REVERSE', 1], ['BOOK', 1]]);
    expect(keeper.position(ust)).toEqual({ quantity: 100, cost: 1001, currency: 'USD', trade_count: 1 });
  });

  it('ignores a lower version than the one held, and counts it', () => {
    const keeper = new PositionKeeper();
    keeper.apply(tradeEvent({ version: 3, quantity: 300 }));
    const before = keeper.snapshot();
    expect(keeper.apply(tradeEvent({ version: 2, quantity: 200 }))).toEqual({ outcome: 'ignored_lower_version', entries: [], events: [] });
    expect(keeper.apply(tradeEvent({ version: 1, quantity: 100 })).outcome).toBe('ignored_lower_version');
    expect(keeper.snapshot()).toEqual(before);
    expect(keeper.stats).toMatchObject({ booked: 1, ignored_lower_version: 2 });
  });

  it('books money-market trades against cash with the position showing what is owed', () => {
    const keeper = new PositionKeeper();
    applyAll(keeper, [
      tradeEvent({ trade_id: 'R1', asset_class: 'REPO', instrument_id: 'REPO-ON', side: 'SELL', quantity: 1_000_000, price: 100 }),
      tradeEvent({ trade_id: 'D1', asset_class: 'DEPOSIT', instrument_id: 'DEP-3M', side: 'SELL', quantity: 250_000.55, price: 1, currency: 'GBP' }),
    ]);
    const snap = keeper.snapshot();
    expect(snap.positions['BANK_A|BOOK-1|REPO-ON']).toMatchObject({ account: 'SECURED_FUNDING:BANK_A:BOOK-1:REPO-ON', quantity: '-1000000', cost: '-100000000' });
    expect(snap.positions['BANK_A|BOOK-1|DEP-3M']).toMatchObject({ account: 'DEPOSITS:BANK_A:BOOK-1:DEP-3M', quantity: '-250000.55', cost: '-250000.55', currency: 'GBP' });
    expect(snap.cash).toEqual({ 'CASH:BANK_A:BOOK-1:USD': { currency: 'USD', amount: '100000000' }, 'CASH:BANK_A:BOOK-1:GBP': { currency: 'GBP', amount: '250000.55' } });
    expect(keeper.reconcile().ok).toBe(true);
  });

  it('sums exactly where floating point would drift', () => {
    const keeper = new PositionKeeper();
    for (let i = 0; i < 10; i++) keeper.apply(tradeEvent({ trade_id: `T${i}`, quantity: 0.1, price: 1 }));
    expect(keeper.snapshot().positions[ust]).toMatchObject({ quantity: '1', cost: '1' });
    expect(keeper.position(ust)?.quantity).toBe(1);
  });

  it('rejects a trade in another currency than its open position, and accepts it once the position is flat', () => {
    const keeper = new PositionKeeper();
    keeper.apply(tradeEvent({ trade_id: 'A', currency: 'USD' }));
    const rejected = keeper.apply(tradeEvent({ trade_id: 'B', currency: 'EUR' }));
    expect(rejected).toMatchObject({ outcome: 'rejected', entries: [], events: [] });
    expect(rejected.reason).toMatch(/held in USD .* in EUR/);
    const moved = keeper.apply(tradeEvent({ trade_id: 'A', version: 2, currency: 'EUR' }));
    expect(moved.outcome).toBe('amended');
    expect(keeper.position(ust)?.currency).toBe('EUR');
    expect(keeper.reconcile().ok).toBe(true);
  });

  it('reconciles after a few thousand random trades, matches positions summed from scratch, and a replay changes nothing', () => {
    const trades = randomTrades({ count: 4000, seed: 20260302 });
    const keeper = new PositionKeeper();
    const events = applyAll(keeper, trades);
    expect(keeper.stats.amended).toBeGreaterThan(500);
    expect(keeper.stats.unchanged).toBeGreaterThan(200);
    expect(keeper.stats.ignored_lower_version).toBeGreaterThan(100);
    const result = keeper.reconcile();
    expect(result).toMatchObject({ ok: true, unbalanced: [], mismatches: [] });
    expect(result.entries).toBe(keeper.journalEntries.length);
    expect(events).toHaveLength(result.entries);

    // Independently: the winning version of each trade, summed per position.
    const winning = new Map<string, TradeEvent>();
    for (const t of trades) {
      const held = winning.get(t.trade_id);
      if (held === undefined || t.version >= held.version) winning.set(t.trade_id, t);
    }
    const expected = new Map<string, { quantity: bigint; cost: bigint; count: number }>();
    for (const t of winning.values()) {
      const b = bookingOf(t);
      const sum = expected.get(b.position_id) ?? { quantity: 0n, cost: 0n, count: 0 };
      expected.set(b.position_id, { quantity: sum.quantity + b.quantity, cost: sum.cost + b.amount, count: sum.count + 1 });
    }
    const snapshot = keeper.snapshot();
    for (const [id, p] of Object.entries(snapshot.positions)) {
      const e = expected.get(id) ?? { quantity: 0n, cost: 0n, count: 0 };
      expect([p.quantity, p.cost, p.trade_count], id).toEqual([formatQuantity(e.quantity), formatMoney(e.cost, p.currency), e.count]);
    }

    const replay = applyAll(keeper, trades);
    expect(replay).toEqual([]);
    expect(keeper.snapshot()).toEqual(snapshot);
  });

  it('ends in the same state when a stream with same-version replacements is replayed', () => {
    const trades = randomTrades({ count: 2000, seed: 99, sameVersionChanges: true });
    const keeper = new PositionKeeper();
    applyAll(keeper, trades);
    expect(keeper.stats.replaced).toBeGreaterThan(20);
    const { journal_entries: _, ...state } = keeper.snapshot();
    applyAll(keeper, trades);
    expect(keeper.snapshot()).toMatchObject(state);
    expect(keeper.reconcile().ok).toBe(true);
  });

  it('fails reconciliation, naming the account, when a position is changed without a journal entry', () => {
    const keeper = new PositionKeeper();
    applyAll(keeper, [tradeEvent({ trade_id: 'A' }), tradeEvent({ trade_id: 'B', instrument_id: 'US0378331005', asset_class: 'EQUITY' })]);
    keeper[tamperPosition](ust, { quantity: 1n, cost: -3n });
    const result = keeper.reconcile();
    expect(result.ok).toBe(false);
    expect(result.unbalanced).toEqual([]);
    expect(result.mismatches).toEqual([
      { account: 'SECURITIES:BANK_A:BOOK-1:US912828ZT05', currency: 'USD', position_id: ust, field: 'quantity', journal: '1000', held: '1000.00000001' },
      { account: 'SECURITIES:BANK_A:BOOK-1:US912828ZT05', currency: 'USD', position_id: ust, field: 'amount', journal: '99500', held: '99499.97' },
    ]);
  });
});
