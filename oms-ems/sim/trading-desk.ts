/**
 * The trading desk of the simulation, in one process: OMS -> EMS -> venues (their order books, called directly) ->
 * executions -> trade capture -> trades -> position keeping -> positions. Every component is the real one; only the
 * transport between them is a function call instead of HTTP, FIX and topics, so a day of a million trades takes
 * seconds. Every event any of them emits is collected, in the order emitted, for the sink.
 */
import type { Logger } from '../../lib/log.js';
import { TradeCapture, tradeEventId } from '../capture/trade-capture.js';
import { Ems } from '../ems/ems.js';
import { LocalVenue } from '../ems/local-venue.js';
import { Oms } from '../oms/oms.js';
import type { LimitsConfig } from '../oms/pre-trade-checks.js';
import { PositionKeeper } from '../positions/position-keeper.js';
import type { CounterpartyEvent } from '../schemas/counterparty-event.js';
import type { ExecutionEvent } from '../schemas/execution-event.js';
import type { InstrumentEvent } from '../schemas/instrument-event.js';
import type { TradeEvent } from '../schemas/trade-event.js';
import type { SimEvent } from './event-sink.js';
import type { MarketData } from './market-data.js';
import type { Universe } from './universe.js';

export interface TradingDeskOptions {
  seed: number;
  universe: Universe;
  market: MarketData;
  venues?: readonly string[];
  /** Prefix of the ids this desk makes (orders, venue orders and executions), so parallel desks never share one. */
  idPrefix?: string;
  logger: Logger;
}

export const defaultVenues = ['XLON', 'XNAS', 'XETR'] as const;

export class TradingDesk {
  /** Simulated time; the OMS, the venues and the EMS read it. */
  now = 0;
  readonly oms: Oms;
  readonly ems: Ems;
  // Bounded memory for a million trades a day: duplicates are detected among recent trades, the journal is summed.
  readonly capture = new TradeCapture({ maxRememberedTrades: 100_000 });
  readonly positions = new PositionKeeper({ keepJournal: false });
  readonly venues: LocalVenue[];
  private out: SimEvent[] = [];
  private captured: TradeEvent[] = [];
  private ids = 0;
  tradesToday = 0;
  readonly stats = { trades: 0, corrections: 0, positionEvents: 0, deadLettered: 0, rejectedOrders: 0 };

  constructor(options: TradingDeskOptions) {
    const { universe, market } = options;
    const instruments = new Map(universe.instruments.map((i) => [i.instrument_id, i]));
    const clock = (): number => this.now;
    this.venues = (options.venues ?? defaultVenues).map((venue, i) => new LocalVenue({ venue, idPrefix: `${options.idPrefix ?? ''}${venue}`, seed: options.seed + i, clock, referencePrice: (id) => (instruments.has(id) ? market.price(id) : undefined) }));
    const clearing = universe.tradingCounterparties;
    // Each venue clears through one of the clearing houses and dealers.
    const clearingOf = new Map(this.venues.map((v, i) => [v.venue, clearing[i % clearing.length].counterparty_id]));
    this.ems = new Ems({
      venues: this.venues,
      emit: (e) => this.onExecution(e),
      clearingCounterparty: (venue) => clearingOf.get(venue) ?? clearing[0].counterparty_id,
      logger: options.logger,
    });
    const limits: LimitsConfig = {
      defaults: { maxOrderQuantity: 200_000, maxOrderNotional: 50_000_000, maxOpenNotional: 5_000_000_000 },
      restrictedInstruments: universe.instruments.filter((i) => i.issuer_id === 'JUNKCO').slice(0, 1).map((i) => i.instrument_id),
    };
    this.oms = new Oms({
      limits,
      instrumentLookup: (id) => {
        const i = instruments.get(id);
        return i === undefined ? undefined : { currency: i.currency, price: market.price(id), asset_class: i.asset_class };
      },
      router: this.ems,
      emit: (e) => {
        if (e.event_type === 'ORDER_REJECTED') this.stats.rejectedOrders++;
        this.out.push({ topic: 'orders', key: e.order_id, value: e, timestampMs: this.now });
      },
      clock,
      closedOrderRetention: 50_000,
      newId: (kind) => `${kind === 'order' ? 'O' : 'OE'}-${options.idPrefix ?? ''}${options.seed}-${++this.ids}`,
      logger: options.logger,
    });
    this.ems.attach(this.oms);
  }

  /** Events emitted since the last call, in emission order. */
  drain(): SimEvent[] {
    const events = this.out;
    this.out = [];
    return events;
  }

  /** Trades captured from fills since the last call. */
  takeCaptured(): TradeEvent[] {
    const trades = this.captured;
    this.captured = [];
    return trades;
  }

  /** Reference data reaches trade capture as it would from its topics. */
  applyReference(events: SimEvent[]): void {
    for (const e of events) {
      if (e.topic === 'ref.instruments') this.capture.applyInstrument(e.value as unknown as InstrumentEvent);
      else if (e.topic === 'ref.counterparties') this.capture.applyCounterparty(e.value as unknown as CounterpartyEvent);
    }
  }

  /** An execution booked outside the venues (an OTC fill, or a migrated position), through capture like any other. */
  bookOtc(execution: ExecutionEvent): void {
    this.onExecution(execution);
  }

  /**
   * A late correction: version n+1 of a trade the caller holds, with the original business time, arriving now.
   * Built here rather than by trade capture, which remembers only recent trades.
   */
  correct(trade: TradeEvent, version: number, changes: Partial<Pick<TradeEvent, 'price' | 'quantity'>>): TradeEvent {
    const corrected: TradeEvent = { ...trade, ...changes, version, event_id: tradeEventId(trade.trade_id, version) };
    this.stats.corrections++;
    this.emitTrade(corrected);
    return corrected;
  }

  endOfDay(): void {
    for (const venue of this.venues) venue.endOfDay();
  }

  private onExecution(e: ExecutionEvent): void {
    this.out.push({ topic: 'executions', key: e.order_id, value: e, timestampMs: this.now });
    const result = this.capture.capture(e);
    if (result.kind === 'trade') {
      this.tradesToday++;
      this.stats.trades++;
      this.captured.push(result.trade);
      this.emitTrade(result.trade);
    } else if (result.kind === 'dead_letter') {
      this.stats.deadLettered++;
      this.out.push({ topic: 'trades.dead_letter', key: result.deadLetter.exec_id, value: result.deadLetter, timestampMs: this.now });
    }
  }

  emitTrade(trade: TradeEvent): void {
    this.out.push({ topic: 'trades', key: trade.trade_id, value: trade, timestampMs: this.now });
    const { events } = this.positions.apply(trade);
    for (const p of events) {
      this.stats.positionEvents++;
      this.out.push({ topic: 'positions', key: p.position_id, value: p, timestampMs: this.now });
    }
  }
}
