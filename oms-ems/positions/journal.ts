/**
 * The double-entry journal of position keeping. Every entry's amounts sum to zero per currency (debits positive,
 * credits negative); quantities are tracked on the instrument line only (cash is measured by its amount).
 *
 * Accounts: `<CLASS>:<legal_entity>:<book_id>:<instrument_id>` for the instrument side and
 * `CASH:<legal_entity>:<book_id>:<currency>` for the cash side (':' and '%' inside ids are %-escaped, so an account
 * name is never ambiguous). One rule for every asset class: BUY pays cash and raises the instrument position, SELL
 * receives cash and lowers it. The class only names what the instrument account is on the balance sheet:
 * - securities (bonds, equities, commodities): SECURITIES, an asset; a short position is a negative balance.
 * - REVERSE_REPO (we buy and agree to sell back: secured lending): SECURED_LENDING, an asset, opened by a BUY.
 * - REPO (we sell and agree to buy back: secured funding): SECURED_FUNDING, a liability, opened by a SELL, so the
 *   position is negative while we owe the cash back.
 * - LOAN (money we lend): LOANS, an asset, opened by a BUY.
 * - DEPOSIT (money placed with us): DEPOSITS, a liability, taken by a SELL (negative while we owe it); a BUY repays.
 * For the money-market classes the trade is the cash leg (quantity x price = principal); a repo's collateral stays
 * where it is in SECURITIES, as it stays on the balance sheet of the repo seller.
 *
 * Amounts are the trade's consideration, quantity x price rounded once to minor units (decimal.ts). A position's
 * cost is therefore the net consideration paid (as positions' schema defines it); realised P&L is not split out.
 */
import type { AssetClass } from '../schemas/common.js';
import type { TradeEvent } from '../schemas/trade-event.js';
import { derivedId } from '../capture/stable-id.js';
import { considerationMinor, quantityUnits } from './decimal.js';

export type EntryKind = 'BOOK' | 'REVERSE';

export interface JournalLine {
  account: string;
  currency: string;
  /** Signed, in 10^-8 units; 0 on cash lines. */
  quantity: bigint;
  /** Signed, in the currency's minor units: debit > 0, credit < 0. */
  amount: bigint;
}

export interface JournalEntry {
  entry_id: string;
  trade_id: string;
  trade_version: number;
  kind: EntryKind;
  lines: JournalLine[];
}

export type AccountClass = 'SECURITIES' | 'SECURED_LENDING' | 'SECURED_FUNDING' | 'LOANS' | 'DEPOSITS';

export function accountClassOf(assetClass: AssetClass): AccountClass {
  switch (assetClass) {
    case 'REVERSE_REPO': return 'SECURED_LENDING';
    case 'REPO': return 'SECURED_FUNDING';
    case 'LOAN': return 'LOANS';
    case 'DEPOSIT': return 'DEPOSITS';
    default: return 'SECURITIES';
  }
}

/** What one trade version contributes: the signed quantity and consideration of its position. */
export interface Booking {
  position_id: string;
  legal_entity: string;
  book_id: string;
  instrument_id: string;
  account: string;
  cash_account: string;
  currency: string;
  quantity: bigint;
  amount: bigint;
}

/** `legal_entity|book_id|instrument_id`, or a hash of it when longer than an id may be. */
export function positionIdOf(legalEntity: string, bookId: string, instrumentId: string): string {
  return derivedId('', `${legalEntity}|${bookId}|${instrumentId}`);
}

export function bookingOf(trade: TradeEvent): Booking {
  const sign = trade.side === 'BUY' ? 1n : -1n;
  const quantity = quantityUnits(trade.quantity);
  return {
    position_id: positionIdOf(trade.legal_entity, trade.book_id, trade.instrument_id),
    legal_entity: trade.legal_entity,
    book_id: trade.book_id,
    instrument_id: trade.instrument_id,
    account: accountName(accountClassOf(trade.asset_class), trade.legal_entity, trade.book_id, trade.instrument_id),
    cash_account: accountName('CASH', trade.legal_entity, trade.book_id, trade.currency),
    currency: trade.currency,
    quantity: sign * quantity,
    amount: sign * considerationMinor(quantity, trade.price, trade.currency),
  };
}

/** The journal lines of a booking (`direction` 1) or of its reversal (`direction` -1). */
export function linesOf(booking: Booking, direction: 1n | -1n): JournalLine[] {
  return [
    { account: booking.account, currency: booking.currency, quantity: direction * booking.quantity, amount: direction * booking.amount },
    { account: booking.cash_account, currency: booking.currency, quantity: 0n, amount: -direction * booking.amount },
  ];
}

/** Per currency, the sums that are not zero: empty for a balanced entry. */
export function imbalances(entry: JournalEntry): { currency: string; amount: bigint }[] {
  const sums = new Map<string, bigint>();
  for (const line of entry.lines) sums.set(line.currency, (sums.get(line.currency) ?? 0n) + line.amount);
  return [...sums].filter(([, amount]) => amount !== 0n).map(([currency, amount]) => ({ currency, amount }));
}

export function accountName(accountClass: AccountClass | 'CASH', legalEntity: string, bookId: string, last: string): string {
  return [accountClass, legalEntity, bookId, last].map(escapePart).join(':');
}

function escapePart(part: string): string {
  return part.replace(/%/g, '%25').replace(/:/g, '%3A');
}
