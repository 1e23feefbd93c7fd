/**
 * A small, seeded batch of booked trades (CONTRACT.md section 3) for the demo and tests, with a share of
 * records that silver will have to reject (bad versions, impossible values, malformed payloads).
 * The full trading-services simulator replaces this as the demo's source.
 */
import type { ProduceRecord } from '../bus/event-bus.js';
import { mulberry32 } from './sim/random.js';

export { mulberry32 };

const entities = ['BANK_A', 'BANK_B', 'BANK_C'];
const assets = [
  { assetClass: 'GOVT_BOND', instrument: 'US912828ZT05', price: 99.5, ccy: 'USD', years: 10 },
  { assetClass: 'GOVT_BOND', instrument: 'DE0001102580', price: 101.2, ccy: 'EUR', years: 7 },
  { assetClass: 'CORPORATE_BOND', instrument: 'XS2345678901', price: 97.8, ccy: 'USD', years: 5 },
  { assetClass: 'EQUITY', instrument: 'US0378331005', price: 185.3, ccy: 'USD', years: 0 },
  { assetClass: 'REPO', instrument: 'REPO-ON', price: 100, ccy: 'USD', years: 0.01 },
  { assetClass: 'REVERSE_REPO', instrument: 'RREPO-1W', price: 100, ccy: 'EUR', years: 0.02 },
  { assetClass: 'DEPOSIT', instrument: 'DEP-TERM-3M', price: 1, ccy: 'GBP', years: 0.25 },
  { assetClass: 'LOAN', instrument: 'LOAN-CORP-2Y', price: 1, ccy: 'USD', years: 2 },
];

export interface SampleOptions {
  count: number;
  businessDate: string;
  seed?: number;
  /** Share of records with a problem for silver (0..1). */
  badShare?: number;
}

export function sampleTradeRecords(options: SampleOptions): ProduceRecord[] {
  const { count, businessDate, seed = 42, badShare = 0.02 } = options;
  const rand = mulberry32(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
  const dayStart = Date.parse(`${businessDate}T07:00:00Z`);
  const out: ProduceRecord[] = [];
  for (let i = 0; i < count; i++) {
    const a = pick(assets);
    const tradeId = `T${String(seed).padStart(3, '0')}-${String(i).padStart(7, '0')}`;
    const timestamp = dayStart + Math.floor((i / count) * 10 * 3_600_000);
    const maturity = a.years === 0 ? null : new Date(Date.parse(businessDate) + Math.round(a.years * 365) * 86_400_000).toISOString().slice(0, 10);
    const value: Record<string, unknown> = {
      trade_id: tradeId, version: 1, counterparty_id: `CP${String(1 + Math.floor(rand() * 40)).padStart(4, '0')}`,
      book_id: `BOOK-${1 + Math.floor(rand() * 6)}`, legal_entity: pick(entities), instrument_id: a.instrument,
      asset_class: a.assetClass, side: rand() < 0.5 ? 'BUY' : 'SELL', quantity: 1000 * (1 + Math.floor(rand() * 5000)),
      price: Math.round(a.price * (0.98 + rand() * 0.04) * 1000) / 1000, currency: a.ccy, trade_date: businessDate,
      settlement_date: businessDate, maturity_date: maturity, created_date: businessDate,
    };
    const headers = { source: 'oms', schema_version: '1' };
    if (rand() < badShare) {
      const kind = Math.floor(rand() * 3);
      if (kind === 0) out.push({ topic: 'trades', key: tradeId, value: `{"trade_id": "${tradeId}", "version": `, timestamp, headers });
      else if (kind === 1) out.push({ topic: 'trades', key: tradeId, value: { ...value, quantity: -5 }, timestamp, headers });
      else out.push({ topic: 'trades', key: tradeId, value: { ...value, maturity_date: '2000-01-01' }, timestamp, headers });
      continue;
    }
    out.push({ topic: 'trades', key: tradeId, value, timestamp, headers });
    if (rand() < 0.05) out.push({ topic: 'trades', key: tradeId, value: { ...value, version: 2, price: Number(value.price) + 0.01 }, timestamp: timestamp + 60_000, headers });
  }
  return out;
}
