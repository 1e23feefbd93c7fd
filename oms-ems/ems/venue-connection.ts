/**
 * What the EMS needs of a venue, whatever carries it: FIX over TCP (fix-venue-connection.ts, to our venue simulator
 * or to QuickFIX) or a call in the same process (local-venue.ts, for the simulator at full speed).
 */
export interface VenueQuote {
  bidPrice?: number;
  bidQty?: number;
  askPrice?: number;
  askQty?: number;
}

export interface VenueOrderRequest {
  /** The OMS order id, sent as ClOrdID (11). */
  clOrdId: string;
  instrumentId: string;
  side: 'BUY' | 'SELL';
  quantity: number;
  orderType: 'MARKET' | 'LIMIT';
  limitPrice: number | null;
}

/** An ExecutionReport (35=8) in plain terms. */
export interface VenueReport {
  venue: string;
  clOrdId: string;
  venueOrderId: string | null;
  execId: string;
  execType: 'NEW' | 'PARTIAL_FILL' | 'FILL' | 'CANCELLED' | 'REJECTED';
  lastQty: number;
  lastPx: number;
  cumQty: number;
  leavesQty: number;
  avgPx: number;
  reason: string | null;
  transactTimeMs: number;
}

export interface VenueConnection {
  readonly venue: string;
  /** Whether an order sent now reaches the venue: a FIX session logged on; always true in the same process. */
  readonly connected: boolean;
  /** Best bid and offer as last known; undefined when the venue has not quoted the instrument. */
  quote(instrumentId: string): VenueQuote | undefined;
  /** Throws (a TransientError) when the order cannot be sent; the EMS then rejects it. */
  newOrder(order: VenueOrderRequest): void;
  cancel(clOrdId: string, order: VenueOrderRequest): void;
  /** The EMS sets it before sending anything. */
  onReport: (report: VenueReport) => void;
  close(): Promise<void>;
}
