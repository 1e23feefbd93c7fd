/**
 * A small seeded trading day for the service tests: the reference data, and executions as the EMS reports them
 * (orders filled in one or more parts, cancels, rejects, a venue re-sending a report, fills in instruments or with
 * counterparties the reference data does not have).
 */
import type { ProduceRecord } from '../../../bus/event-bus.js';
import { counterpartyEvent, executionEvent, instrumentEvent } from '../../capture/test-fixtures/events.js';
import { mulberry32 } from '../../sample-trades.js';
import type { ExecutionEvent } from '../../schemas/execution-event.js';

export const dayInstruments = [
  instrumentEvent(),
  instrumentEvent({ instrument_id: 'DE0001102580', isin: 'DE0001102580', name: 'Bund 0 02/30', currency: 'EUR', issuer_id: 'DE-FINANZ', issuer_country: 'DE', price: 101.2 }),
  instrumentEvent({ instrument_id: 'US0378331005', isin: 'US0378331005', name: 'Apple', asset_class: 'EQUITY', issuer_id: 'AAPL', issuer_type: 'NON_FINANCIAL_CORPORATE', maturity_date: null, coupon_rate: null, price: 185.3 }),
  instrumentEvent({ instrument_id: 'REPO-ON', isin: null, name: 'Overnight repo', asset_class: 'REPO', issuer_id: null, issuer_type: null, issuer_country: null, maturity_date: '2026-03-03', price: 100 }),
];
export const dayCounterparties = [
  counterpartyEvent(),
  counterpartyEvent({ counterparty_id: 'CP0002', name: 'Broker', counterparty_type: 'OTHER_FINANCIAL', lei: null }),
  counterpartyEvent({ counterparty_id: 'CP0003', name: 'Central counterparty', counterparty_type: 'OTHER_FINANCIAL', lei: null }),
];
const prices: Record<string, number> = { US912828ZT05: 99.5, DE0001102580: 101.2, US0378331005: 185.3, 'REPO-ON': 100, 'XS9999999999': 97 };

export function referenceRecords(): ProduceRecord[] {
  return [
    ...dayInstruments.map((v) => ({ topic: 'ref.instruments', key: v.instrument_id, value: v, timestamp: Date.parse(v.event_time) })),
    ...dayCounterparties.map((v) => ({ topic: 'ref.counterparties', key: v.counterparty_id, value: v, timestamp: Date.parse(v.event_time) })),
  ];
}

export function executionRecord(exec: ExecutionEvent): ProduceRecord {
  return { topic: 'executions', key: exec.order_id, value: exec, timestamp: Date.parse(exec.event_time), headers: { source: 'ems' } };
}

export interface SimulatedDay {
  records: ProduceRecord[];
  /** Fills that reference data covers: the trades capture should make. */
  fills: number;
  /** Fill reports whose instrument or counterparty is unknown: the dead letters capture should write. */
  unenrichable: number;
}

export function simulatedDay(orders: number, seed = 11): SimulatedDay {
  const rand = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const records: ProduceRecord[] = [];
  let fills = 0;
  let unenrichable = 0;
  let execSeq = 0;
  for (let o = 0; o < orders; o++) {
    const orderId = `O${o}`;
    const unknown = rand() < 0.03;
    const instrument = unknown && rand() < 0.5 ? 'XS9999999999' : pick(dayInstruments).instrument_id;
    const counterparty = unknown && instrument !== 'XS9999999999' ? 'CP9999' : pick(dayCounterparties).counterparty_id;
    const currency = dayInstruments.find((i) => i.instrument_id === instrument)?.currency ?? 'USD';
    const base = {
      order_id: orderId, venue: pick(['XLON', 'XPAR']), instrument_id: instrument, counterparty_id: counterparty, currency,
      side: rand() < 0.5 ? 'BUY' as const : 'SELL' as const, legal_entity: pick(['BANK_A', 'BANK_B']), book_id: pick(['BOOK-1', 'BOOK-2']),
    };
    const time = (k: number): string => new Date(Date.UTC(2026, 2, 2, 8) + o * 30_000 + k * 1_000).toISOString();
    const quantity = 1000 * (1 + Math.floor(rand() * 50));
    records.push(executionRecord(executionEvent({ ...base, exec_id: `E${execSeq++}`, exec_type: 'NEW', last_quantity: 0, last_price: 0, cumulative_quantity: 0, leaves_quantity: quantity, event_time: time(0) })));
    const r = rand();
    if (r < 0.05) {
      records.push(executionRecord(executionEvent({ ...base, exec_id: `E${execSeq++}`, exec_type: 'REJECTED', last_quantity: 0, last_price: 0, reason: 'no liquidity', event_time: time(1) })));
      continue;
    }
    const parts = 1 + Math.floor(rand() * 3);
    let done = 0;
    for (let p = 0; p < parts; p++) {
      const last = p === parts - 1 ? quantity - done : Math.floor(quantity / parts);
      done += last;
      const price = Math.round(prices[instrument] * (0.99 + rand() * 0.02) * 1000) / 1000;
      const exec = executionEvent({
        ...base, exec_id: `E${execSeq++}`, exec_type: p === parts - 1 ? 'FILL' : 'PARTIAL_FILL', last_quantity: last, last_price: price,
        cumulative_quantity: done, leaves_quantity: quantity - done, average_price: price, event_time: time(1 + p),
      });
      records.push(executionRecord(exec));
      if (unknown) unenrichable += 1;
      else fills += 1;
      if (rand() < 0.05) {
        records.push(executionRecord(exec)); // the venue re-sends the report: a duplicate, or dead-lettered again
        if (unknown) unenrichable += 1;
      }
    }
    if (rand() < 0.05) records.push(executionRecord(executionEvent({ ...base, exec_id: `E${execSeq++}`, exec_type: 'CANCELLED', last_quantity: 0, last_price: 0, event_time: time(9) })));
  }
  return { records, fills, unenrichable };
}
