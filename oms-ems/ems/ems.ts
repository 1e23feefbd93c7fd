/**
 * The EMS: takes live orders from the OMS (it is the OMS's `OrderRouter`), sends each to the venue quoting the best
 * price for it (lowest offer for a buy, highest bid for a sell; the first venue on a tie), and turns every venue report
 * into an `executions` event and an update of the order in the OMS.
 *
 * Routing looks only at connected venues. When none of them quotes the side the order takes (a venue without market
 * data, such as the QuickFIX peer, or an instrument no venue has quoted yet), the order goes to the first connected
 * venue in the configured order, so list the preferred venue first; the venue then fills, rests or rejects it. Only
 * when no venue is connected, or the chosen one cannot take the order, is it rejected here, with no executions event.
 *
 *   const ems = new Ems({ venues, emit, clearingCounterparty });
 *   const oms = new Oms({ ..., router: ems });
 *   ems.attach(oms);
 *
 * A venue fill the OMS refuses (it raced a cancel) is still emitted: the venue traded, so trade capture must book it;
 * the mismatch is logged for operations.
 */
import { isoTime } from '../../lib/iso-time.js';
import { silentLogger, type Logger } from '../../lib/log.js';
import type { ExecutionEvent } from '../schemas/execution-event.js';
import type { Order, OrderRouter } from '../oms/oms.js';
import { addBusinessDays } from './settlement-date.js';
import type { VenueConnection, VenueOrderRequest, VenueReport } from './venue-connection.js';

export interface ExecutionSink {
  onExecution(report: { orderId: string; execType: VenueReport['execType']; lastQty: number; lastPx: number; reason?: string }): unknown;
}

export interface EmsOptions {
  venues: VenueConnection[];
  emit: (event: ExecutionEvent) => void;
  /** Who is on the other side of a fill at a venue: its clearing house or dealer, a counterparty id. */
  clearingCounterparty: (venue: string) => string;
  settlementDays?: number;
  logger?: Logger;
}

interface Routed {
  order: Order;
  venue: VenueConnection;
  request: VenueOrderRequest;
}

export class Ems implements OrderRouter {
  private readonly routed = new Map<string, Routed>();
  private oms: ExecutionSink | undefined;
  private readonly log: Logger;
  readonly stats = { routed: 0, routedWithoutQuote: 0, rejectedNoVenue: 0, reports: 0, omsRefused: 0, byVenue: {} as Record<string, number> };

  constructor(private readonly options: EmsOptions) {
    if (options.venues.length === 0) throw new Error('the EMS needs at least one venue');
    this.log = (options.logger ?? silentLogger).child({ module: 'ems' });
    for (const venue of options.venues) venue.onReport = (r) => this.onReport(r);
  }

  attach(oms: ExecutionSink): void {
    this.oms = oms;
  }

  route(order: Order): void {
    const request: VenueOrderRequest = {
      clOrdId: order.order_id, instrumentId: order.instrument_id, side: order.side, quantity: order.quantity,
      orderType: order.order_type, limitPrice: order.limit_price,
    };
    const quoted = this.bestVenue(order);
    const venue = quoted ?? this.options.venues.find((v) => v.connected);
    if (venue === undefined) {
      this.stats.rejectedNoVenue++;
      this.reject(order, `no venue connected for ${order.instrument_id}`);
      return;
    }
    this.routed.set(order.order_id, { order, venue, request });
    try {
      venue.newOrder(request);
    } catch (err) {
      this.routed.delete(order.order_id);
      this.stats.rejectedNoVenue++;
      this.log.warn({ orderId: order.order_id, venue: venue.venue, err: (err as Error).message }, 'order could not be sent to the venue');
      this.reject(order, `venue ${venue.venue} could not take the order: ${(err as Error).message}`);
      return;
    }
    this.stats.routed++;
    if (quoted === undefined) this.stats.routedWithoutQuote++;
    this.stats.byVenue[venue.venue] = (this.stats.byVenue[venue.venue] ?? 0) + 1;
  }

  /** The OMS has cancelled the order already; a venue that cannot be reached now is logged (its fills still count). */
  cancel(order: Order): void {
    const routed = this.routed.get(order.order_id);
    if (routed === undefined) return;
    try {
      routed.venue.cancel(order.order_id, routed.request);
    } catch (err) {
      this.log.warn({ orderId: order.order_id, venue: routed.venue.venue, err: (err as Error).message }, 'cancel could not be sent; the order may still trade at the venue');
    }
  }

  private reject(order: Order, reason: string): void {
    this.oms?.onExecution({ orderId: order.order_id, execType: 'REJECTED', lastQty: 0, lastPx: 0, reason: reason.slice(0, 200) });
  }

  /** The connected venue with the best price on the side the order takes; venues without a quote on it are skipped. */
  private bestVenue(order: Order): VenueConnection | undefined {
    let best: VenueConnection | undefined;
    let bestPrice = 0;
    for (const venue of this.options.venues) {
      if (!venue.connected) continue;
      const q = venue.quote(order.instrument_id);
      const price = order.side === 'BUY' ? q?.askPrice : q?.bidPrice;
      if (price === undefined) continue;
      if (best === undefined || (order.side === 'BUY' ? price < bestPrice : price > bestPrice)) {
        best = venue;
        bestPrice = price;
      }
    }
    return best;
  }

  private onReport(report: VenueReport): void {
    this.stats.reports++;
    const routed = this.routed.get(report.clOrdId);
    if (routed === undefined) {
      this.log.warn({ venue: report.venue, clOrdId: report.clOrdId, execId: report.execId }, 'report for an order this EMS did not route');
      return;
    }
    const { order } = routed;
    const transactTime = isoTime(report.transactTimeMs);
    const tradeDate = transactTime.slice(0, 10);
    this.options.emit({
      event_id: `exec:${report.venue}:${report.execId}`,
      schema_version: 1,
      event_time: transactTime,
      source: `venue:${report.venue}`,
      exec_id: report.execId,
      order_id: order.order_id,
      venue: report.venue,
      venue_order_id: report.venueOrderId,
      exec_type: report.execType,
      legal_entity: order.legal_entity,
      book_id: order.book_id,
      instrument_id: order.instrument_id,
      side: order.side,
      last_quantity: report.lastQty,
      last_price: report.lastPx,
      cumulative_quantity: report.cumQty,
      leaves_quantity: report.leavesQty,
      average_price: report.avgPx,
      currency: order.currency,
      counterparty_id: this.options.clearingCounterparty(report.venue),
      trade_date: tradeDate,
      settlement_date: addBusinessDays(tradeDate, this.options.settlementDays ?? 2),
      reason: report.reason,
    });
    if (report.execType === 'FILL' || report.execType === 'CANCELLED' || report.execType === 'REJECTED') this.routed.delete(report.clOrdId);
    try {
      this.oms?.onExecution({ orderId: order.order_id, execType: report.execType, lastQty: report.lastQty, lastPx: report.lastPx, ...(report.reason ? { reason: report.reason } : {}) });
    } catch (err) {
      this.stats.omsRefused++;
      this.log.warn({ orderId: order.order_id, venue: report.venue, execType: report.execType, err: (err as Error).message }, 'the OMS refused a venue report');
    }
  }
}
