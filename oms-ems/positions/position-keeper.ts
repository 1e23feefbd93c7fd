/**
 * Position keeping: applies booked trades to a double-entry journal (journal.ts) and to positions per legal entity,
 * book and instrument, and describes every change of a position as a CDC event (before and after).
 *
 * Versions, per trade_id (CONTRACT.md section 3, rules 1 and 2):
 * - a version lower than the one held is ignored and counted;
 * - the same version with the same content is a repeat: nothing happens;
 * - the same version with other content, or a higher version, reverses what the held version booked and books the
 *   new one (two entries, two events).
 * "Content" is every trade field except the envelope (event_id, event_time, source, schema_version).
 * A position keeps its currency and account while a trade is booked on it; a trade that disagrees is rejected
 * (counted, nothing booked) since a position has one currency. Once flat in trades it may change.
 *
 * The state is in memory: as a service it is rebuilt by replaying `trades` from the beginning. Memory is one record
 * per trade_id, one per position and cash account, and the journal itself (two lines per entry).
 */
import type { PositionEvent, PositionState } from '../schemas/position-event.js';
import { tradeEventSchema, type TradeEvent } from '../schemas/trade-event.js';
import { derivedId } from '../capture/stable-id.js';
import { formatMoney, formatQuantity, minorUnitDigits, quantityScale, toNumber } from './decimal.js';
import { bookingOf, linesOf, type Booking, type JournalEntry } from './journal.js';
import { JournalSums, reconcile, type HeldBalance, type ReconcileResult } from './reconcile.js';

export const positionSource = 'position-keeping';

/** Test-only hook: changes a held position without a journal entry, so that tests can see reconciliation fail. */
export const tamperPosition = Symbol('tamperPosition');

export type ApplyOutcome = 'booked' | 'amended' | 'replaced' | 'unchanged' | 'ignored_lower_version' | 'rejected';

export interface ApplyResult {
  outcome: ApplyOutcome;
  entries: JournalEntry[];
  events: PositionEvent[];
  /** Why a trade was rejected. */
  reason?: string;
}

interface Position {
  position_id: string;
  legal_entity: string;
  book_id: string;
  instrument_id: string;
  account: string;
  currency: string;
  quantity: bigint;
  cost: bigint;
  trade_count: number;
}

interface HeldTrade {
  version: number;
  content: string;
  /** What the held version booked; null when it was rejected. */
  booking: Booking | null;
  /** Journal entries written for this trade so far: numbers the next entry id. */
  entries: number;
}

export interface PositionSnapshot {
  positions: Record<string, { legal_entity: string; book_id: string; instrument_id: string; account: string; currency: string; quantity: string; cost: string; trade_count: number }>;
  cash: Record<string, { currency: string; amount: string }>;
  trades: Record<string, { version: number; booked: boolean }>;
  journal_entries: number;
}

const envelopeFields = new Set(['event_id', 'event_time', 'source', 'schema_version']);
const contentFields = Object.keys(tradeEventSchema.shape).filter((k) => !envelopeFields.has(k)).sort();

export class PositionKeeper {
  readonly stats: Record<ApplyOutcome, number> = { booked: 0, amended: 0, replaced: 0, unchanged: 0, ignored_lower_version: 0, rejected: 0 };
  private readonly positions = new Map<string, Position>();
  private readonly cash = new Map<string, { currency: string; amount: bigint }>();
  private readonly trades = new Map<string, HeldTrade>();
  private readonly journal: JournalEntry[] = [];
  private readonly journalSums = new JournalSums();
  private readonly keepJournal: boolean;

  /** `keepJournal: false` keeps only the journal's sums per account (enough to reconcile) for long runs. */
  constructor(options: { keepJournal?: boolean } = {}) {
    this.keepJournal = options.keepJournal ?? true;
  }

  apply(trade: TradeEvent): ApplyResult {
    const held = this.trades.get(trade.trade_id);
    const content = contentOf(trade);
    if (held !== undefined && trade.version < held.version) return this.done('ignored_lower_version');
    if (held !== undefined && trade.version === held.version && content === held.content) return this.done('unchanged');

    const record: HeldTrade = { version: trade.version, content, booking: null, entries: held?.entries ?? 0 };
    this.trades.set(trade.trade_id, record);
    const entries: JournalEntry[] = [];
    const events: PositionEvent[] = [];
    if (held?.booking) this.write(trade, record, held.booking, 'REVERSE', held.version, entries, events);

    const booking = bookingOf(trade);
    const position = this.positions.get(booking.position_id);
    if (position !== undefined && position.trade_count > 0 && (position.currency !== booking.currency || position.account !== booking.account)) {
      const reason = `position ${position.position_id} is held in ${position.currency} on ${position.account}; the trade is in ${booking.currency} on ${booking.account}`;
      return { ...this.done('rejected'), entries, events, reason };
    }
    record.booking = booking;
    this.write(trade, record, booking, 'BOOK', trade.version, entries, events);
    const outcome = held === undefined ? 'booked' : trade.version === held.version ? 'replaced' : 'amended';
    return { ...this.done(outcome), entries, events };
  }

  reconcile(): ReconcileResult {
    return reconcile(this.journalSums, this.heldBalances());
  }

  snapshot(): PositionSnapshot {
    const positions: PositionSnapshot['positions'] = {};
    for (const p of this.positions.values()) {
      positions[p.position_id] = {
        legal_entity: p.legal_entity, book_id: p.book_id, instrument_id: p.instrument_id, account: p.account, currency: p.currency,
        quantity: formatQuantity(p.quantity), cost: formatMoney(p.cost, p.currency), trade_count: p.trade_count,
      };
    }
    const cash: PositionSnapshot['cash'] = {};
    for (const [account, c] of this.cash) cash[account] = { currency: c.currency, amount: formatMoney(c.amount, c.currency) };
    const trades: PositionSnapshot['trades'] = {};
    for (const [id, t] of this.trades) trades[id] = { version: t.version, booked: t.booking !== null };
    return { positions, cash, trades, journal_entries: this.journalSums.entries };
  }

  /** The position as a CDC state, or undefined when it was never booked. */
  position(positionId: string): PositionState | undefined {
    const p = this.positions.get(positionId);
    return p === undefined ? undefined : stateOf(p);
  }

  get journalEntries(): readonly JournalEntry[] {
    return this.journal;
  }

  [tamperPosition](positionId: string, change: { quantity?: bigint; cost?: bigint }): void {
    const p = this.positions.get(positionId);
    if (p === undefined) throw new Error(`no position ${positionId}`);
    p.quantity += change.quantity ?? 0n;
    p.cost += change.cost ?? 0n;
  }

  /**
   * One journal entry for a booking or its reversal, and the position event it causes. The entry names the version it
   * books or reverses; the event names the version that caused the change (`trade`).
   */
  private write(
    trade: TradeEvent, record: HeldTrade, booking: Booking, kind: JournalEntry['kind'], entryVersion: number, entries: JournalEntry[], events: PositionEvent[],
  ): void {
    const direction = kind === 'BOOK' ? 1n : -1n;
    record.entries += 1;
    const entry: JournalEntry = { entry_id: derivedId('je:', trade.trade_id, record.entries), trade_id: trade.trade_id, trade_version: entryVersion, kind, lines: linesOf(booking, direction) };
    if (this.keepJournal) this.journal.push(entry);
    this.journalSums.add(entry);
    entries.push(entry);

    // The balances move by the booking itself, not by re-reading the lines, so that reconcile() checks one against the other.
    const cash = this.cash.get(booking.cash_account) ?? { currency: booking.currency, amount: 0n };
    cash.amount -= direction * booking.amount;
    this.cash.set(booking.cash_account, cash);

    const existing = this.positions.get(booking.position_id);
    const before = existing === undefined ? null : stateOf(existing);
    const position: Position = existing ?? {
      position_id: booking.position_id, legal_entity: booking.legal_entity, book_id: booking.book_id, instrument_id: booking.instrument_id,
      account: booking.account, currency: booking.currency, quantity: 0n, cost: 0n, trade_count: 0,
    };
    if (kind === 'BOOK') {
      position.account = booking.account;
      position.currency = booking.currency;
    }
    position.quantity += direction * booking.quantity;
    position.cost += direction * booking.amount;
    position.trade_count += kind === 'BOOK' ? 1 : -1;
    this.positions.set(position.position_id, position);

    events.push({
      event_id: derivedId('pos:', entry.entry_id),
      schema_version: 1,
      event_time: trade.event_time,
      source: positionSource,
      position_id: position.position_id,
      op: before === null ? 'c' : 'u',
      legal_entity: position.legal_entity,
      book_id: position.book_id,
      instrument_id: position.instrument_id,
      before,
      after: stateOf(position),
      trade_id: trade.trade_id,
      trade_version: trade.version,
      journal_entry_id: entry.entry_id,
    });
  }

  private *heldBalances(): Iterable<HeldBalance> {
    for (const p of this.positions.values()) {
      yield { account: p.account, position_id: p.position_id, currency: p.currency, quantity: p.quantity, amount: p.cost, trade_count: p.trade_count };
    }
    for (const [account, c] of this.cash) yield { account, position_id: null, currency: c.currency, quantity: 0n, amount: c.amount, trade_count: null };
  }

  private done(outcome: ApplyOutcome): ApplyResult {
    this.stats[outcome] += 1;
    return { outcome, entries: [], events: [] };
  }
}

function stateOf(p: Position): PositionState {
  return { quantity: toNumber(p.quantity, quantityScale), cost: toNumber(p.cost, minorUnitDigits(p.currency)), currency: p.currency, trade_count: p.trade_count };
}

/**
 * A 64-bit digest of the trade's content (two 32-bit FNV-1a hashes): what a repeat of the same trade and version must
 * match, held in a few bytes rather than the whole text. Two different contents of one trade version colliding is a
 * 1-in-2^64 chance.
 */
function contentOf(trade: TradeEvent): string {
  const record = trade as Record<string, unknown>;
  const text = JSON.stringify(contentFields.map((k) => record[k] ?? null));
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  return `${(a >>> 0).toString(36)}.${(b >>> 0).toString(36)}`;
}
