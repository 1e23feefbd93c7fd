/** Valid events of each topic for the entity tests, and a record of one for TestLake.land. */
import type { TradeRecord } from '../test-fixtures/lake.js';

let next = 0;
const envelope = (eventTime: string, source: string) => ({ event_id: `ev-${++next}`, schema_version: 1, event_time: eventTime, source });

export function deal(eventTime: string, over: Record<string, unknown> = {}) {
  return {
    ...envelope(eventTime, 'treasury'), deal_id: 'D1', version: 1, action: 'NEW', deal_type: 'DEPOSIT', legal_entity: 'BANK_A', book_id: 'TSY',
    counterparty_id: 'CP1', counterparty_type: 'RETAIL', currency: 'EUR', principal: 250000, drawn_amount: null, interest_rate: 0.015,
    start_date: '2026-03-02', maturity_date: null, notice_days: 0, is_operational: false, is_insured: true, has_relationship: true,
    collateral_instrument_id: null, collateral_nominal: null, collateral_market_value: null, collateral_rehypothecated: null, trade_date: '2026-03-02',
    ...over,
  };
}

export function instrument(eventTime: string, over: Record<string, unknown> = {}) {
  return {
    ...envelope(eventTime, 'refdata'), instrument_id: 'I1', isin: 'US912828ZT05', name: 'UST 2030', asset_class: 'GOVT_BOND', currency: 'USD',
    issuer_id: 'US-TREASURY', issuer_type: 'SOVEREIGN', issuer_country: 'US', risk_weight: 0, rating: 'AA+', central_bank_eligible: true,
    listed_index: null, rmbs_full_recourse: null, rmbs_ltv: null, own_originated: null, maturity_date: '2030-05-15', coupon_rate: 2.5,
    price: 99.5, price_date: '2026-03-02', active: true,
    ...over,
  };
}

export function counterparty(eventTime: string, over: Record<string, unknown> = {}) {
  return {
    ...envelope(eventTime, 'refdata'), counterparty_id: 'CP1', name: 'Alice', counterparty_type: 'RETAIL', country: 'DE', lei: null, rating: null, active: true,
    ...over,
  };
}

export function position(eventTime: string, quantity: number, over: Record<string, unknown> = {}) {
  return {
    ...envelope(eventTime, 'position-keeping'), position_id: 'BANK_A|B1|I1', op: 'u', legal_entity: 'BANK_A', book_id: 'B1', instrument_id: 'I1',
    before: null, after: { quantity, cost: quantity * 99.5, currency: 'USD', trade_count: 1 }, trade_id: 'T1', trade_version: 1, journal_entry_id: `je-${next}`,
    ...over,
  };
}

export function order(eventTime: string, over: Record<string, unknown> = {}) {
  return {
    ...envelope(eventTime, 'oms'), event_type: 'ORDER_ACCEPTED', order_id: 'O1', client_order_id: null, idempotency_key: null, account_id: 'B1',
    book_id: 'B1', legal_entity: 'BANK_A', instrument_id: 'I1', side: 'BUY', order_type: 'LIMIT', quantity: 100, limit_price: 99.75, currency: 'USD',
    status: 'NEW', filled_quantity: 0, average_price: null, replaces_order_id: null, reason: null,
    ...over,
  };
}

export function fxRate(eventTime: string, over: Record<string, unknown> = {}) {
  return { ...envelope(eventTime, 'refdata'), rate_date: '2026-03-02', base_currency: 'USD', quote_currency: 'EUR', rate: 0.92, ...over };
}

/** A record of `topic` carrying `value`, arriving at `at`, keyed by `key`. */
export function record(topic: string, key: string, value: Record<string, unknown> | string, at: string): TradeRecord {
  return { topic, key, value, at };
}
