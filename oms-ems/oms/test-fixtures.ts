/**
 * A small instrument master, limits, a router that records what the OMS handed on, and ids that count up, for the
 * OMS's tests (and for anyone wiring an OMS without an EMS yet).
 */
import type { OrderEvent } from '../schemas/order-event.js';
import { Oms, type OmsOptions, type Order, type OrderRouter } from './oms.js';
import type { InstrumentRef, LimitsConfig } from './pre-trade-checks.js';
import type { NewOrderRequest } from './request-schemas.js';

export const instruments: Readonly<Record<string, InstrumentRef>> = {
  US912828ZT05: { currency: 'USD', price: 99.5, asset_class: 'GOVT_BOND' },
  DE0001102580: { currency: 'EUR', price: 101.2, asset_class: 'GOVT_BOND' },
  US0378331005: { currency: 'USD', price: 185.3, asset_class: 'EQUITY' },
  XS0000000001: { currency: 'USD', price: 97.8, asset_class: 'CORPORATE_BOND' },
};

export const instrumentLookup = (id: string): InstrumentRef | undefined => instruments[id];

export const limits: LimitsConfig = {
  defaults: { maxOrderQuantity: 10_000_000, maxOrderNotional: 10_000_000, maxOpenNotional: 50_000_000 },
  accounts: { 'ACC-SMALL': { maxOrderQuantity: 1_000, maxOrderNotional: 100_000, maxOpenNotional: 200_000 } },
  instruments: { US0378331005: { maxOrderQuantity: 5_000, maxOpenNotional: 1_000_000 } },
  restrictedInstruments: ['XS0000000001'],
};

export function newOrderRequest(overrides: Partial<NewOrderRequest> = {}): NewOrderRequest {
  return {
    client_order_id: 'C-1', account_id: 'ACC-1', book_id: 'BOOK-1', legal_entity: 'BANK_A', instrument_id: 'US0378331005',
    side: 'BUY', order_type: 'LIMIT', quantity: 1_000, limit_price: 185.25, currency: 'USD', ...overrides,
  };
}

export interface RouterCall {
  op: 'route' | 'cancel' | 'replace';
  orderId: string;
  replacementId?: string;
}

export function recordingRouter(withReplace = false): { router: OrderRouter; calls: RouterCall[] } {
  const calls: RouterCall[] = [];
  const router: OrderRouter = {
    route: (order: Order) => void calls.push({ op: 'route', orderId: order.order_id }),
    cancel: (order: Order) => void calls.push({ op: 'cancel', orderId: order.order_id }),
  };
  if (withReplace) router.replace = (old: Order, replacement: Order) => void calls.push({ op: 'replace', orderId: old.order_id, replacementId: replacement.order_id });
  return { router, calls };
}

/** `O-1`, `O-2`… for orders and `E-1`, `E-2`… for events. */
export function countingIds(): (kind: 'order' | 'event') => string {
  const next = { order: 0, event: 0 };
  return (kind) => `${kind === 'order' ? 'O' : 'E'}-${++next[kind]}`;
}

export const fixedTime = Date.parse('2026-03-02T09:30:00.000Z');

export function testOms(options: Partial<OmsOptions> = {}): { oms: Oms; events: OrderEvent[]; calls: RouterCall[] } {
  const events: OrderEvent[] = [];
  const { router, calls } = recordingRouter();
  const oms = new Oms({ limits, instrumentLookup, router, emit: (e) => void events.push(e), clock: () => fixedTime, newId: countingIds(), ...options });
  return { oms, events, calls };
}
