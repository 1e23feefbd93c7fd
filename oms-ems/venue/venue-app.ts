/**
 * The venue simulator behind `lakehouse fix-venue --app venue`: one `OrderBook` per Symbol (55).
 * - NewOrderSingle (market or limit; TimeInForce day, GTC, IOC, FOK): ExecutionReport New, then one Trade report per
 *   fill (LastQty/LastPx, CumQty, LeavesQty, AvgPx, OrdStatus 1 or 2) to the taker and to a resting client maker;
 *   a remainder that may not rest is reported Canceled. Bad quantity, price, side, type or an unknown symbol (when
 *   `rejectUnknownSymbols`) get ExecType Rejected with OrdRejReason and Text.
 * - OrderCancelRequest: Canceled report, or OrderCancelReject (too late / unknown order).
 * - MarketDataRequest: a MarketDataSnapshotFullRefresh per symbol with bids and offers (MarketDepth 0 = all levels);
 *   SubscriptionRequestType 1 also sends a new snapshot whenever those levels change, 2 stops that.
 */
import { silentLogger, type Logger } from '../../lib/log.js';
import type { FixFields, FixMessage, FixValue } from '../fix/codec.js';
import { FixRejectError } from '../fix/reject-error.js';
import type { FixApplication, FixSession } from '../fix/session.js';
import { MsgType, Tag } from '../fix/tags.js';
import { formatUtcTimestamp } from '../fix/utc-timestamp.js';
import { OrderBook } from './order-book.js';
import { seededRandom, stringSeed } from './seeded-random.js';

export interface VenueOptions {
  /** Seed of the house liquidity (default 1). */
  seed?: number;
  /** Reference price per symbol; other symbols get one derived from the seed and the symbol. */
  referencePrices?: Record<string, number>;
  /** Reject orders and market data requests for symbols not in `referencePrices`. */
  rejectUnknownSymbols?: boolean;
  tickSize?: number;
  /** House price levels each side of the reference price. */
  levels?: number;
  maxOrderQty?: number;
  logger?: Logger;
  clock?: () => number;
}

interface VenueOrder {
  orderId: string;
  clOrdId: string;
  session: FixSession;
  symbol: string;
  side: '1' | '2';
  ordType: string;
  timeInForce?: string;
  qty: number;
  price?: string;
  cumQty: number;
  leavesQty: number;
  /** Sum of fill price (ticks) x qty, for AvgPx. */
  notionalTicks: number;
  status: string;
}

interface Subscription {
  session: FixSession;
  mdReqId: string;
  depth: number;
  last: string;
}

const REJECT = { UnknownSymbol: 1, DuplicateOrder: 6, Unsupported: 11, IncorrectQuantity: 13, Other: 99 } as const;

export interface VenueApplication extends FixApplication {
  book(symbol: string): OrderBook | undefined;
}

export function createVenueApplication(options: VenueOptions = {}): VenueApplication {
  const seed = options.seed ?? 1;
  const tick = options.tickSize ?? 0.01;
  const decimals = Math.max(0, Math.ceil(-Math.log10(tick) - 1e-9));
  const maxQty = options.maxOrderQty ?? 1_000_000_000;
  const now = options.clock ?? Date.now;
  const logger = (options.logger ?? silentLogger).child({ module: 'venue' });
  const books = new Map<string, OrderBook>();
  const orders = new Map<string, VenueOrder>();
  const byClOrdId = new Map<FixSession, Map<string, VenueOrder>>();
  const subscriptions = new Map<string, Subscription[]>();
  let nextOrderId = 1;
  let nextExecId = 1;

  const px = (ticks: number): string => (ticks * tick).toFixed(decimals);
  const avgPx = (o: VenueOrder): string => (o.cumQty === 0 ? '0' : String(Number(((o.notionalTicks / o.cumQty) * tick).toFixed(decimals + 4))));

  function bookFor(symbol: string): OrderBook | undefined {
    let book = books.get(symbol);
    if (book) return book;
    const reference = options.referencePrices?.[symbol];
    if (reference === undefined && options.rejectUnknownSymbols) return undefined;
    const random = seededRandom(seed ^ stringSeed(symbol));
    const referenceTicks = Math.round((reference ?? 10 + random() * 490) / tick);
    book = new OrderBook({ referenceTicks, levels: options.levels, random });
    books.set(symbol, book);
    return book;
  }

  function report(o: VenueOrder, execType: string, extra: Array<[number, FixValue]> = []): void {
    const fields: Array<[number, FixValue]> = [
      [Tag.AvgPx, avgPx(o)], [Tag.ClOrdID, o.clOrdId], [Tag.CumQty, o.cumQty], [Tag.ExecID, `E${nextExecId++}`],
      [Tag.OrderID, o.orderId], [Tag.OrderQty, o.qty], [Tag.OrdStatus, o.status], [Tag.OrdType, o.ordType],
    ];
    if (o.price !== undefined) fields.push([Tag.Price, o.price]);
    fields.push([Tag.Side, o.side]);
    if (o.symbol) fields.push([Tag.Symbol, o.symbol]);
    if (o.timeInForce !== undefined) fields.push([Tag.TimeInForce, o.timeInForce]);
    fields.push([Tag.TransactTime, formatUtcTimestamp(now())], [Tag.ExecType, execType], [Tag.LeavesQty, o.leavesQty], ...extra);
    fields.sort((a, b) => a[0] - b[0]);
    o.session.send(MsgType.ExecutionReport, fields);
  }

  function reject(o: VenueOrder, reason: number, text: string): void {
    o.status = '8';
    o.leavesQty = 0;
    report(o, '8', [[Tag.Text, text], [Tag.OrdRejReason, reason]]);
  }

  function newOrder(message: FixMessage, session: FixSession): void {
    const clOrdId = message.get(Tag.ClOrdID)!;
    const qtyText = message.get(Tag.OrderQty);
    const order: VenueOrder = {
      orderId: `O${nextOrderId++}`, clOrdId, session, symbol: message.get(Tag.Symbol) ?? '', side: message.get(Tag.Side) as '1' | '2',
      ordType: message.get(Tag.OrdType)!, timeInForce: message.get(Tag.TimeInForce), qty: Number(qtyText ?? 0),
      price: message.get(Tag.Price), cumQty: 0, leavesQty: 0, notionalTicks: 0, status: '0',
    };
    let sessionOrders = byClOrdId.get(session);
    if (!sessionOrders) byClOrdId.set(session, (sessionOrders = new Map()));
    const previous = sessionOrders.get(clOrdId);
    if (previous && previous.leavesQty > 0) return reject(order, REJECT.DuplicateOrder, `duplicate ClOrdID ${clOrdId}`);
    sessionOrders.set(clOrdId, order);
    if (order.side !== '1' && order.side !== '2') return reject(order, REJECT.Unsupported, `unsupported Side ${order.side}`);
    if (order.ordType !== '1' && order.ordType !== '2') return reject(order, REJECT.Unsupported, `unsupported OrdType ${order.ordType}`);
    const tif = order.timeInForce ?? '0';
    if (!['0', '1', '3', '4'].includes(tif)) return reject(order, REJECT.Unsupported, `unsupported TimeInForce ${tif}`);
    if (!(order.qty > 0) || order.qty > maxQty || !Number.isInteger(order.qty)) {
      return reject(order, REJECT.IncorrectQuantity, `OrderQty must be a whole number from 1 to ${maxQty}`);
    }
    let limitTicks: number | undefined;
    if (order.ordType === '2') {
      const price = Number(order.price ?? Number.NaN);
      limitTicks = Math.round(price / tick);
      if (!(price > 0) || Math.abs(limitTicks * tick - price) > tick * 1e-6) {
        return reject(order, REJECT.Other, `limit Price must be > 0 and a multiple of ${tick}`);
      }
    }
    const book = order.symbol ? bookFor(order.symbol) : undefined;
    if (!book) return reject(order, REJECT.UnknownSymbol, `unknown Symbol ${order.symbol}`);

    order.leavesQty = order.qty;
    orders.set(order.orderId, order);
    report(order, '0');
    const result = book.submit({
      id: order.orderId, side: order.side === '1' ? 'buy' : 'sell', qty: order.qty, limitTicks,
      timeInForce: tif === '3' ? 'ioc' : tif === '4' ? 'fok' : 'day',
    });
    for (const fill of result.fills) {
      trade(order, fill.priceTicks, fill.qty);
      if (fill.makerId !== undefined) {
        const maker = orders.get(fill.makerId);
        if (maker) trade(maker, fill.priceTicks, fill.qty);
      }
    }
    if (result.cancelledQty > 0) {
      order.leavesQty = 0;
      order.status = '4';
      report(order, '4', [[Tag.Text, 'unfilled quantity canceled']]);
    }
    if (order.leavesQty === 0) orders.delete(order.orderId);
    publish(order.symbol);
  }

  function trade(o: VenueOrder, priceTicks: number, qty: number): void {
    o.cumQty += qty;
    o.leavesQty -= qty;
    o.notionalTicks += priceTicks * qty;
    o.status = o.leavesQty === 0 ? '2' : '1';
    report(o, 'F', [[Tag.LastPx, px(priceTicks)], [Tag.LastQty, qty]]);
    if (o.leavesQty === 0) orders.delete(o.orderId);
  }

  function cancelOrder(message: FixMessage, session: FixSession): void {
    const clOrdId = message.get(Tag.ClOrdID)!;
    const origClOrdId = message.get(Tag.OrigClOrdID)!;
    const o = byClOrdId.get(session)?.get(origClOrdId);
    const left = o && o.leavesQty > 0 ? bookFor(o.symbol)?.cancel(o.orderId) : undefined;
    if (!o || left === undefined) {
      const fields: Array<[number, FixValue]> = [
        [Tag.ClOrdID, clOrdId], [Tag.OrderID, o?.orderId ?? 'NONE'], [Tag.OrdStatus, o?.status ?? '8'], [Tag.OrigClOrdID, origClOrdId],
        [Tag.Text, o ? `order ${origClOrdId} is already ${o.status === '2' ? 'filled' : 'done'}` : `unknown order ${origClOrdId}`],
        [Tag.CxlRejReason, o ? 0 : 1], [Tag.CxlRejResponseTo, 1],
      ];
      session.send(MsgType.OrderCancelReject, fields);
      return;
    }
    o.leavesQty = 0;
    o.status = '4';
    orders.delete(o.orderId);
    const previousClOrdId = o.clOrdId;
    o.clOrdId = clOrdId;
    report(o, '4', [[Tag.OrigClOrdID, previousClOrdId]]);
    publish(o.symbol);
  }

  function snapshot(symbol: string, book: OrderBook, depth: number, mdReqId: string): FixFields {
    const fields: Array<[number, FixValue]> = [[Tag.MDReqID, mdReqId], [Tag.Symbol, symbol]];
    const bids = book.depth('buy', depth);
    const offers = book.depth('sell', depth);
    fields.push([Tag.NoMDEntries, bids.length + offers.length]);
    for (const [type, levels] of [['0', bids], ['1', offers]] as const) {
      for (const l of levels) fields.push([Tag.MDEntryType, type], [Tag.MDEntryPx, px(l.priceTicks)], [Tag.MDEntrySize, l.qty]);
    }
    return fields;
  }

  function marketData(message: FixMessage, session: FixSession): void {
    const mdReqId = message.get(Tag.MDReqID)!;
    const type = message.get(Tag.SubscriptionRequestType)!;
    const depth = Number(message.get(Tag.MarketDepth));
    const symbols = message.tags.flatMap((t, i) => (t === Tag.Symbol ? [message.values[i]] : []));
    if (type === '2') {
      for (const [symbol, subs] of subscriptions) subscriptions.set(symbol, subs.filter((s) => !(s.session === session && s.mdReqId === mdReqId)));
      return;
    }
    const unknown = symbols.find((s) => !bookFor(s));
    if (unknown !== undefined || symbols.length === 0) {
      session.send(MsgType.MarketDataRequestReject, [[Tag.MDReqID, mdReqId], [Tag.Text, `unknown Symbol ${unknown ?? ''}`], [Tag.MDReqRejReason, 0]]);
      return;
    }
    for (const symbol of symbols) {
      const fields = snapshot(symbol, bookFor(symbol)!, depth, mdReqId);
      session.send(MsgType.MarketDataSnapshotFullRefresh, fields);
      if (type === '1') {
        const subs = subscriptions.get(symbol) ?? [];
        subs.push({ session, mdReqId, depth, last: JSON.stringify(fields) });
        subscriptions.set(symbol, subs);
      }
    }
  }

  function publish(symbol: string): void {
    const subs = subscriptions.get(symbol);
    if (!subs?.length) return;
    const book = books.get(symbol)!;
    for (const sub of subs) {
      if (!sub.session.isLoggedOn) continue;
      const fields = snapshot(symbol, book, sub.depth, sub.mdReqId);
      const text = JSON.stringify(fields);
      if (text === sub.last) continue;
      sub.last = text;
      sub.session.send(MsgType.MarketDataSnapshotFullRefresh, fields);
    }
  }

  return {
    book: (symbol) => books.get(symbol),
    onLogout(session) {
      // Sequence numbers reset at the next Logon; a day order outlives its session as on a real venue.
      for (const [symbol, subs] of subscriptions) subscriptions.set(symbol, subs.filter((s) => s.session !== session));
      logger.info({ counterparty: session.targetCompId }, 'counterparty logged out');
    },
    fromApp(message, session) {
      switch (message.msgType) {
        case MsgType.NewOrderSingle: return newOrder(message, session);
        case MsgType.OrderCancelRequest: return cancelOrder(message, session);
        case MsgType.MarketDataRequest: return marketData(message, session);
        default: throw FixRejectError.unsupportedMessageType();
      }
    },
  };
}
