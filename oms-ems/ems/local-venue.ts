/**
 * A venue in the same process: the venue simulator's order books (oms-ems/venue/order-book.ts) called directly, with
 * no FIX session in between. The simulator uses it to generate a day at full speed; the FIX path uses the same books.
 * Orders are day orders: `endOfDay()` cancels what is still resting.
 */
import { OrderBook } from '../venue/order-book.js';
import { seededRandom, stringSeed } from '../venue/seeded-random.js';
import type { VenueConnection, VenueOrderRequest, VenueQuote, VenueReport } from './venue-connection.js';

export interface LocalVenueOptions {
  venue: string;
  /** Prefix of venue order and execution ids (default the venue's name). */
  idPrefix?: string;
  seed: number;
  /** Reference price per instrument; books open around it. */
  referencePrice: (instrumentId: string) => number | undefined;
  tickSize?: number;
  levels?: number;
  clock: () => number;
}

interface LiveOrder {
  request: VenueOrderRequest;
  venueOrderId: string;
  cumQty: number;
  notionalTicks: number;
}

export class LocalVenue implements VenueConnection {
  readonly venue: string;
  readonly connected = true;
  onReport: (report: VenueReport) => void = () => {};
  private books = new Map<string, OrderBook>();
  private readonly live = new Map<string, LiveOrder>();
  private readonly tick: number;
  private nextOrder = 1;
  private nextExec = 1;

  constructor(private readonly options: LocalVenueOptions) {
    this.venue = options.venue;
    this.tick = options.tickSize ?? 0.01;
  }

  private book(instrumentId: string): OrderBook | undefined {
    let book = this.books.get(instrumentId);
    if (book !== undefined) return book;
    const reference = this.options.referencePrice(instrumentId);
    if (reference === undefined) return undefined;
    const random = seededRandom(this.options.seed ^ stringSeed(`${this.venue}:${instrumentId}`));
    // Each venue quotes a little off the reference, so best execution has something to choose.
    const skew = Math.round((random() - 0.5) * 6);
    book = new OrderBook({ referenceTicks: Math.max(10, Math.round(reference / this.tick) + skew), levels: this.options.levels, random });
    this.books.set(instrumentId, book);
    return book;
  }

  quote(instrumentId: string): VenueQuote | undefined {
    const book = this.book(instrumentId);
    if (book === undefined) return undefined;
    const bid = book.best('buy');
    const ask = book.best('sell');
    return { bidPrice: bid && bid.priceTicks * this.tick, bidQty: bid?.qty, askPrice: ask && ask.priceTicks * this.tick, askQty: ask?.qty };
  }

  newOrder(request: VenueOrderRequest): void {
    const book = this.book(request.instrumentId);
    const order: LiveOrder = { request, venueOrderId: `${this.options.idPrefix ?? this.venue}-${this.nextOrder++}`, cumQty: 0, notionalTicks: 0 };
    if (book === undefined) return this.report(order, 'REJECTED', 0, 0, `unknown instrument ${request.instrumentId}`);
    if (!(request.quantity > 0) || !Number.isInteger(request.quantity)) return this.report(order, 'REJECTED', 0, 0, `quantity ${request.quantity} must be a positive whole number`);
    this.live.set(request.clOrdId, order);
    this.report(order, 'NEW', 0, 0, null);
    const limitTicks = request.limitPrice === null ? undefined : Math.round(request.limitPrice / this.tick);
    const result = book.submit({ id: request.clOrdId, side: request.side === 'BUY' ? 'buy' : 'sell', qty: request.quantity, limitTicks });
    for (const fill of result.fills) {
      this.fill(order, fill.qty, fill.priceTicks);
      if (fill.makerId !== undefined) {
        const maker = this.live.get(fill.makerId);
        if (maker !== undefined) this.fill(maker, fill.qty, fill.priceTicks);
      }
    }
    if (result.cancelledQty > 0 && order.cumQty < request.quantity) this.cancelled(order, 'no liquidity left for a market order');
  }

  cancel(clOrdId: string): void {
    const order = this.live.get(clOrdId);
    if (order === undefined) return;
    const book = this.books.get(order.request.instrumentId);
    if (book?.cancel(clOrdId) !== undefined) this.cancelled(order, 'cancelled on request');
  }

  /** Day orders expire: every resting order is cancelled, and tomorrow's books open around new prices. */
  endOfDay(): void {
    for (const order of [...this.live.values()]) {
      this.books.get(order.request.instrumentId)?.cancel(order.request.clOrdId);
      this.cancelled(order, 'day order expired at the close');
    }
    this.books = new Map();
  }

  async close(): Promise<void> {}

  private fill(order: LiveOrder, qty: number, priceTicks: number): void {
    order.cumQty += qty;
    order.notionalTicks += qty * priceTicks;
    const done = order.cumQty >= order.request.quantity;
    if (done) this.live.delete(order.request.clOrdId);
    this.report(order, done ? 'FILL' : 'PARTIAL_FILL', qty, priceTicks * this.tick, null);
  }

  private cancelled(order: LiveOrder, reason: string): void {
    this.live.delete(order.request.clOrdId);
    this.report(order, 'CANCELLED', 0, 0, reason);
  }

  private report(order: LiveOrder, execType: VenueReport['execType'], lastQty: number, lastPx: number, reason: string | null): void {
    const open = execType === 'NEW' || execType === 'PARTIAL_FILL';
    this.onReport({
      venue: this.venue,
      clOrdId: order.request.clOrdId,
      venueOrderId: order.venueOrderId,
      execId: `${this.options.idPrefix ?? this.venue}-E${this.nextExec++}`,
      execType,
      lastQty,
      lastPx: Math.round(lastPx * 1e8) / 1e8,
      cumQty: order.cumQty,
      leavesQty: open ? order.request.quantity - order.cumQty : 0,
      avgPx: order.cumQty === 0 ? 0 : Math.round((order.notionalTicks / order.cumQty) * this.tick * 1e8) / 1e8,
      reason,
      transactTimeMs: this.options.clock(),
    });
  }
}
