/**
 * The EMS: takes live orders from the OMS (it is the OMS's `OrderRouter`), sends each to the venue quoting the best
 * price for it (lowest offer for a buy, highest bid for a sell; the first venue on a tie), and turns every venue report
 * into an `executions` event and an update of the order in the OMS.
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
  readonly stats = { routed: 0, rejectedNoVenue: 0, reports: 0, omsRefused: 0, byVenue: {} as Record<string, number> };

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
    const venue = this.bestVenue(order);
    if (venue === undefined) {
      this.stats.rejectedNoVenue++;
      this.oms?.onExecution({ orderId: order.order_id, execType: 'REJECTED', lastQty: 0, lastPx: 0, reason: `no venue quotes ${order.instrument_id}` });
      return;
    }
    this.routed.set(order.order_id, { order, venue, request });
    this.stats.routed++;
    this.stats.byVenue[venue.venue] = (this.stats.byVenue[venue.venue] ?? 0) + 1;
    venue.newOrder(request);
  }

  cancel(order: Order): void {
    const routed = this.routed.get(order.order_id);
    routed?.venue.cancel(order.order_id, routed.request);
  }

  /** The venue with the best price on the side the order takes; venues without a quote on that side are skipped. */
  private bestVenue(order: Order): VenueConnection | undefined {
    let best: VenueConnection | undefined;
    let bestPrice = 0;
    for (const venue of this.options.venues) {
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
