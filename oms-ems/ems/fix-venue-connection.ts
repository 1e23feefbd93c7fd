/**
 * A venue reached over a FIX 4.4 session (our FixInitiator): the EMS's `VenueConnection` to `lakehouse fix-venue`,
 * to QuickFIX, or to any FIX 4.4 acceptor.
 *
 *   const venue = await FixVenueConnection.connect({ venue: 'XLON', host, port, senderCompId: 'OMS', targetCompId: 'XLON',
 *                                                    instruments: ['US0378331005'], logger });
 *   new Ems({ venues: [venue, ...], ... });
 *   await venue.close();   // Logout
 *
 * - Orders: NewOrderSingle with ClOrdID = the OMS order id; a cancel is an OrderCancelRequest with a ClOrdID of its
 *   own (`<order id>~C<n>`), whose Canceled report is handed to the EMS under the order's id. ExecutionReports become
 *   `VenueReport`s (fix-venue-messages.ts); an OrderCancelReject is logged. A NewOrderSingle the venue refuses at
 *   the session level (Reject 35=3) or as a business message (35=j) is reported REJECTED with the venue's text, so
 *   the order does not hang.
 * - Quotes: one MarketDataRequest (snapshot + updates, top of book) per instrument, sent at logon for `instruments`,
 *   and afterwards on `subscribe` or on the first `quote()` of an instrument not asked for yet (that call still
 *   answers undefined). Every MarketDataSnapshotFullRefresh replaces the instrument's best bid and offer. A
 *   MarketDataRequestReject leaves that instrument unquoted; a Reject or BusinessMessageReject of a MarketDataRequest
 *   means the venue has no market data at all (the QuickFIX peer): it is marked `quoting = false` and asked no more
 *   until the next logon. `connect` waits up to `quoteWaitMs` for the answers to the logon's requests.
 * - Sessions: sequence numbers start from 1 at every Logon (`resetOnLogon`, default true), as our venue and the
 *   QuickFIX peer do; `storeDir` journals what was sent, for resend requests within a session. A lost connection is
 *   retried after `reconnectDelayMs`, doubling up to `maxReconnectDelayMs`; meanwhile `connected` is false, quotes are
 *   dropped, and the EMS routes elsewhere. After a reconnect the subscriptions are made again.
 */
import { TransientError } from '../../lib/errors.js';
import { silentLogger, type Logger } from '../../lib/log.js';
import type { FixMessage } from '../fix/codec.js';
import { FixInitiator } from '../fix/initiator.js';
import { MsgType, Tag } from '../fix/tags.js';
import { marketDataRequestFields, newOrderSingleFields, orderCancelRequestFields, readExecutionReport, refSeqNum } from './fix-venue-messages.js';
import type { VenueConnection, VenueOrderRequest, VenueQuote, VenueReport } from './venue-connection.js';
import { VenueQuotes } from './venue-quotes.js';

export interface FixVenueConnectionOptions {
  /** The venue's name in routing and in `executions` events. */
  venue: string;
  host: string;
  port: number;
  senderCompId: string;
  targetCompId: string;
  /** Journal of sequence numbers and sent messages; omitted: in memory. */
  storeDir?: string;
  /** Instruments to subscribe to at every logon. */
  instruments?: readonly string[];
  logger?: Logger;
  heartbeatIntervalS?: number;
  /** Sequence numbers back to 1 at every Logon (default true). */
  resetOnLogon?: boolean;
  logonTimeoutMs?: number;
  /** How long `connect` waits for the answers to the market data requests it sent (default 2000 ms). */
  quoteWaitMs?: number;
  /** First wait before reconnecting a lost session (default 1000 ms; 0: do not reconnect). */
  reconnectDelayMs?: number;
  maxReconnectDelayMs?: number;
  clock?: () => number;
}

type Sent = { kind: 'order' | 'cancel'; clOrdId: string } | { kind: 'md'; instrumentId: string };

interface LiveOrder {
  request: VenueOrderRequest;
  venueOrderId: string | null;
  cancelIds: string[];
}

/** Requests remembered for matching a Reject to what it refuses; a Reject comes right after, so few are needed. */
const maxRemembered = 10_000;

export class FixVenueConnection implements VenueConnection {
  readonly venue: string;
  onReport: (report: VenueReport) => void = () => {};
  private readonly fix: FixInitiator;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly wanted: Set<string>;
  private readonly quotes = new VenueQuotes();
  private readonly sent = new Map<number, Sent>();
  private readonly live = new Map<string, LiveOrder>();
  private readonly cancelOf = new Map<string, string>();
  private nextRequest = 1;
  private closing = false;
  private connecting = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private reconnectDelayMs: number;

  private constructor(private readonly options: FixVenueConnectionOptions) {
    this.venue = options.venue;
    this.now = options.clock ?? Date.now;
    this.log = (options.logger ?? silentLogger).child({ module: 'fix-venue-connection', venue: options.venue });
    this.wanted = new Set(options.instruments ?? []);
    this.reconnectDelayMs = options.reconnectDelayMs ?? 1_000;
    this.fix = new FixInitiator({
      host: options.host, port: options.port, senderCompId: options.senderCompId, targetCompId: options.targetCompId,
      storeDir: options.storeDir, heartbeatIntervalS: options.heartbeatIntervalS, resetOnLogon: options.resetOnLogon ?? true,
      logonTimeoutMs: options.logonTimeoutMs, logger: options.logger, session: options.clock ? { clock: options.clock } : undefined,
    });
    this.fix.on('message', (m) => this.guard(m, () => this.fromVenue(m)));
    this.fix.on('reject', (m) => this.guard(m, () => this.refused(m, m.get(Tag.Text) ?? `session reject ${m.get(Tag.SessionRejectReason) ?? ''}`.trim())));
    this.fix.on('logon', () => this.onLogon());
    this.fix.on('disconnect', (reason) => this.onDisconnect(reason));
  }

  /** Connects, logs on and waits (up to `quoteWaitMs`) for the first quotes; rejects when the logon fails. */
  static async connect(options: FixVenueConnectionOptions): Promise<FixVenueConnection> {
    const connection = new FixVenueConnection(options);
    connection.connecting = true;
    try {
      await connection.fix.connect();
    } catch (err) {
      connection.closing = true;
      connection.fix.close();
      throw err;
    } finally {
      connection.connecting = false;
    }
    const waitMs = options.quoteWaitMs ?? 2_000;
    if (!(await connection.quotes.allAnswered(waitMs))) {
      connection.log.warn({ waitedMs: waitMs, unanswered: connection.quotes.unanswered }, 'market data requests not all answered in time');
    }
    return connection;
  }

  get connected(): boolean {
    return this.fix.loggedOn;
  }

  /** False once the venue refused market data as such; routing then sees no quotes from it. */
  get quoting(): boolean {
    return this.quotes.quoting;
  }

  quote(instrumentId: string): VenueQuote | undefined {
    if (!this.connected || !this.quotes.quoting) return undefined;
    if (!this.quotes.has(instrumentId)) this.subscribe([instrumentId]);
    return this.quotes.get(instrumentId);
  }

  /** Adds instruments to the subscriptions (now if logged on, else at the next logon). */
  subscribe(instrumentIds: Iterable<string>): void {
    for (const id of instrumentIds) {
      this.wanted.add(id);
      if (this.connected && this.quotes.quoting && !this.quotes.has(id)) this.requestMarketData(id);
    }
  }

  newOrder(order: VenueOrderRequest): void {
    const seq = this.send(MsgType.NewOrderSingle, newOrderSingleFields(order, this.now()));
    this.live.set(order.clOrdId, { request: order, venueOrderId: null, cancelIds: [] });
    this.remember(seq, { kind: 'order', clOrdId: order.clOrdId });
  }

  cancel(clOrdId: string, order: VenueOrderRequest): void {
    const live = this.live.get(clOrdId);
    if (live === undefined) return; // done at the venue already
    const cancelId = `${clOrdId}~C${live.cancelIds.length + 1}`;
    const seq = this.send(MsgType.OrderCancelRequest, orderCancelRequestFields(cancelId, order, live.venueOrderId, this.now()));
    live.cancelIds.push(cancelId);
    this.cancelOf.set(cancelId, clOrdId);
    this.remember(seq, { kind: 'cancel', clOrdId });
  }

  /** Logs out (waiting for the answer or the logout timeout) and stops reconnecting. */
  async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.reconnectTimer);
    if (this.fix.session.isConnected) await this.fix.logout('EMS closing');
    this.fix.close();
  }

  private send(msgType: string, fields: Parameters<FixInitiator['send']>[1]): number {
    if (!this.connected) throw new TransientError(`venue ${this.venue} is not connected`, { venue: this.venue });
    return this.fix.send(msgType, fields);
  }

  private requestMarketData(instrumentId: string): void {
    const mdReqId = `md${this.nextRequest++}`;
    const seq = this.send(MsgType.MarketDataRequest, marketDataRequestFields(mdReqId, instrumentId));
    this.quotes.asked(mdReqId, instrumentId);
    this.remember(seq, { kind: 'md', instrumentId });
  }

  private remember(seq: number, what: Sent): void {
    this.sent.set(seq, what);
    if (this.sent.size > maxRemembered) this.sent.delete(this.sent.keys().next().value!);
  }

  /** A failure handling one message is logged; it must not reach the session, which would reject the venue's message. */
  private guard(message: FixMessage, handle: () => void): void {
    try {
      handle();
    } catch (err) {
      this.log.error({ err, msgType: message.msgType, seqNum: message.seqNum }, 'failed on a message from the venue');
    }
  }

  private fromVenue(message: FixMessage): void {
    switch (message.msgType) {
      case MsgType.ExecutionReport: return this.onExecutionReport(message);
      case MsgType.MarketDataSnapshotFullRefresh: return this.quotes.onSnapshot(message);
      case MsgType.MarketDataRequestReject: {
        const instrumentId = this.quotes.onReject(message);
        this.log.info({ instrumentId, text: message.get(Tag.Text), reason: message.get(Tag.MDReqRejReason) }, 'the venue does not quote this instrument');
        return;
      }
      case MsgType.OrderCancelReject: {
        const clOrdId = message.get(Tag.OrigClOrdID) ?? message.get(Tag.ClOrdID);
        this.log.warn({ clOrdId, status: message.get(Tag.OrdStatus), text: message.get(Tag.Text) }, 'the venue rejected a cancel');
        return;
      }
      case MsgType.BusinessMessageReject:
        return this.refused(message, message.get(Tag.Text) ?? `business reject ${message.get(Tag.BusinessRejectReason) ?? ''}`.trim());
      default:
        this.log.debug({ msgType: message.msgType }, 'message from the venue ignored');
    }
  }

  private onExecutionReport(message: FixMessage): void {
    const read = readExecutionReport(message, this.venue, { nowMs: this.now(), clOrdIdOf: (id, orig) => this.cancelOf.get(id) ?? (orig !== undefined && this.live.has(orig) ? orig : id) });
    if (!read.ok) {
      this.log.debug({ clOrdId: message.get(Tag.ClOrdID), skipped: read.skipped }, 'execution report skipped');
      return;
    }
    const { report } = read;
    const live = this.live.get(report.clOrdId);
    if (live !== undefined) {
      live.venueOrderId ??= report.venueOrderId;
      if (report.execType === 'FILL' || report.execType === 'CANCELLED' || report.execType === 'REJECTED') this.done(report.clOrdId, live);
    }
    this.onReport(report);
  }

  private done(clOrdId: string, live: LiveOrder): void {
    this.live.delete(clOrdId);
    for (const id of live.cancelIds) this.cancelOf.delete(id);
  }

  /** A Reject (35=3) or BusinessMessageReject (35=j) of something we sent. */
  private refused(message: FixMessage, text: string): void {
    const what = this.sent.get(refSeqNum(message));
    if (what?.kind === 'md' || (what === undefined && message.get(Tag.RefMsgType) === MsgType.MarketDataRequest)) {
      if (this.quotes.quoting) this.log.info({ text }, 'the venue has no market data: it gets orders only when no venue quotes');
      this.quotes.refused();
      return;
    }
    if (what?.kind === 'order') {
      const live = this.live.get(what.clOrdId);
      if (live === undefined) return;
      this.done(what.clOrdId, live);
      this.log.warn({ clOrdId: what.clOrdId, text }, 'the venue refused an order message');
      this.onReport({
        venue: this.venue, clOrdId: what.clOrdId, venueOrderId: null, execId: `REJ-${what.clOrdId}`, execType: 'REJECTED',
        lastQty: 0, lastPx: 0, cumQty: 0, leavesQty: 0, avgPx: 0, reason: `the venue refused the order: ${text}`.slice(0, 200), transactTimeMs: this.now(),
      });
      return;
    }
    this.log.warn({ refSeqNum: message.get(Tag.RefSeqNum), refMsgType: message.get(Tag.RefMsgType), kind: what?.kind, text }, 'the venue refused a message');
  }

  private onLogon(): void {
    this.sent.clear();
    this.quotes.reset(true);
    this.reconnectDelayMs = this.options.reconnectDelayMs ?? 1_000;
    this.log.info({ instruments: this.wanted.size }, 'logged on to the venue');
    try {
      this.subscribe([...this.wanted]);
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'market data requests not sent');
    }
  }

  private onDisconnect(reason: string): void {
    this.quotes.reset(this.quotes.quoting);
    if (this.closing) return;
    this.log.warn({ reason, openOrders: this.live.size }, 'venue session lost');
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closing || this.connecting || this.reconnectTimer !== undefined || !(this.reconnectDelayMs > 0)) return;
    const delayMs = this.reconnectDelayMs;
    this.reconnectDelayMs = Math.min(delayMs * 2, this.options.maxReconnectDelayMs ?? 30_000);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      void this.reconnect();
    }, delayMs);
    this.reconnectTimer.unref();
  }

  private async reconnect(): Promise<void> {
    if (this.closing) return;
    this.connecting = true;
    try {
      await this.fix.connect();
    } catch (err) {
      this.log.warn({ err: (err as Error).message, retryInMs: this.reconnectDelayMs }, 'reconnecting to the venue failed');
    } finally {
      this.connecting = false;
    }
    if (!this.connected) this.scheduleReconnect();
  }
}
