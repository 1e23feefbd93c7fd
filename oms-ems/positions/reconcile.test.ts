import { describe, expect, it } from 'vitest';
import type { JournalEntry } from './journal.js';
import { reconcile, type HeldBalance } from './reconcile.js';

const entry = (id: string, kind: JournalEntry['kind'], amount: bigint, quantity: bigint, cashAmount = -amount): JournalEntry => ({
  entry_id: id, trade_id: 'T1', trade_version: 1, kind,
  lines: [
    { account: 'SECURITIES:A:B:I', currency: 'USD', quantity, amount },
    { account: 'CASH:A:B:USD', currency: 'USD', quantity: 0n, amount: cashAmount },
  ],
});
const position = (quantity: bigint, amount: bigint, trade_count: number): HeldBalance => ({ account: 'SECURITIES:A:B:I', position_id: 'A|B|I', currency: 'USD', quantity, amount, trade_count });
const cash = (amount: bigint): HeldBalance => ({ account: 'CASH:A:B:USD', position_id: null, currency: 'USD', amount, quantity: 0n, trade_count: null });

describe('reconcile', () => {
  it('is ok when entries balance and the journal sums equal what is held', () => {
    const result = reconcile([entry('e1', 'BOOK', 100n, 10n), entry('e2', 'REVERSE', -100n, -10n), entry('e3', 'BOOK', 50n, 5n)], [position(5n, 50n, 1), cash(-50n)]);
    expect(result).toEqual({ ok: true, entries: 3, accounts: 2, unbalanced: [], mismatches: [] });
  });

  it('names an entry that does not balance', () => {
    const result = reconcile([entry('e1', 'BOOK', 100n, 10n, -99n)], [position(10n, 100n, 1), cash(-99n)]);
    expect(result.ok).toBe(false);
    expect(result.unbalanced).toEqual([{ entry_id: 'e1', currency: 'USD', amount: '0.01' }]);
  });

  it('names a trade count that disagrees with the bookings and reversals in the journal', () => {
    const result = reconcile([entry('e1', 'BOOK', 100n, 10n)], [position(10n, 100n, 2), cash(-100n)]);
    expect(result.mismatches).toEqual([{ account: 'SECURITIES:A:B:I', currency: 'USD', position_id: 'A|B|I', field: 'trade_count', journal: '1', held: '2' }]);
  });

  it('names a journal balance that nobody holds', () => {
    const result = reconcile([entry('e1', 'BOOK', 100n, 10n)], [cash(-100n)]);
    expect(result.mismatches.map((m) => [m.account, m.field, m.journal, m.held])).toEqual([
      ['SECURITIES:A:B:I', 'quantity', '0.0000001', '0'],
      ['SECURITIES:A:B:I', 'amount', '1', '0'],
    ]);
  });
});
