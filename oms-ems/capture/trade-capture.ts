/**
 * Trade capture and enrichment: turns fills into booked trades (CONTRACT.md section 3), joining each execution with
 * the instrument master and the counterparty directory, held as reference tables fed from their topics.
 *
 * - One trade per fill (PARTIAL_FILL or FILL with last_quantity > 0); other execution types produce nothing.
 * - `trade_id` is derived from venue + exec_id, so a re-run or re-delivery gives the same id, version and content
 *   and consumers deduplicate.
 * - A fill whose instrument or counterparty is unknown or withdrawn becomes a dead letter naming what is missing.
 *   It is not remembered: the same execution, delivered again once the reference data has arrived, is captured.
 * - Duplicates: the last `maxRememberedTrades` captured trades are remembered (insertion order, oldest forgotten
 *   first); an execution whose trade is remembered produces nothing. One older than that is captured again, with the
 *   same trade_id, version 1 and content, which the trade store and position keeping treat as a repeat.
 */
import { TerminalError } from '../../lib/errors.js';
import type { CounterpartyEvent } from '../schemas/counterparty-event.js';
import type { ExecutionEvent } from '../schemas/execution-event.js';
import type { InstrumentEvent } from '../schemas/instrument-event.js';
import { tradeEventSchema, type TradeDeadLetterEvent, type TradeEvent } from '../schemas/trade-event.js';
import { captureSource, unenrichedDeadLetter, type MissingReference } from './dead-letter.js';
import { ReferenceTable, type ReferenceApplyOutcome } from './reference-table.js';
import { derivedId, stableId } from './stable-id.js';

export type IgnoredReason = 'not_a_fill' | 'no_quantity' | 'duplicate';

export type CaptureResult =
  | { kind: 'trade'; trade: TradeEvent }
  | { kind: 'dead_letter'; deadLetter: TradeDeadLetterEvent }
  | { kind: 'ignored'; reason: IgnoredReason };

/** What a correction may change: the economics and booking, not the identity, version or envelope. */
export type TradeCorrection = Partial<Omit<TradeEvent, 'trade_id' | 'version' | 'event_id' | 'schema_version' | 'event_time' | 'source' | 'created_date'>>;

export interface TradeCaptureOptions {
  /** How many captured trades are remembered for duplicate detection and corrections. */
  maxRememberedTrades?: number;
}

export interface CaptureStats {
  trades: number;
  deadLettered: number;
  ignored: Record<IgnoredReason, number>;
  corrections: number;
}

export function tradeIdFor(venue: string, execId: string): string {
  return stableId('T:', [venue, execId]);
}

export function tradeEventId(tradeId: string, version: number): string {
  return derivedId('trade:', tradeId, version);
}

export class TradeCapture {
  readonly instruments = new ReferenceTable<InstrumentEvent>((i) => i.instrument_id);
  readonly counterparties = new ReferenceTable<CounterpartyEvent>((c) => c.counterparty_id);
  readonly stats: CaptureStats = { trades: 0, deadLettered: 0, ignored: { not_a_fill: 0, no_quantity: 0, duplicate: 0 }, corrections: 0 };
  private readonly maxRememberedTrades: number;
  /** trade_id -> latest version captured or corrected. */
  private readonly remembered = new Map<string, TradeEvent>();
  /** Trade ids in the order they were remembered (from `orderHead` on), and where each one last went in. */
  private order: string[] = [];
  private orderHead = 0;
  private readonly rememberedAt = new Map<string, number>();

  constructor(options: TradeCaptureOptions = {}) {
    this.maxRememberedTrades = options.maxRememberedTrades ?? 1_000_000;
  }

  applyInstrument(event: InstrumentEvent): ReferenceApplyOutcome {
    return this.instruments.apply(event);
  }

  applyCounterparty(event: CounterpartyEvent): ReferenceApplyOutcome {
    return this.counterparties.apply(event);
  }

  capture(exec: ExecutionEvent): CaptureResult {
    if (exec.exec_type !== 'PARTIAL_FILL' && exec.exec_type !== 'FILL') return this.ignore('not_a_fill');
    if (!(exec.last_quantity > 0)) return this.ignore('no_quantity');
    const tradeId = tradeIdFor(exec.venue, exec.exec_id);
    if (this.remembered.has(tradeId)) return this.ignore('duplicate');

    const instrument = this.instruments.lookup(exec.instrument_id);
    const counterparty = this.counterparties.lookup(exec.counterparty_id);
    const missing: MissingReference[] = [];
    const reasons: string[] = [];
    if (instrument.status !== 'active') {
      missing.push('instrument');
      reasons.push(instrument.status === 'withdrawn'
        ? `instrument ${exec.instrument_id} was withdrawn from the instrument master (${instrument.since})`
        : `instrument ${exec.instrument_id} is not in the instrument master`);
    }
    if (counterparty.status !== 'active') {
      missing.push('counterparty');
      reasons.push(counterparty.status === 'withdrawn'
        ? `counterparty ${exec.counterparty_id} was withdrawn from the counterparty directory (${counterparty.since})`
        : `counterparty ${exec.counterparty_id} is not in the counterparty directory`);
    }
    if (instrument.status !== 'active' || counterparty.status !== 'active') {
      this.stats.deadLettered += 1;
      return { kind: 'dead_letter', deadLetter: unenrichedDeadLetter(exec, missing, reasons) };
    }

    const trade: TradeEvent = {
      event_id: tradeEventId(tradeId, 1),
      schema_version: 1,
      event_time: exec.event_time,
      source: captureSource,
      trade_id: tradeId,
      version: 1,
      counterparty_id: exec.counterparty_id,
      book_id: exec.book_id,
      legal_entity: exec.legal_entity,
      instrument_id: exec.instrument_id,
      asset_class: instrument.record.asset_class,
      side: exec.side,
      quantity: exec.last_quantity,
      price: exec.last_price,
      currency: exec.currency,
      trade_date: exec.trade_date,
      settlement_date: exec.settlement_date,
      maturity_date: instrument.record.maturity_date,
      created_date: utcDate(exec.event_time),
      exec_id: exec.exec_id,
      venue: exec.venue,
      counterparty_type: counterparty.record.counterparty_type,
      issuer_id: instrument.record.issuer_id,
    };
    this.remember(trade);
    this.stats.trades += 1;
    return { kind: 'trade', trade };
  }

  /**
   * Version n+1 of a remembered trade with `changes` applied, as of `eventTime` (the correction's business time).
   * Throws a TerminalError when the trade is not remembered or the corrected trade breaks the schema.
   */
  correct(tradeId: string, changes: TradeCorrection, eventTime: string): TradeEvent {
    const previous = this.remembered.get(tradeId);
    if (previous === undefined) throw new TerminalError(`cannot correct trade ${tradeId}: not captured here, or no longer remembered`, { tradeId });
    const version = previous.version + 1;
    const candidate = { ...previous, ...changes, trade_id: tradeId, version, event_id: tradeEventId(tradeId, version), event_time: eventTime, source: captureSource };
    const parsed = tradeEventSchema.safeParse(candidate);
    if (!parsed.success) {
      throw new TerminalError(`correction of trade ${tradeId} is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, { tradeId, version });
    }
    this.remember(parsed.data);
    this.stats.corrections += 1;
    return parsed.data;
  }

  /** The latest version of a remembered trade. */
  trade(tradeId: string): TradeEvent | undefined {
    return this.remembered.get(tradeId);
  }

  /**
   * Keeps the latest version of the trade, forgetting the least recently captured or corrected beyond the bound.
   * The order of remembering is an array with a moving head: taking the first key of a Map whose front was deleted
   * over and over walks every deleted slot in V8, which made a million-trade day take minutes.
   */
  private remember(trade: TradeEvent): void {
    this.remembered.set(trade.trade_id, trade);
    this.rememberedAt.set(trade.trade_id, this.order.length);
    this.order.push(trade.trade_id);
    while (this.remembered.size > this.maxRememberedTrades) {
      const index = this.orderHead++;
      const oldest = this.order[index];
      if (this.rememberedAt.get(oldest) === index) {
        this.remembered.delete(oldest);
        this.rememberedAt.delete(oldest);
      }
    }
    if (this.orderHead > 65_536 && this.orderHead * 2 > this.order.length) {
      this.order.splice(0, this.orderHead);
      for (const [id, at] of this.rememberedAt) this.rememberedAt.set(id, at - this.orderHead);
      this.orderHead = 0;
    }
  }

  private ignore(reason: IgnoredReason): CaptureResult {
    this.stats.ignored[reason] += 1;
    return { kind: 'ignored', reason };
  }
}

/** The UTC calendar date of an ISO-8601 instant with any offset. */
export function utcDate(isoDateTime: string): string {
  // Already UTC ("...Z", as every emitter here writes it): the date is the first ten characters.
  if (isoDateTime.length >= 20 && isoDateTime.endsWith('Z') && isoDateTime[10] === 'T') return isoDateTime.slice(0, 10);
  return new Date(Date.parse(isoDateTime)).toISOString().slice(0, 10);
}
