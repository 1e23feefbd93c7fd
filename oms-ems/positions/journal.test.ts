import { describe, expect, it } from 'vitest';
import type { TradeEvent } from '../schemas/trade-event.js';
import { accountName, bookingOf, imbalances, linesOf, positionIdOf } from './journal.js';
import { tradeEvent } from './test-fixtures/trades.js';

function entryFor(trade: TradeEvent) {
  return { entry_id: 'je:1', trade_id: trade.trade_id, trade_version: trade.version, kind: 'BOOK' as const, lines: linesOf(bookingOf(trade), 1n) };
}

describe('journal', () => {
  it('books a BUY as a debit of the securities account and a credit of cash, balanced', () => {
    const entry = entryFor(tradeEvent({ side: 'BUY', quantity: 1000, price: 99.5 }));
    expect(entry.lines).toEqual([
      { account: 'SECURITIES:BANK_A:BOOK-1:US912828ZT05', currency: 'USD', quantity: 100_000_000_000n, amount: 9_950_000n },
      { account: 'CASH:BANK_A:BOOK-1:USD', currency: 'USD', quantity: 0n, amount: -9_950_000n },
    ]);
    expect(imbalances(entry)).toEqual([]);
  });

  it('books a SELL the other way round', () => {
    const entry = entryFor(tradeEvent({ side: 'SELL', quantity: 10, price: 101.25, currency: 'EUR', instrument_id: 'DE0001102580' }));
    expect(entry.lines.map((l) => [l.account, l.quantity, l.amount])).toEqual([
      ['SECURITIES:BANK_A:BOOK-1:DE0001102580', -1_000_000_000n, -101_250n],
      ['CASH:BANK_A:BOOK-1:EUR', 0n, 101_250n],
    ]);
  });

  it('books repos, reverse repos, loans and deposits against their balance-sheet accounts', () => {
    const account = (asset_class: TradeEvent['asset_class'], side: TradeEvent['side']) => {
      const [instrument, cash] = entryFor(tradeEvent({ asset_class, side, instrument_id: 'MM-1', quantity: 5_000_000, price: 1 })).lines;
      return [instrument.account, instrument.amount, cash.amount];
    };
    expect(account('REPO', 'SELL')).toEqual(['SECURED_FUNDING:BANK_A:BOOK-1:MM-1', -500_000_000n, 500_000_000n]);
    expect(account('REVERSE_REPO', 'BUY')).toEqual(['SECURED_LENDING:BANK_A:BOOK-1:MM-1', 500_000_000n, -500_000_000n]);
    expect(account('LOAN', 'BUY')).toEqual(['LOANS:BANK_A:BOOK-1:MM-1', 500_000_000n, -500_000_000n]);
    expect(account('DEPOSIT', 'SELL')).toEqual(['DEPOSITS:BANK_A:BOOK-1:MM-1', -500_000_000n, 500_000_000n]);
  });

  it('reports an entry that does not sum to zero, per currency', () => {
    const entry = entryFor(tradeEvent());
    entry.lines.push({ account: 'CASH:BANK_A:BOOK-1:EUR', currency: 'EUR', quantity: 0n, amount: 5n });
    expect(imbalances(entry)).toEqual([{ currency: 'EUR', amount: 5n }]);
  });

  it('escapes ":" in ids so that account names are unambiguous, and hashes over-long position ids', () => {
    expect(accountName('SECURITIES', 'BANK_A', 'B:1', 'X')).toBe('SECURITIES:BANK_A:B%3A1:X');
    expect(accountName('SECURITIES', 'BANK_A', 'B', '1:X')).not.toBe(accountName('SECURITIES', 'BANK_A', 'B:1', 'X'));
    expect(positionIdOf('BANK_A', 'BOOK-1', 'US912828ZT05')).toBe('BANK_A|BOOK-1|US912828ZT05');
    expect(positionIdOf('BANK_A', 'B'.repeat(40), 'I'.repeat(40)).length).toBeLessThanOrEqual(64);
  });
});
