/**
 * The FIX 4.4 messages the EMS exchanges with a venue, as pure functions: the body fields of NewOrderSingle (35=D),
 * OrderCancelRequest (35=F) and MarketDataRequest (35=V) to send, and the ExecutionReport (35=8) and
 * MarketDataSnapshotFullRefresh (35=W) received, read into a `VenueReport` and a `VenueQuote`.
 *
 * ExecType (150) to the EMS's exec type: 0 New → NEW; F Trade → FILL when OrdStatus (39) is 2 Filled or LeavesQty (151)
 * is 0, else PARTIAL_FILL; 4 Canceled and C Expired (a day order at the close) → CANCELLED; 8 Rejected → REJECTED with
 * Text (58), or the OrdRejReason (103) when there is no text. Other exec types (pending states, restatements, done for
 * day, trade corrections) are not order events here: `readExecutionReport` says which one it skipped.
 */
import type { FixFields, FixMessage, FixValue } from '../fix/codec.js';
import { parseDigits } from '../fix/codec.js';
import { Tag } from '../fix/tags.js';
import { formatUtcTimestamp, parseUtcTimestamp } from '../fix/utc-timestamp.js';
import type { VenueOrderRequest, VenueQuote, VenueReport } from './venue-connection.js';

/** The longest reason the OMS keeps (request-schemas.ts). */
const maxReasonLength = 200;

/** A price or quantity as FIX text: plain decimal notation, never an exponent, at most 8 decimals. */
export function fixDecimal(n: number): string {
  if (!Number.isFinite(n)) throw new RangeError(`not a finite number: ${n}`);
  return Number.isInteger(n) ? BigInt(n).toString() : n.toFixed(8).replace(/\.?0+$/, '');
}

export function newOrderSingleFields(order: VenueOrderRequest, transactTimeMs: number): FixFields {
  const fields: Array<[number, FixValue]> = [
    [Tag.ClOrdID, order.clOrdId],
    [Tag.HandlInst, '1'], // automated, no broker intervention: optional in FIX 4.4, but venues on older habits expect it
    [Tag.OrderQty, fixDecimal(order.quantity)],
    [Tag.OrdType, order.orderType === 'MARKET' ? '1' : '2'],
  ];
  if (order.orderType === 'LIMIT' && order.limitPrice !== null) fields.push([Tag.Price, fixDecimal(order.limitPrice)]);
  fields.push([Tag.Side, order.side === 'BUY' ? '1' : '2'], [Tag.Symbol, order.instrumentId], [Tag.TransactTime, formatUtcTimestamp(transactTimeMs)]);
  return fields;
}

export function orderCancelRequestFields(cancelClOrdId: string, order: VenueOrderRequest, venueOrderId: string | null, transactTimeMs: number): FixFields {
  const fields: Array<[number, FixValue]> = [[Tag.ClOrdID, cancelClOrdId]];
  if (venueOrderId !== null) fields.push([Tag.OrderID, venueOrderId]);
  fields.push(
    [Tag.OrderQty, fixDecimal(order.quantity)], [Tag.OrigClOrdID, order.clOrdId], [Tag.Side, order.side === 'BUY' ? '1' : '2'],
    [Tag.Symbol, order.instrumentId], [Tag.TransactTime, formatUtcTimestamp(transactTimeMs)],
  );
  return fields;
}

/** Snapshot plus updates (263=1) of the top of book (264=1), bids and offers, for one instrument. */
export function marketDataRequestFields(mdReqId: string, instrumentId: string): FixFields {
  return [
    [Tag.MDReqID, mdReqId], [Tag.SubscriptionRequestType, '1'], [Tag.MarketDepth, 1], [Tag.MDUpdateType, 0],
    [Tag.NoMDEntryTypes, 2], [Tag.MDEntryType, '0'], [Tag.MDEntryType, '1'],
    [Tag.NoRelatedSym, 1], [Tag.Symbol, instrumentId],
  ];
}

export type ReadReport =
  | { ok: true; report: VenueReport }
  | { ok: false; skipped: string };

/**
 * An ExecutionReport in plain terms. `clOrdIdOf` maps the ClOrdID the venue echoes (that of a cancel request, on a
 * Canceled report) back to the order's own; `nowMs` stands in for a missing TransactTime.
 */
export function readExecutionReport(message: FixMessage, venue: string, options: { clOrdIdOf?: (clOrdId: string, origClOrdId: string | undefined) => string; nowMs: number }): ReadReport {
  const execTypeCode = message.get(Tag.ExecType) ?? '';
  const ordStatus = message.get(Tag.OrdStatus);
  const leavesQty = numberField(message, Tag.LeavesQty);
  let execType: VenueReport['execType'];
  switch (execTypeCode) {
    case '0': execType = 'NEW'; break;
    case 'F': execType = ordStatus === '2' || leavesQty === 0 ? 'FILL' : 'PARTIAL_FILL'; break;
    case '4': case 'C': execType = 'CANCELLED'; break;
    case '8': execType = 'REJECTED'; break;
    default: return { ok: false, skipped: `ExecType ${execTypeCode || '(none)'}` };
  }
  const sentClOrdId = message.get(Tag.ClOrdID);
  if (sentClOrdId === undefined) return { ok: false, skipped: 'no ClOrdID' };
  const execId = message.get(Tag.ExecID);
  if (execId === undefined) return { ok: false, skipped: 'no ExecID' };
  const orderId = message.get(Tag.OrderID);
  const transactTimeMs = parseUtcTimestamp(message.get(Tag.TransactTime) ?? '');
  const fill = execType === 'FILL' || execType === 'PARTIAL_FILL';
  return {
    ok: true,
    report: {
      venue,
      clOrdId: options.clOrdIdOf ? options.clOrdIdOf(sentClOrdId, message.get(Tag.OrigClOrdID)) : sentClOrdId,
      venueOrderId: orderId === undefined || orderId === 'NONE' ? null : orderId,
      execId,
      execType,
      lastQty: fill ? numberField(message, Tag.LastQty) : 0,
      lastPx: fill ? numberField(message, Tag.LastPx) : 0,
      cumQty: numberField(message, Tag.CumQty),
      leavesQty,
      avgPx: numberField(message, Tag.AvgPx),
      reason: reasonOf(message, execType, execTypeCode),
      transactTimeMs: Number.isNaN(transactTimeMs) ? options.nowMs : transactTimeMs,
    },
  };
}

function reasonOf(message: FixMessage, execType: VenueReport['execType'], execTypeCode: string): string | null {
  let text = message.get(Tag.Text) || undefined;
  if (text === undefined && execType === 'REJECTED') {
    const code = message.get(Tag.OrdRejReason);
    text = code === undefined ? 'rejected by the venue' : `rejected by the venue (OrdRejReason ${code})`;
  }
  if (text === undefined && execTypeCode === 'C') text = 'expired at the venue';
  return text === undefined ? null : text.slice(0, maxReasonLength);
}

/** A non-negative decimal field; 0 when absent or unreadable (the venue left it out of a report that has none). */
function numberField(message: FixMessage, tag: number): number {
  const n = Number(message.get(tag) ?? Number.NaN);
  return Number.isFinite(n) && n >= 0 ? n : 0;
}

/**
 * Best bid and offer of a MarketDataSnapshotFullRefresh: the highest bid (MDEntryType 0) and the lowest offer (1),
 * with the size at that price, whatever order the entries come in. A side with no entries is left out.
 */
export function readSnapshot(message: FixMessage): { instrumentId: string | undefined; mdReqId: string | undefined; quote: VenueQuote } {
  const quote: VenueQuote = {};
  let type: string | undefined;
  let price = Number.NaN;
  const take = (size: number): void => {
    if (type === '0' && !Number.isNaN(price) && (quote.bidPrice === undefined || price > quote.bidPrice)) Object.assign(quote, { bidPrice: price, bidQty: size });
    if (type === '1' && !Number.isNaN(price) && (quote.askPrice === undefined || price < quote.askPrice)) Object.assign(quote, { askPrice: price, askQty: size });
  };
  const { tags, values } = message;
  let size = 0;
  let inEntry = false;
  for (let i = 0; i < tags.length; i++) {
    const tag = tags[i];
    if (tag === Tag.MDEntryType) {
      if (inEntry) take(size);
      inEntry = true;
      type = values[i];
      price = Number.NaN;
      size = 0;
    } else if (inEntry && tag === Tag.MDEntryPx) {
      price = Number(values[i]);
    } else if (inEntry && tag === Tag.MDEntrySize) {
      size = Number(values[i]);
    }
  }
  if (inEntry) take(size);
  return { instrumentId: message.get(Tag.Symbol), mdReqId: message.get(Tag.MDReqID), quote };
}

/** RefSeqNum (45) of a Reject or BusinessMessageReject, NaN when absent. */
export function refSeqNum(message: FixMessage): number {
  return parseDigits(message.get(Tag.RefSeqNum) ?? '');
}
