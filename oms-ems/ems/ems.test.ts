import { describe, expect, it } from 'vitest';
import { TransientError } from '../../lib/errors.js';
import { newOrderRequest, testOms } from '../oms/test-fixtures.js';
import type { ExecutionEvent } from '../schemas/execution-event.js';
import { Ems } from './ems.js';
import type { VenueConnection, VenueOrderRequest, VenueQuote, VenueReport } from './venue-connection.js';

/** A venue that records what it is sent and quotes what it is told. */
class FakeVenue implements VenueConnection {
  onReport: (report: VenueReport) => void = () => {};
  readonly orders: VenueOrderRequest[] = [];
  readonly cancels: string[] = [];
  constructor(readonly venue: string, public quotes: Record<string, VenueQuote> = {}, public connected = true, public failing = false) {}
  quote(instrumentId: string): VenueQuote | undefined {
    return this.quotes[instrumentId];
  }
  newOrder(order: VenueOrderRequest): void {
    if (this.failing) throw new TransientError(`venue ${this.venue} is not connected`);
    this.orders.push(order);
  }
  cancel(clOrdId: string): void {
    if (this.failing) throw new TransientError('down');
    this.cancels.push(clOrdId);
  }
  async close(): Promise<void> {}
}

function desk(venues: FakeVenue[]) {
  const executions: ExecutionEvent[] = [];
  const ems = new Ems({ venues, emit: (e) => void executions.push(e), clearingCounterparty: () => 'CCP-1' });
  const { oms, events } = testOms({ router: ems });
  ems.attach(oms);
  return { ems, oms, events, executions };
}

const aapl = 'US0378331005';

describe('Ems routing', () => {
  it('sends a buy to the lowest offer and a sell to the highest bid', () => {
    const a = new FakeVenue('A', { [aapl]: { bidPrice: 185.1, askPrice: 185.3 } });
    const b = new FakeVenue('B', { [aapl]: { bidPrice: 185.2, askPrice: 185.4 } });
    const { oms } = desk([a, b]);
    oms.submit(newOrderRequest({ side: 'BUY' }));
    oms.submit(newOrderRequest({ side: 'SELL' }));
    expect([a.orders.map((o) => o.side), b.orders.map((o) => o.side)]).toEqual([['BUY'], ['SELL']]);
  });

  it('skips a disconnected venue even when its last quote was the best', () => {
    const a = new FakeVenue('A', { [aapl]: { askPrice: 185.0 } }, false);
    const b = new FakeVenue('B', { [aapl]: { askPrice: 185.4 } });
    const { oms } = desk([a, b]);
    oms.submit(newOrderRequest());
    expect([a.orders.length, b.orders.length]).toEqual([0, 1]);
  });

  it('sends an order no venue quotes to the first connected venue, and counts it', () => {
    const a = new FakeVenue('A', {}, false);
    const b = new FakeVenue('B', { [aapl]: { bidPrice: 185.2 } });
    const c = new FakeVenue('C');
    const { ems, oms } = desk([a, b, c]);
    const { order } = oms.submit(newOrderRequest({ side: 'BUY' }));
    expect([a.orders.length, b.orders.map((o) => o.clOrdId), c.orders.length]).toEqual([0, [order.order_id], 0]);
    expect(ems.stats).toMatchObject({ routed: 1, routedWithoutQuote: 1, rejectedNoVenue: 0, byVenue: { B: 1 } });
  });

  it('rejects an order when no venue is connected, without an executions event', () => {
    const { ems, oms, executions } = desk([new FakeVenue('A', { [aapl]: { askPrice: 1 } }, false)]);
    const { order } = oms.submit(newOrderRequest());
    expect(oms.get(order.order_id)).toMatchObject({ status: 'REJECTED', reason: `no venue connected for ${aapl}` });
    expect(executions).toEqual([]);
    expect(ems.stats.rejectedNoVenue).toBe(1);
  });

  it('rejects an order the chosen venue cannot take', () => {
    const { oms, events } = desk([new FakeVenue('A', {}, true, true)]);
    const { order } = oms.submit(newOrderRequest());
    expect(oms.get(order.order_id)).toMatchObject({ status: 'REJECTED', reason: 'venue A could not take the order: venue A is not connected' });
    expect(events.map((e) => e.event_type)).toEqual(['ORDER_ACCEPTED', 'ORDER_REJECTED']);
  });

  it('cancels in the OMS even when the cancel cannot reach the venue', () => {
    const a = new FakeVenue('A');
    const { oms } = desk([a]);
    const { order } = oms.submit(newOrderRequest());
    a.failing = true;
    expect(oms.cancel(order.order_id).order.status).toBe('CANCELLED');
  });

  it('forwards a cancel to the venue the order went to', () => {
    const a = new FakeVenue('A');
    const { oms } = desk([a]);
    const { order } = oms.submit(newOrderRequest());
    oms.cancel(order.order_id);
    expect(a.cancels).toEqual([order.order_id]);
  });
});
