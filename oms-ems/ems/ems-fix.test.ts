/**
 * The OMS and the EMS trading over FIX 4.4 on TCP with venues in processes of their own: two `lakehouse fix-venue`
 * venues quoting different prices, and the QuickFIX C++ venue, which has no market data.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startFixVenue } from '../../test/fix-venue-process.js';
import { topicValidator } from '../../test/json-schema-validator.js';
import { startQuickfixVenue } from '../../test/quickfix-peer.js';
import { until } from '../../test/until.js';
import { Oms } from '../oms/oms.js';
import { instrumentLookup, limits, newOrderRequest } from '../oms/test-fixtures.js';
import type { ExecutionEvent } from '../schemas/execution-event.js';
import type { OrderEvent } from '../schemas/order-event.js';
import { Ems } from './ems.js';
import { FixVenueConnection } from './fix-venue-connection.js';

const AAPL = 'US0378331005';
const UST = 'US912828ZT05';
const validExecution = topicValidator('executions');
const validOrder = topicValidator('orders');

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function venueProcess(args: string[]): Promise<number> {
  const venue = await startFixVenue([...args, '--counterparties', 'EMS', '--log-level', 'warn']);
  cleanups.push(async () => {
    const result = await venue.stop();
    expect(result.code, result.stderr).toBe(0);
  });
  return venue.port;
}

async function connect(venue: string, port: number, instruments: string[]): Promise<FixVenueConnection> {
  const connection = await FixVenueConnection.connect({ venue, host: '127.0.0.1', port, senderCompId: 'EMS', targetCompId: venue, instruments });
  cleanups.push(() => connection.close());
  return connection;
}

function tradingDesk(venues: FixVenueConnection[]) {
  const executions: ExecutionEvent[] = [];
  const orders: OrderEvent[] = [];
  const ems = new Ems({ venues, emit: (e) => void executions.push(e), clearingCounterparty: (venue) => `CCP-${venue}` });
  const oms = new Oms({ limits, instrumentLookup, router: ems, emit: (e) => void orders.push(e) });
  ems.attach(oms);
  const reportsOf = (orderId: string) => executions.filter((e) => e.order_id === orderId);
  const done = (orderId: string) => ['FILLED', 'CANCELLED', 'REJECTED'].includes(oms.get(orderId)?.status ?? '');
  return { ems, oms, executions, orders, reportsOf, done };
}

function expectValidEvents(executions: ExecutionEvent[], orders: OrderEvent[]): void {
  for (const e of executions) expect(validExecution(e), JSON.stringify(validExecution.errors)).toBe(true);
  for (const e of orders) expect(validOrder(e), JSON.stringify(validOrder.errors)).toBe(true);
}

describe('the EMS trading over FIX with venues in other processes', () => {
  it('buys at the venue with the lower offer, sells at the one with the higher bid, fills in parts and cancels a resting order', async () => {
    const cheapPort = await venueProcess(['--comp-id', 'XCHEAP', '--seed', '1', '--symbols', `${AAPL}=185,${UST}=99.5`, '--reject-unknown-symbols']);
    const dearPort = await venueProcess(['--comp-id', 'XDEAR', '--seed', '2', '--symbols', `${AAPL}=185.5,${UST}=99.8`, '--reject-unknown-symbols']);
    // The dearer venue first: the choice must come from the quotes, not the order of the list.
    const dear = await connect('XDEAR', dearPort, [AAPL, UST]);
    const cheap = await connect('XCHEAP', cheapPort, [AAPL, UST]);
    expect([cheap.quote(AAPL), dear.quote(AAPL)]).toMatchObject([{ bidPrice: 184.99, askPrice: 185.01 }, { bidPrice: 185.49, askPrice: 185.51 }]);
    const desk = tradingDesk([dear, cheap]);

    const buy = desk.oms.submit(newOrderRequest({ side: 'BUY', quantity: 1_000, limit_price: 185.05 })).order;
    const sell = desk.oms.submit(newOrderRequest({ side: 'SELL', quantity: 1_000, limit_price: 185.4 })).order;
    await until(() => desk.done(buy.order_id) && desk.done(sell.order_id), 'both orders filled');
    expect(desk.oms.get(buy.order_id)).toMatchObject({ status: 'FILLED', filled_quantity: 1_000, average_price: 185.01 });
    expect(desk.oms.get(sell.order_id)).toMatchObject({ status: 'FILLED', filled_quantity: 1_000, average_price: 185.49 });
    expect(desk.reportsOf(buy.order_id).map((e) => [e.venue, e.exec_type, e.last_quantity, e.last_price])).toEqual([['XCHEAP', 'NEW', 0, 0], ['XCHEAP', 'FILL', 1_000, 185.01]]);
    expect(desk.reportsOf(sell.order_id).map((e) => [e.venue, e.exec_type, e.last_quantity, e.last_price])).toEqual([['XDEAR', 'NEW', 0, 0], ['XDEAR', 'FILL', 1_000, 185.49]]);
    expect(desk.reportsOf(sell.order_id)[1]).toMatchObject({ counterparty_id: 'CCP-XDEAR', side: 'SELL', instrument_id: AAPL, source: 'venue:XDEAR', cumulative_quantity: 1_000, leaves_quantity: 0 });

    // Larger than the best offer's size: it walks up the book, one report per level, and may rest the rest.
    const big = desk.oms.submit(newOrderRequest({ instrument_id: UST, side: 'BUY', quantity: 20_000, limit_price: 99.53 })).order;
    await until(() => desk.reportsOf(big.order_id).some((e) => e.leaves_quantity === 0 || e.last_price === 99.53), 'the large order to reach its limit');
    await until(() => {
      const fills = desk.reportsOf(big.order_id).filter((e) => e.exec_type.endsWith('FILL'));
      return fills.reduce((s, e) => s + e.last_quantity, 0) === desk.oms.get(big.order_id)!.filled_quantity && fills.length >= 2;
    }, 'the OMS to have every fill');
    const bigFills = desk.reportsOf(big.order_id).filter((e) => e.exec_type.endsWith('FILL'));
    expect(new Set(bigFills.map((e) => e.venue))).toEqual(new Set(['XCHEAP']));
    expect(bigFills.map((e) => e.last_price)).toEqual([...bigFills.map((e) => e.last_price)].sort((a, b) => a - b));
    const filled = bigFills.reduce((s, e) => s + e.last_quantity, 0);
    const bigOrder = desk.oms.get(big.order_id)!;
    expect(bigOrder.status).toBe(filled === 20_000 ? 'FILLED' : 'PARTIALLY_FILLED');
    expect(bigOrder.average_price).toBeCloseTo(bigFills.reduce((s, e) => s + e.last_quantity * e.last_price, 0) / filled, 9);
    expect(bigFills.at(-1)).toMatchObject({ cumulative_quantity: filled, leaves_quantity: 20_000 - filled });

    // Below every offer: it rests at the cheaper venue until the cancel reaches it.
    const resting = desk.oms.submit(newOrderRequest({ side: 'BUY', quantity: 500, limit_price: 180 })).order;
    await until(() => desk.reportsOf(resting.order_id).length === 1, 'the resting order to be acknowledged');
    expect(desk.oms.cancel(resting.order_id).order.status).toBe('CANCELLED');
    await until(() => desk.reportsOf(resting.order_id).length === 2, 'the venue to confirm the cancel');
    expect(desk.reportsOf(resting.order_id).map((e) => [e.venue, e.exec_type, e.leaves_quantity])).toEqual([['XCHEAP', 'NEW', 500], ['XCHEAP', 'CANCELLED', 0]]);
    expect(desk.oms.get(resting.order_id)!.status).toBe('CANCELLED');

    expect(desk.ems.stats).toMatchObject({ routed: 4, routedWithoutQuote: 0, omsRefused: 0, byVenue: { XCHEAP: 3, XDEAR: 1 } });
    expect(desk.orders.map((e) => e.event_type).filter((t) => t === 'ORDER_REJECTED')).toEqual([]);
    expectValidEvents(desk.executions, desk.orders);
  });

  it('sends orders no venue quotes to the QuickFIX venue, which fills them, and reports its refusal of a market order', async () => {
    const quickfix = await startQuickfixVenue({ senderCompId: 'QFVENUE', counterparties: ['EMS'] });
    cleanups.push(() => quickfix.stop());
    const oursPort = await venueProcess(['--comp-id', 'XOURS', '--symbols', `${AAPL}=185`, '--reject-unknown-symbols']);
    const qf = await connect('QFVENUE', quickfix.port, [UST]);
    const ours = await connect('XOURS', oursPort, [UST]);
    expect(qf.quoting).toBe(false); // a BusinessMessageReject of its MarketDataRequest
    expect([ours.quoting, ours.quote(UST)]).toEqual([true, undefined]); // a MarketDataRequestReject of that symbol
    const desk = tradingDesk([qf, ours]);

    const ids = [1_000, 2_500, 4_000].map((quantity) => desk.oms.submit(newOrderRequest({ instrument_id: UST, side: 'SELL', quantity, limit_price: 99.5 })).order.order_id);
    await until(() => ids.every(desk.done), 'the QuickFIX venue to fill the orders');
    for (const [i, id] of ids.entries()) {
      expect(desk.oms.get(id)).toMatchObject({ status: 'FILLED', filled_quantity: [1_000, 2_500, 4_000][i], average_price: 99.5 });
      expect(desk.reportsOf(id).map((e) => [e.venue, e.exec_type, e.last_quantity])).toEqual([['QFVENUE', 'NEW', 0], ['QFVENUE', 'FILL', [1_000, 2_500, 4_000][i]]]);
    }

    // QuickFIX's venue reads Price from every order: a market order gets a BusinessMessageReject, which ends the order.
    const market = desk.oms.submit(newOrderRequest({ instrument_id: UST, side: 'BUY', order_type: 'MARKET', limit_price: null, quantity: 100 })).order;
    await until(() => desk.done(market.order_id), 'the market order to be rejected');
    expect(desk.oms.get(market.order_id)).toMatchObject({ status: 'REJECTED' });
    expect(desk.reportsOf(market.order_id)).toMatchObject([{ venue: 'QFVENUE', exec_type: 'REJECTED', reason: expect.stringMatching(/^the venue refused the order: /) }]);

    expect(desk.ems.stats).toMatchObject({ routed: 4, routedWithoutQuote: 4, byVenue: { QFVENUE: 4 } });
    expectValidEvents(desk.executions, desk.orders);
  }, 90_000);
});
