import { describe, expect, it } from 'vitest';
import { encodeFields, FixEncoder, parseMessage, type FixFields, type FixMessage } from '../fix/codec.js';
import { validateMessage } from '../fix/validate.js';
import {
  fixDecimal, marketDataRequestFields, newOrderSingleFields, orderCancelRequestFields, readExecutionReport, readSnapshot,
} from './fix-venue-messages.js';
import type { VenueOrderRequest } from './venue-connection.js';

const encoder = new FixEncoder('FIX.4.4', 'VENUE', 'EMS');
const sendingTime = '20260302-09:30:00.000';
const now = Date.parse('2026-03-02T09:30:05.000Z');

function message(msgType: string, fields: FixFields): FixMessage {
  return parseMessage(encoder.encode(msgType, 2, sendingTime, encodeFields(fields)));
}

/** A report of order O-1 at venue XLON; `fields` replace or add to the defaults. */
function executionReport(fields: FixFields): FixMessage {
  const all = new Map<number, string | number>([[6, '0'], [11, 'O-1'], [14, 0], [17, 'E1'], [37, 'V-1'], [39, '0'], [54, '1'], [55, 'US0378331005'], [60, '20260302-09:30:01.250']]);
  for (const [tag, value] of fields) all.set(tag, value);
  return message('8', [...all].sort((a, b) => a[0] - b[0]));
}

const read = (m: FixMessage, clOrdIdOf?: (id: string, orig: string | undefined) => string) => readExecutionReport(m, 'XLON', { nowMs: now, clOrdIdOf });

const limitBuy: VenueOrderRequest = { clOrdId: 'O-1', instrumentId: 'US0378331005', side: 'BUY', quantity: 1_500, orderType: 'LIMIT', limitPrice: 185.05 };

describe('reading ExecutionReports', () => {
  it('reads New as NEW with the venue order id, the TransactTime and nothing traded', () => {
    const r = read(executionReport([[150, '0'], [151, 1500]]));
    expect(r).toEqual({
      ok: true,
      report: {
        venue: 'XLON', clOrdId: 'O-1', venueOrderId: 'V-1', execId: 'E1', execType: 'NEW', lastQty: 0, lastPx: 0, cumQty: 0,
        leavesQty: 1500, avgPx: 0, reason: null, transactTimeMs: Date.parse('2026-03-02T09:30:01.250Z'),
      },
    });
  });

  it('reads a Trade as PARTIAL_FILL while quantity is left, and as FILL when OrdStatus is Filled', () => {
    const partial = read(executionReport([[150, 'F'], [39, '1'], [31, '185.01'], [32, 1000], [14, 1000], [151, 500], [6, '185.01']]));
    expect(partial).toMatchObject({ ok: true, report: { execType: 'PARTIAL_FILL', lastQty: 1000, lastPx: 185.01, cumQty: 1000, leavesQty: 500, avgPx: 185.01 } });
    const fill = read(executionReport([[150, 'F'], [39, '2'], [31, '185.02'], [32, 500], [14, 1500], [151, 0], [6, '185.0133']]));
    expect(fill).toMatchObject({ ok: true, report: { execType: 'FILL', lastQty: 500, lastPx: 185.02, cumQty: 1500, leavesQty: 0, avgPx: 185.0133 } });
  });

  it('reads a Trade with no quantity left as FILL even when OrdStatus still says partially filled', () => {
    expect(read(executionReport([[150, 'F'], [39, '1'], [31, '10'], [32, 5], [151, 0]]))).toMatchObject({ report: { execType: 'FILL' } });
  });

  it('reads Canceled under the order id the cancel request replaced, with the venue text as reason', () => {
    const cancel = message('8', [[6, '0'], [11, 'O-1~C1'], [14, 0], [17, 'E9'], [37, 'V-1'], [39, '4'], [41, 'O-1'], [54, '1'], [55, 'AAPL'], [150, '4'], [151, 0]]);
    expect(read(cancel, (id) => (id === 'O-1~C1' ? 'O-1' : id))).toMatchObject({ ok: true, report: { clOrdId: 'O-1', execType: 'CANCELLED', reason: null } });
    const unfilled = read(executionReport([[150, '4'], [39, '4'], [151, 0], [58, 'unfilled quantity canceled']]));
    expect(unfilled).toMatchObject({ report: { execType: 'CANCELLED', reason: 'unfilled quantity canceled', lastQty: 0 } });
  });

  it('reads Expired as CANCELLED, saying it expired', () => {
    expect(read(executionReport([[150, 'C'], [39, 'C'], [151, 0]]))).toMatchObject({ report: { execType: 'CANCELLED', reason: 'expired at the venue' } });
  });

  it('reads Rejected as REJECTED with Text, or with OrdRejReason when the venue gives no text', () => {
    expect(read(executionReport([[150, '8'], [39, '8'], [151, 0], [58, 'unknown Symbol XX'], [103, 1]]))).toMatchObject({ report: { execType: 'REJECTED', reason: 'unknown Symbol XX' } });
    expect(read(executionReport([[150, '8'], [39, '8'], [151, 0], [103, 13]]))).toMatchObject({ report: { execType: 'REJECTED', reason: 'rejected by the venue (OrdRejReason 13)' } });
    expect(read(executionReport([[150, '8'], [39, '8'], [151, 0], [58, 'x'.repeat(300)]]))).toMatchObject({ report: { reason: 'x'.repeat(200) } });
  });

  it('takes the clock for a report without TransactTime (QuickFIX sends none) and no OrderID NONE as a venue order id', () => {
    const m = message('8', [[6, '0'], [11, 'O-2'], [14, 0], [17, 'X1'], [37, 'NONE'], [39, '0'], [54, '2'], [55, 'AAPL'], [150, '0'], [151, 10]]);
    expect(read(m)).toMatchObject({ report: { clOrdId: 'O-2', venueOrderId: null, transactTimeMs: now } });
  });

  it('skips exec types that are not order events here, saying which', () => {
    expect(read(executionReport([[150, 'I'], [39, '0'], [151, 1500]]))).toEqual({ ok: false, skipped: 'ExecType I' });
    expect(read(executionReport([[150, '6'], [39, '6'], [151, 1500]]))).toEqual({ ok: false, skipped: 'ExecType 6' });
  });
});

describe('reading market data snapshots', () => {
  it('takes the highest bid and the lowest offer with their sizes, whatever the entry order', () => {
    const m = message('W', [[55, 'AAPL'], [262, 'md1'], [268, 4], [269, '1'], [270, '100.02'], [271, 300], [269, '0'], [270, '99.98'], [271, 700], [269, '1'], [270, '100.01'], [271, 200], [269, '0'], [270, '99.99'], [271, 100]]);
    expect(readSnapshot(m)).toEqual({ instrumentId: 'AAPL', mdReqId: 'md1', quote: { bidPrice: 99.99, bidQty: 100, askPrice: 100.01, askQty: 200 } });
  });

  it('leaves out a side with no entries', () => {
    const m = message('W', [[55, 'AAPL'], [262, 'md1'], [268, 1], [269, '0'], [270, '99.98'], [271, 700]]);
    expect(readSnapshot(m).quote).toEqual({ bidPrice: 99.98, bidQty: 700 });
  });
});

describe('writing order and market data messages', () => {
  const valid = (msgType: string, fields: FixFields): void => {
    const m = parseMessage(new FixEncoder('FIX.4.4', 'EMS', 'VENUE').encode(msgType, 2, sendingTime, encodeFields(fields)));
    expect(validateMessage(m), m.toString()).toBeNull();
  };

  it('writes a limit NewOrderSingle with the price, and a market one without, both valid FIX 4.4', () => {
    const limit = newOrderSingleFields(limitBuy, now);
    expect(limit).toEqual([[11, 'O-1'], [21, '1'], [38, '1500'], [40, '2'], [44, '185.05'], [54, '1'], [55, 'US0378331005'], [60, '20260302-09:30:05.000']]);
    valid('D', limit);
    const market = newOrderSingleFields({ ...limitBuy, side: 'SELL', orderType: 'MARKET', limitPrice: null }, now);
    expect(market.map(([t]) => t)).not.toContain(44);
    expect(market).toContainEqual([54, '2']);
    valid('D', market);
  });

  it('writes an OrderCancelRequest naming the order by OrigClOrdID and the venue OrderID when known', () => {
    const cancel = orderCancelRequestFields('O-1~C1', limitBuy, 'V-1', now);
    expect(cancel).toEqual([[11, 'O-1~C1'], [37, 'V-1'], [38, '1500'], [41, 'O-1'], [54, '1'], [55, 'US0378331005'], [60, '20260302-09:30:05.000']]);
    valid('F', cancel);
    valid('F', orderCancelRequestFields('O-1~C2', limitBuy, null, now));
  });

  it('writes a MarketDataRequest for snapshot and updates of the top of book, both sides', () => {
    const request = marketDataRequestFields('md7', 'AAPL');
    expect(request).toContainEqual([263, '1']);
    valid('V', request);
  });

  it('writes decimals without exponents or float noise', () => {
    expect([fixDecimal(100), fixDecimal(185.05), fixDecimal(1e-7), fixDecimal(0.1 + 0.2), fixDecimal(1e21)]).toEqual(['100', '185.05', '0.0000001', '0.3', '1000000000000000000000']);
  });
});
