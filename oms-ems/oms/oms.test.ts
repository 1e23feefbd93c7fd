import { afterEach, describe, expect, it } from 'vitest';
import { orderEventSchema, type OrderEvent } from '../schemas/order-event.js';
import type { Oms, OmsOptions } from './oms.js';
import { ExecutionMismatchError, IdempotencyKeyReusedError, IllegalTransitionError, OrderNotFoundError, RequestValidationError } from './oms-errors.js';
import { fixedTime, newOrderRequest, recordingRouter, testOms } from './test-fixtures.js';

const emitted: OrderEvent[][] = [];

/** An OMS whose events are all checked against the orders topic schema after each test. */
function make(options: Partial<OmsOptions> = {}): ReturnType<typeof testOms> {
  const made = testOms(options);
  emitted.push(made.events);
  return made;
}

afterEach(() => {
  for (const event of emitted.flat()) {
    const result = orderEventSchema.safeParse(event);
    expect(result.success, `${event.event_type} ${event.order_id}: ${JSON.stringify(result.error?.issues)}`).toBe(true);
    expect(orderEventSchema.strict().safeParse(event).success, 'no field beyond the schema').toBe(true);
  }
  emitted.length = 0;
});

const fill = (oms: Oms, orderId: string, lastQty: number, lastPx: number, execType: 'PARTIAL_FILL' | 'FILL' = 'PARTIAL_FILL') =>
  oms.onExecution({ orderId, execType, lastQty, lastPx });

describe('Oms.submit', () => {
  it('accepts an order within limits, emits ORDER_ACCEPTED and routes it once', () => {
    const { oms, events, calls } = make();
    const { order, replayed } = oms.submit(newOrderRequest(), 'key-1');
    expect(replayed).toBe(false);
    expect(order).toMatchObject({ order_id: 'O-1', status: 'NEW', filled_quantity: 0, average_price: null, reasons: [], created_at: '2026-03-02T09:30:00.000Z' });
    expect(events).toEqual([
      {
        event_id: 'E-1', schema_version: 1, event_time: '2026-03-02T09:30:00.000Z', source: 'oms', event_type: 'ORDER_ACCEPTED',
        order_id: 'O-1', client_order_id: 'C-1', idempotency_key: 'key-1', account_id: 'ACC-1', book_id: 'BOOK-1',
        legal_entity: 'BANK_A', instrument_id: 'US0378331005', side: 'BUY', order_type: 'LIMIT', quantity: 1000,
        limit_price: 185.25, currency: 'USD', status: 'NEW', filled_quantity: 0, average_price: null,
        replaces_order_id: null, reason: null,
      },
    ]);
    expect(calls).toEqual([{ op: 'route', orderId: 'O-1' }]);
    expect(oms.get('O-1')).toEqual(order);
  });

  it('stores an order that fails a pre-trade check as REJECTED with the reasons, emits ORDER_REJECTED and routes nothing', () => {
    const { oms, events, calls } = make();
    const { order } = oms.submit(newOrderRequest({ currency: 'EUR', limit_price: null }));
    expect(order.status).toBe('REJECTED');
    expect(order.reasons.map((r) => r.rule)).toEqual(['LIMIT_PRICE_REQUIRED', 'CURRENCY_MISMATCH']);
    expect(order.reason).toBe("a LIMIT order needs a limit_price; currency EUR does not match instrument US0378331005's USD");
    expect(events.map((e) => [e.event_type, e.status, e.reason])).toEqual([['ORDER_REJECTED', 'REJECTED', order.reason]]);
    expect(calls).toEqual([]);
    expect(oms.get(order.order_id)?.status).toBe('REJECTED');
  });

  it('refuses a malformed request before creating anything, naming each bad path', () => {
    const { oms, events } = make();
    const bad = { ...newOrderRequest({ quantity: -5 }), colour: 'red' };
    expect(() => oms.submit(bad)).toThrow(RequestValidationError);
    try {
      oms.submit(bad);
    } catch (err) {
      expect((err as RequestValidationError).issues).toEqual([
        { path: 'quantity', message: 'Too small: expected number to be >0' },
        { path: 'colour', message: 'unknown field' },
      ]);
    }
    expect(events).toEqual([]);
    expect(oms.submit(newOrderRequest()).order.order_id).toBe('O-1');
  });

  it('counts open orders against the open-notional limits until they are filled or cancelled', () => {
    const { oms } = make();
    const small = (limit_price: number) => newOrderRequest({ account_id: 'ACC-SMALL', quantity: 500, limit_price }); // 95,000 each
    const first = oms.submit(small(190)).order;
    expect(oms.submit(small(190)).order.status).toBe('NEW');
    expect(oms.submit(small(190)).order.reasons.map((r) => r.rule)).toEqual(['MAX_OPEN_NOTIONAL_ACCOUNT']);
    oms.cancel(first.order_id);
    expect(oms.submit(small(190)).order.status).toBe('NEW');
  });
});

describe('Oms.idempotency', () => {
  it('creates one order for a retried request with the same key and replays the first answer', () => {
    const { oms, events, calls } = make();
    const first = oms.submit(newOrderRequest(), 'retry-me');
    fill(oms, first.order.order_id, 100, 185);
    const again = oms.submit(newOrderRequest(), 'retry-me');
    expect(again).toEqual({ order: first.order, replayed: true });
    expect(events.map((e) => e.event_type)).toEqual(['ORDER_ACCEPTED', 'ORDER_FILLED']);
    expect(calls).toHaveLength(1);
  });

  it('treats the same body with its fields in another order as the same request', () => {
    const { oms, events } = make();
    const request = newOrderRequest();
    oms.submit(request, 'k');
    const reordered = Object.fromEntries(Object.entries(request).reverse()) as typeof request;
    expect(oms.submit(reordered, 'k').replayed).toBe(true);
    expect(events).toHaveLength(1);
  });

  it('refuses the same key with a different request and creates nothing', () => {
    const { oms, events } = make();
    oms.submit(newOrderRequest(), 'k');
    expect(() => oms.submit(newOrderRequest({ quantity: 2 }), 'k')).toThrow(IdempotencyKeyReusedError);
    expect(() => oms.cancel('O-1', 'k')).toThrow(IdempotencyKeyReusedError);
    expect(events).toHaveLength(1);
    expect(oms.get('O-1')?.status).toBe('NEW');
  });

  it('keeps a key for its time to live only (per process, in memory)', () => {
    let now = fixedTime;
    const { oms, events } = make({ clock: () => now, idempotencyTtlMs: 60_000 });
    oms.submit(newOrderRequest(), 'k');
    now += 59_999;
    expect(oms.submit(newOrderRequest(), 'k').replayed).toBe(true);
    now += 1;
    expect(oms.submit(newOrderRequest(), 'k')).toMatchObject({ replayed: false, order: { order_id: 'O-2' } });
    expect(events).toHaveLength(2);
  });

  it('replays a cancel, so a retried cancel is not refused as cancelling a cancelled order', () => {
    const { oms, events, calls } = make();
    oms.submit(newOrderRequest());
    const first = oms.cancel('O-1', 'cancel-1');
    expect(oms.cancel('O-1', 'cancel-1')).toEqual({ order: first.order, replayed: true });
    expect(() => oms.cancel('O-1', 'cancel-2')).toThrow(IllegalTransitionError);
    expect(events.map((e) => [e.event_type, e.idempotency_key])).toEqual([['ORDER_ACCEPTED', null], ['ORDER_CANCELLED', 'cancel-1']]);
    expect(calls.filter((c) => c.op === 'cancel')).toHaveLength(1);
  });

  it('refuses a key the orders topic cannot carry', () => {
    const { oms } = make();
    expect(() => oms.submit(newOrderRequest(), 'x'.repeat(129))).toThrow(/Idempotency-Key/);
    expect(() => oms.submit(newOrderRequest(), 'has space')).toThrow(RequestValidationError);
  });
});

describe('Oms.onExecution', () => {
  it('moves an order through PARTIALLY_FILLED to FILLED with the exact average price', () => {
    const { oms, events } = make();
    oms.submit(newOrderRequest());
    expect(fill(oms, 'O-1', 300, 185.1)).toMatchObject({ status: 'PARTIALLY_FILLED', filled_quantity: 300, average_price: 185.1 });
    expect(fill(oms, 'O-1', 700, 185.3, 'FILL')).toMatchObject({ status: 'FILLED', filled_quantity: 1000, average_price: 185.24 });
    expect(events.map((e) => [e.event_type, e.status, e.filled_quantity, e.average_price])).toEqual([
      ['ORDER_ACCEPTED', 'NEW', 0, null],
      ['ORDER_FILLED', 'PARTIALLY_FILLED', 300, 185.1],
      ['ORDER_FILLED', 'FILLED', 1000, 185.24],
    ]);
  });

  it('keeps quantities and average exact across fractional fills, where float sums drift', () => {
    const { oms } = make();
    oms.submit(newOrderRequest({ quantity: 1, limit_price: 102 }));
    const fills = [[0.3, 101.37], [0.6, 101.41], [0.1, 101.29]] as const;
    const naiveQuantity = fills.reduce((s, [q]) => s + q, 0);
    expect(naiveQuantity).toBe(0.9999999999999999);
    expect(fills.reduce((s, [q, p]) => s + q * p, 0) / naiveQuantity).toBe(101.38600000000002);
    fill(oms, 'O-1', ...fills[0]);
    fill(oms, 'O-1', ...fills[1]);
    expect(fill(oms, 'O-1', ...fills[2], 'FILL')).toMatchObject({ status: 'FILLED', filled_quantity: 1, average_price: 101.386 });
  });

  it('rounds an average with no finite decimal once, half-even, at 12 places', () => {
    const { oms } = make();
    oms.submit(newOrderRequest({ quantity: 3 }));
    fill(oms, 'O-1', 1, 1);
    expect(fill(oms, 'O-1', 2, 2, 'FILL').average_price).toBe(1.666666666667);
  });

  it('refuses a fill beyond the remaining quantity and one whose type disagrees with it, changing nothing', () => {
    const { oms, events } = make();
    oms.submit(newOrderRequest());
    fill(oms, 'O-1', 600, 185);
    expect(() => fill(oms, 'O-1', 401, 185, 'FILL')).toThrow(ExecutionMismatchError);
    expect(() => fill(oms, 'O-1', 400, 185, 'PARTIAL_FILL')).toThrow(/completes it/);
    expect(() => fill(oms, 'O-1', 0, 185)).toThrow(/lastQty > 0/);
    expect(oms.get('O-1')).toMatchObject({ status: 'PARTIALLY_FILLED', filled_quantity: 600 });
    expect(events).toHaveLength(2);
  });

  it("takes the venue's acknowledgement without an event, and refuses it once the order is done", () => {
    const { oms, events } = make();
    oms.submit(newOrderRequest());
    expect(oms.onExecution({ orderId: 'O-1', execType: 'NEW', lastQty: 0, lastPx: 0 }).status).toBe('NEW');
    fill(oms, 'O-1', 1000, 185, 'FILL');
    expect(() => oms.onExecution({ orderId: 'O-1', execType: 'NEW', lastQty: 0, lastPx: 0 })).toThrow(/ACK on order O-1 in status FILLED/);
    expect(events).toHaveLength(2);
  });

  it("records a venue's reject and a venue's cancel with their reasons", () => {
    const { oms, events } = make();
    oms.submit(newOrderRequest());
    oms.submit(newOrderRequest({ client_order_id: 'C-2' }));
    expect(oms.onExecution({ orderId: 'O-1', execType: 'REJECTED', lastQty: 0, lastPx: 0, reason: 'unknown symbol' })).toMatchObject({ status: 'REJECTED', reason: 'unknown symbol' });
    fill(oms, 'O-2', 250, 185);
    expect(oms.onExecution({ orderId: 'O-2', execType: 'CANCELLED', lastQty: 0, lastPx: 0 })).toMatchObject({ status: 'CANCELLED', filled_quantity: 250, reason: 'cancelled by the venue' });
    expect(events.map((e) => `${e.event_type} ${e.order_id}`)).toEqual(['ORDER_ACCEPTED O-1', 'ORDER_ACCEPTED O-2', 'ORDER_REJECTED O-1', 'ORDER_FILLED O-2', 'ORDER_CANCELLED O-2']);
  });

  it('refuses a report for an unknown order', () => {
    const { oms } = make();
    expect(() => fill(oms, 'O-404', 1, 1)).toThrow(OrderNotFoundError);
  });

  it('sees the order NEW when the router fills it at once, and emits the fill after the acceptance', () => {
    const events: OrderEvent[] = [];
    let oms: Oms | undefined;
    const made = make({ router: { route: (o) => void oms!.onExecution({ orderId: o.order_id, execType: 'FILL', lastQty: o.quantity, lastPx: 185 }), cancel: () => {} }, emit: (e) => void events.push(e) });
    emitted.push(events);
    oms = made.oms;
    const answer = oms.submit(newOrderRequest(), 'k');
    expect(answer.order.status).toBe('NEW');
    expect(oms.get('O-1')?.status).toBe('FILLED');
    expect(events.map((e) => e.event_type)).toEqual(['ORDER_ACCEPTED', 'ORDER_FILLED']);
    expect(oms.submit(newOrderRequest(), 'k').order.status).toBe('NEW');
  });
});

describe('Oms.cancel', () => {
  it('cancels an open order, emits ORDER_CANCELLED, tells the router, and takes the venue confirmation silently', () => {
    const { oms, events, calls } = make();
    oms.submit(newOrderRequest());
    fill(oms, 'O-1', 100, 185);
    expect(oms.cancel('O-1', undefined, { reason: 'desk request' }).order).toMatchObject({ status: 'CANCELLED', filled_quantity: 100, reason: 'desk request' });
    expect(calls).toEqual([{ op: 'route', orderId: 'O-1' }, { op: 'cancel', orderId: 'O-1' }]);
    expect(oms.onExecution({ orderId: 'O-1', execType: 'CANCELLED', lastQty: 0, lastPx: 0 }).status).toBe('CANCELLED');
    expect(events.map((e) => e.event_type)).toEqual(['ORDER_ACCEPTED', 'ORDER_FILLED', 'ORDER_CANCELLED']);
  });

  it('refuses to cancel a filled order, and a fill that comes after a cancel', () => {
    const { oms } = make();
    oms.submit(newOrderRequest());
    oms.submit(newOrderRequest());
    fill(oms, 'O-1', 1000, 185, 'FILL');
    expect(() => oms.cancel('O-1')).toThrow('illegal transition: CANCEL on order O-1 in status FILLED (FILLED is final)');
    oms.cancel('O-2');
    expect(() => fill(oms, 'O-2', 1, 185)).toThrow(IllegalTransitionError);
    expect(() => oms.cancel('O-404')).toThrow(OrderNotFoundError);
  });
});

describe('Oms.replace', () => {
  it('replaces an unfilled order: old REPLACED, new NEW pointing back, events in that order, cancel and route', () => {
    const { oms, events, calls } = make();
    oms.submit(newOrderRequest());
    const { order } = oms.replace('O-1', { quantity: 800, limit_price: 185.5 }, 'r1');
    expect(order).toMatchObject({ order_id: 'O-2', status: 'NEW', quantity: 800, limit_price: 185.5, replaces_order_id: 'O-1', client_order_id: 'C-1' });
    expect(oms.get('O-1')).toMatchObject({ status: 'REPLACED', replaced_by_order_id: 'O-2', quantity: 1000 });
    expect(events.map((e) => [e.event_type, e.order_id, e.status, e.replaces_order_id, e.idempotency_key])).toEqual([
      ['ORDER_ACCEPTED', 'O-1', 'NEW', null, null],
      ['ORDER_REPLACED', 'O-1', 'REPLACED', null, 'r1'],
      ['ORDER_ACCEPTED', 'O-2', 'NEW', 'O-1', 'r1'],
    ]);
    expect(calls).toEqual([{ op: 'route', orderId: 'O-1' }, { op: 'cancel', orderId: 'O-1' }, { op: 'route', orderId: 'O-2' }]);
    expect(oms.onExecution({ orderId: 'O-1', execType: 'CANCELLED', lastQty: 0, lastPx: 0 }).status).toBe('REPLACED');
  });

  it('uses router.replace when the router has one', () => {
    const { router, calls } = recordingRouter(true);
    const { oms } = make({ router });
    oms.submit(newOrderRequest());
    oms.replace('O-1', { quantity: 10 });
    expect(calls).toEqual([{ op: 'route', orderId: 'O-1' }, { op: 'replace', orderId: 'O-1', replacementId: 'O-2' }]);
  });

  it('refuses to replace a partially filled order, naming the states, and changes nothing', () => {
    const { oms, events } = make();
    oms.submit(newOrderRequest());
    fill(oms, 'O-1', 1, 185);
    expect(() => oms.replace('O-1', { quantity: 10 })).toThrow('illegal transition: REPLACE on order O-1 in status PARTIALLY_FILLED (PARTIALLY_FILLED allows PARTIAL_FILL, FILL, CANCEL)');
    expect(events).toHaveLength(2);
    expect(oms.get('O-2')).toBeUndefined();
  });

  it('keeps the old order live when the replacement fails a pre-trade check', () => {
    const { oms, events, calls } = make();
    oms.submit(newOrderRequest());
    const { order } = oms.replace('O-1', { quantity: 5_001 });
    expect(order).toMatchObject({ order_id: 'O-2', status: 'REJECTED', replaces_order_id: 'O-1' });
    expect(order.reasons.map((r) => r.rule)).toEqual(['MAX_ORDER_QUANTITY']);
    expect(oms.get('O-1')).toMatchObject({ status: 'NEW', replaced_by_order_id: null });
    expect(events.map((e) => `${e.event_type} ${e.order_id}`)).toEqual(['ORDER_ACCEPTED O-1', 'ORDER_REJECTED O-2']);
    expect(calls).toHaveLength(1);
  });

  it("checks the replacement without the old order's exposure", () => {
    const { oms } = make();
    const small = newOrderRequest({ account_id: 'ACC-SMALL', quantity: 500, limit_price: 190 }); // 95,000 of 200,000 open
    oms.submit(small);
    oms.submit(small);
    expect(oms.replace('O-1', { limit_price: 200 }).order.status).toBe('NEW'); // 100,000 + 95,000
  });

  it('refuses an empty or unknown change', () => {
    const { oms } = make();
    oms.submit(newOrderRequest());
    expect(() => oms.replace('O-1', {})).toThrow('invalid replace request: (root): give quantity, limit_price or both');
    expect(() => oms.replace('O-1', { side: 'SELL' } as never)).toThrow(/side: unknown field/);
  });
});
