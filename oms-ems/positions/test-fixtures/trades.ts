/** Valid trade events for position keeping tests, and a seeded stream of them with amendments and repeats. */
import { mulberry32 } from '../../sample-trades.js';
import type { TradeEvent } from '../../schemas/trade-event.js';

export function tradeEvent(overrides: Partial<TradeEvent> = {}): TradeEvent {
  const tradeId = overrides.trade_id ?? 'T1';
  const version = overrides.version ?? 1;
  return {
    event_id: `trade:${tradeId}:${version}`,
    schema_version: 1,
    event_time: '2026-03-02T09:30:00Z',
    source: 'trade-capture',
    trade_id: tradeId,
    version,
    counterparty_id: 'CP0001',
    book_id: 'BOOK-1',
    legal_entity: 'BANK_A',
    instrument_id: 'US912828ZT05',
    asset_class: 'GOVT_BOND',
    side: 'BUY',
    quantity: 1000,
    price: 99.5,
    currency: 'USD',
    trade_date: '2026-03-02',
    settlement_date: '2026-03-04',
    maturity_date: '2030-05-15',
    created_date: '2026-03-02',
    ...overrides,
  };
}

const instruments = [
  { instrument_id: 'US912828ZT05', asset_class: 'GOVT_BOND', currency: 'USD', price: 99.5 },
  { instrument_id: 'DE0001102580', asset_class: 'GOVT_BOND', currency: 'EUR', price: 101.2 },
  { instrument_id: 'US0378331005', asset_class: 'EQUITY', currency: 'USD', price: 185.3 },
  { instrument_id: 'JP1103551K51', asset_class: 'GOVT_BOND', currency: 'JPY', price: 100.07 },
  { instrument_id: 'REPO-ON', asset_class: 'REPO', currency: 'USD', price: 100 },
  { instrument_id: 'DEP-3M', asset_class: 'DEPOSIT', currency: 'GBP', price: 1 },
] as const;

export interface RandomTradeOptions {
  count: number;
  seed?: number;
  /** Include same-version records with other content (CONTRACT rule 2 replacements). */
  sameVersionChanges?: boolean;
}

/**
 * A seeded stream: new trades with awkward quantities and prices, amendments (higher versions, sometimes moving
 * book or side), identical repeats, and stale lower versions arriving late.
 */
export function randomTrades(options: RandomTradeOptions): TradeEvent[] {
  const { count, seed = 7, sameVersionChanges = false } = options;
  const rand = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const latest: TradeEvent[] = [];
  const out: TradeEvent[] = [];
  const fresh = (i: number): TradeEvent => {
    const ins = pick(instruments);
    return tradeEvent({
      trade_id: `R${i}`, version: 1, event_time: new Date(Date.UTC(2026, 2, 2, 7) + i * 1000).toISOString(),
      legal_entity: pick(['BANK_A', 'BANK_B']), book_id: pick(['BOOK-1', 'BOOK-2', 'BOOK-3']),
      instrument_id: ins.instrument_id, asset_class: ins.asset_class, currency: ins.currency,
      side: rand() < 0.5 ? 'BUY' : 'SELL',
      quantity: Math.round(rand() * 1e9) / 1e4 + 0.0001,
      price: Math.round(ins.price * (0.95 + rand() * 0.1) * 1e5) / 1e5,
    });
  };
  for (let i = 0; out.length < count; i++) {
    const r = rand();
    if (latest.length === 0 || r < 0.6) {
      const t = fresh(i);
      latest.push(t);
      out.push(t);
    } else if (r < 0.8) {
      const k = Math.floor(rand() * latest.length);
      const prev = latest[k];
      const next = tradeEvent({
        ...prev, version: prev.version + 1, event_id: `trade:${prev.trade_id}:${prev.version + 1}`,
        quantity: rand() < 0.5 ? prev.quantity : Math.round(rand() * 1e7) / 1e3 + 1, price: Math.round(prev.price * (0.99 + rand() * 0.02) * 1e5) / 1e5,
        book_id: rand() < 0.2 ? pick(['BOOK-1', 'BOOK-2', 'BOOK-3']) : prev.book_id, side: rand() < 0.1 ? (prev.side === 'BUY' ? 'SELL' : 'BUY') : prev.side,
      });
      latest[k] = next;
      out.push(next);
    } else if (r < 0.9) {
      out.push({ ...pick(latest) });
    } else if (r < 0.95 || !sameVersionChanges) {
      const t = pick(latest);
      if (t.version > 1) out.push({ ...t, version: t.version - 1, event_id: `trade:${t.trade_id}:${t.version - 1}`, quantity: t.quantity + 1 });
    } else {
      const k = Math.floor(rand() * latest.length);
      const changed = { ...latest[k], price: Math.round(latest[k].price * 1.01 * 1e5) / 1e5 };
      latest[k] = changed;
      out.push(changed);
    }
  }
  return out;
}
