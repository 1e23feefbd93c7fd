/** Valid reference and execution events for tests, with the fields a test cares about overridden. */
import type { CounterpartyEvent } from '../../schemas/counterparty-event.js';
import type { ExecutionEvent } from '../../schemas/execution-event.js';
import type { InstrumentEvent } from '../../schemas/instrument-event.js';

export function instrumentEvent(overrides: Partial<InstrumentEvent> = {}): InstrumentEvent {
  return {
    event_id: `ins-${overrides.instrument_id ?? 'US912828ZT05'}-${overrides.event_time ?? '2026-03-01T00:00:00Z'}`,
    schema_version: 1,
    event_time: '2026-03-01T00:00:00Z',
    source: 'refdata',
    instrument_id: 'US912828ZT05',
    isin: 'US912828ZT05',
    name: 'UST 0.25 05/30',
    asset_class: 'GOVT_BOND',
    currency: 'USD',
    issuer_id: 'US-TREASURY',
    issuer_type: 'SOVEREIGN',
    issuer_country: 'US',
    risk_weight: 0,
    rating: 'AA+',
    central_bank_eligible: true,
    listed_index: null,
    rmbs_full_recourse: null,
    rmbs_ltv: null,
    own_originated: null,
    maturity_date: '2030-05-15',
    coupon_rate: 0.0025,
    price: 99.5,
    price_date: '2026-02-27',
    active: true,
    ...overrides,
  };
}

export function counterpartyEvent(overrides: Partial<CounterpartyEvent> = {}): CounterpartyEvent {
  return {
    event_id: `cp-${overrides.counterparty_id ?? 'CP0001'}-${overrides.event_time ?? '2026-03-01T00:00:00Z'}`,
    schema_version: 1,
    event_time: '2026-03-01T00:00:00Z',
    source: 'refdata',
    counterparty_id: 'CP0001',
    name: 'Dealer Bank plc',
    counterparty_type: 'BANK',
    country: 'GB',
    lei: '213800ABCDEFGHIJKL12',
    rating: 'A',
    active: true,
    ...overrides,
  };
}

export function executionEvent(overrides: Partial<ExecutionEvent> = {}): ExecutionEvent {
  return {
    event_id: `exec-${overrides.venue ?? 'XLON'}-${overrides.exec_id ?? 'E1'}`,
    schema_version: 1,
    event_time: '2026-03-02T09:30:00Z',
    source: 'ems',
    exec_id: 'E1',
    order_id: 'O1',
    venue: 'XLON',
    venue_order_id: 'V1',
    exec_type: 'FILL',
    legal_entity: 'BANK_A',
    book_id: 'BOOK-1',
    instrument_id: 'US912828ZT05',
    side: 'BUY',
    last_quantity: 1000,
    last_price: 99.5,
    cumulative_quantity: 1000,
    leaves_quantity: 0,
    average_price: 99.5,
    currency: 'USD',
    counterparty_id: 'CP0001',
    trade_date: '2026-03-02',
    settlement_date: '2026-03-04',
    reason: null,
    ...overrides,
  };
}
