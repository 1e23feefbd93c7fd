/**
 * `lakehouse simulate`: drives the trading services with a realistic mix for a bank's treasury book, day by day,
 * deterministic for a seed, and writes every event they emit to a sink (Kafka, the embedded log, a record file).
 *
 * A day: reference data at 06:00 (the instrument master and counterparty directory on the first day, closing prices
 * of the day before and exchange rates every day), the treasury feed from 06:30 (the opening balance sheet on the
 * first day, then rolls, new deals, amendments and cancels), on the first day the liquidity buffer's opening positions
 * (migrated as OTC trades), then orders from 07:00 to 19:00 until the day's trades are booked, and the close (day
 * orders expire). Late corrections of earlier trades arrive during later hours, a few with versions out of order.
 * A configurable share of records is damaged on the wire (bad-records.ts).
 */
import { silentLogger, type Logger } from '../../lib/log.js';
import type { TradeEvent } from '../schemas/trade-event.js';
import type { NewOrderRequest } from '../oms/request-schemas.js';
import { type BadRecordCounts, emptyBadCounts, injectBadRecords } from './bad-records.js';
import { at, envelope } from './envelope.js';
import type { EventSink, SimEvent } from './event-sink.js';
import { MarketData } from './market-data.js';
import { addDays, createRandom, type Random } from './random.js';
import { TradingDesk } from './trading-desk.js';
import { TreasuryFeed } from './treasury-feed.js';
import { buildUniverse, defaultEntities, type Instrument, type LegalEntity, type Universe } from './universe.js';

export interface SimulateOptions {
  seed: number;
  tradesPerDay: number;
  days: number;
  /** The first simulated day (YYYY-MM-DD). */
  startDate: string;
  sink: EventSink;
  /** Legal entity ids to simulate (default all). */
  entities?: readonly string[];
  /** Share of records damaged on the wire (0..1), default 0.01. */
  badShare?: number;
  /** Share of trades corrected later, default 0.005. */
  correctionShare?: number;
  /** New treasury deals per entity per day, default 40. */
  dealsPerDay?: number;
  logger?: Logger;
  /** Events written per sink call. */
  chunkSize?: number;
  /**
   * Worker threads, each simulating a share of the books (default 1: all in this thread). The output is the same for
   * the same seed and number of workers, whatever the timing: chunks are merged in a fixed rotation.
   */
  workers?: number;
}

/**
 * One thread's share of the simulation: a set of books (positions are per book, so no two slices touch one). The
 * slice owning an entity's treasury book (its last) runs that entity's treasury feed and opening positions; slice 0
 * writes the reference data every slice reads.
 */
export interface SimulationSlice {
  index: number;
  count: number;
  entities: LegalEntity[];
  books: string[];
  tradesPerDay: number;
}

export type SliceOptions = Omit<SimulateOptions, 'sink' | 'entities' | 'workers' | 'logger' | 'tradesPerDay'> & { allEntities: LegalEntity[] };

export interface SimulationSummary {
  days: string[];
  events: Record<string, number>;
  orders: number;
  trades: number;
  corrections: number;
  versionsOutOfOrder: number;
  rejectedOrders: number;
  deadLettered: number;
  bad: BadRecordCounts;
  reconciliation: { ok: boolean; entries: number; accounts: number };
  seconds: number;
}

/** Resting orders a client leaves working at once across the desk. */
const maxResting = 300;

const assetMix: readonly (readonly [Instrument['asset_class'], number])[] = [
  ['GOVT_BOND', 40], ['AGENCY_BOND', 8], ['COVERED_BOND', 7], ['CORPORATE_BOND', 18], ['RMBS', 3], ['EQUITY', 22], ['COMMODITY', 2],
];

interface PendingCorrection {
  at: number;
  trade: TradeEvent;
  /** Two versions sent in the wrong order (3 before 2). */
  swapped: boolean;
}

export async function simulate(options: SimulateOptions): Promise<SimulationSummary> {
  const started = Date.now();
  const entities = pickEntities(options.entities);
  const { sink, logger, entities: _entities, workers = 1, tradesPerDay, ...rest } = options;
  const slices = sliceBooks(entities, Math.max(1, workers), tradesPerDay);
  const count = slices.length;
  let summary: SimulationSummary;
  if (count === 1) {
    summary = await simulateSlice({ ...rest, allEntities: entities }, slices[0], (events) => sink.write(events), logger);
  } else {
    const { simulateInWorkers } = await import('./sim-workers.js');
    summary = await simulateInWorkers({ ...rest, allEntities: entities }, slices, sink, logger);
  }
  summary.events = sink.counts();
  summary.seconds = (Date.now() - started) / 1000;
  if (!summary.reconciliation.ok) logger?.error({ reconciliation: summary.reconciliation }, 'journal and positions do not reconcile');
  return summary;
}

/** Simulates one slice's entities, handing each chunk of (damaged) events to `write` in order. */
export async function simulateSlice(options: SliceOptions, slice: SimulationSlice, write: (events: SimEvent[]) => Promise<void>, logger?: Logger): Promise<SimulationSummary> {
  const { allEntities } = options;
  const log = (logger ?? silentLogger).child({ module: 'simulate', slice: slice.index });
  const { seed, days } = options;
  const tradesPerDay = slice.tradesPerDay;
  const badShare = options.badShare ?? 0.01;
  const correctionShare = options.correctionShare ?? 0.005;
  const chunkSize = options.chunkSize ?? 20_000;
  const entities = slice.entities;
  const books = new Set(slice.books);
  const treasuryEntities = entities.filter((e) => books.has(treasuryBook(e)));
  const universe: Universe = { ...buildUniverse({ seed, startDate: options.startDate }), entities: treasuryEntities };
  const market = new MarketData(seed, universe);
  // Market data is the same in every slice; the rest draws from the slice's own streams.
  const sliceSeed = seed + slice.index * 7_919;
  const feed = new TreasuryFeed({ seed: sliceSeed, universe });
  const desk = new TradingDesk({ seed: sliceSeed, idPrefix: slice.count > 1 ? `S${slice.index}-` : '', universe, market, logger: log });
  const rand = createRandom(sliceSeed);
  const wire = createRandom(sliceSeed ^ 0xbad);
  const bad = emptyBadCounts();
  const byClass = new Map<string, Instrument[]>();
  for (const i of universe.instruments) byClass.set(i.asset_class, [...(byClass.get(i.asset_class) ?? []), i]);
  const pending: PendingCorrection[] = [];
  const summary: SimulationSummary = { days: [], events: {}, orders: 0, trades: 0, corrections: 0, versionsOutOfOrder: 0, rejectedOrders: 0, deadLettered: 0, bad, reconciliation: { ok: false, entries: 0, accounts: 0 }, seconds: 0 };
  let buffer: SimEvent[] = [];
  const resting: string[] = [];

  const flush = async (force: boolean): Promise<void> => {
    for (const e of desk.drain()) buffer.push(e);
    if (!force && buffer.length < chunkSize) return;
    const damaged = injectBadRecords(buffer, { rand: wire, share: badShare, counts: bad });
    buffer = [];
    await write(damaged);
  };
  const emit = (topic: string, key: string, value: Record<string, unknown>, timeMs: number): void => {
    buffer.push({ topic, key, value, timestampMs: timeMs });
  };

  for (let d = 0; d < days; d++) {
    const date = addDays(options.startDate, d);
    summary.days.push(date);
    desk.tradesToday = 0;
    // Reference data, then the treasury feed, before the market opens.
    desk.now = at(date, 6);
    const refEvents: SimEvent[] = [];
    const ref = (topic: string, key: string, value: Record<string, unknown>, id: string): void => {
      refEvents.push({ topic, key, value: { ...envelope(id, desk.now, 'refdata'), ...value }, timestampMs: desk.now });
    };
    if (d === 0) {
      for (const i of universe.instruments) ref('ref.instruments', i.instrument_id, i, `ins:${i.instrument_id}:${date}`);
      for (const c of universe.counterparties) ref('ref.counterparties', c.counterparty_id, c, `cp:${c.counterparty_id}:1`);
    } else {
      for (const i of market.closingPrices(addDays(date, -1))) ref('ref.instruments', i.instrument_id, i, `ins:${i.instrument_id}:${date}`);
    }
    for (const fx of market.fxRates(date, d > 0)) ref('ref.fx_rates', fx.quote_currency, fx, `fx:${fx.quote_currency}:${date}`);
    desk.applyReference(refEvents);
    if (slice.index === 0) for (const e of refEvents) buffer.push(e);

    for (const entity of treasuryEntities) {
      const deals = d === 0 ? [...feed.openingBook(entity, date), ...feed.day(entity, date, options.dealsPerDay ?? 40)] : feed.day(entity, date, options.dealsPerDay ?? 40);
      deals.forEach((deal, i) => {
        const t = at(date, 6.5) + Math.floor((i / deals.length) * 1_800_000);
        emit('treasury.deals', deal.deal_id, { ...envelope(`deal:${deal.deal_id}:${deal.version}`, t, 'treasury'), ...deal }, t);
      });
    }
    if (d === 0) openingPositions(desk, universe, market, rand, date);
    await flush(false);

    // The trading day: time advances with the share of the day's trades booked.
    const open = at(date, 7);
    const dayMs = 12 * 3_600_000;
    while (desk.tradesToday < tradesPerDay) {
      desk.now = open + Math.floor((desk.tradesToday / tradesPerDay) * dayMs);
      while (pending.length > 0 && pending[0].at <= desk.now) sendCorrection(desk, pending.shift()!, rand, summary);
      // Draw as if every book were here, and keep the draw when its book is this slice's.
      let entity: LegalEntity;
      let assetClass: Instrument['asset_class'];
      do {
        entity = rand.pick(allEntities);
        assetClass = rand.weighted(assetMix);
      } while (!books.has(bookFor(entity, assetClass)));
      const instrument = rand.pick(byClass.get(assetClass)!);
      const request = orderFor(entity, instrument, market.price(instrument.instrument_id), rand);
      const { order } = desk.oms.submit(request);
      summary.orders++;
      if (order.status === 'NEW' || order.status === 'PARTIALLY_FILLED') resting.push(order.order_id);
      // Clients cancel resting orders now and then, and always once a few hundred newer orders have gone by.
      while (resting.length > maxResting || (resting.length > 0 && rand.chance(0.03))) {
        const id = resting.shift()!;
        const status = desk.oms.get(id)?.status;
        if (status === 'NEW' || status === 'PARTIALLY_FILLED') desk.oms.cancel(id, undefined, { reason: 'client cancel' });
      }
      for (const trade of desk.takeCaptured()) {
        if (rand.chance(correctionShare)) insertByTime(pending, { at: desk.now + rand.int(10 * 60_000, 3 * 86_400_000), trade, swapped: rand.chance(0.2) });
      }
      if (summary.orders % 2_000 === 0) await flush(false);
    }
    desk.now = at(date, 19);
    desk.endOfDay();
    resting.length = 0;
    await flush(true);
    log.info({ date, orders: summary.orders, trades: desk.stats.trades }, 'simulated day');
  }
  desk.now = at(addDays(options.startDate, days), 0) - 60_000;
  while (pending.length > 0 && pending[0].at <= desk.now) sendCorrection(desk, pending.shift()!, rand, summary);
  await flush(true);

  const rec = desk.positions.reconcile();
  Object.assign(summary, {
    trades: desk.stats.trades,
    corrections: desk.stats.corrections,
    rejectedOrders: desk.stats.rejectedOrders,
    deadLettered: desk.stats.deadLettered,
    reconciliation: { ok: rec.ok, entries: rec.entries, accounts: rec.accounts },
  });
  if (!rec.ok) log.error({ unbalanced: rec.unbalanced.slice(0, 5), mismatches: rec.mismatches.slice(0, 5) }, 'journal and positions do not reconcile');
  return summary;
}

function insertByTime(queue: PendingCorrection[], item: PendingCorrection): void {
  let i = queue.length;
  while (i > 0 && queue[i - 1].at > item.at) i--;
  queue.splice(i, 0, item);
}

function pickEntities(ids: readonly string[] | undefined): LegalEntity[] {
  if (ids === undefined || ids.length === 0) return [...defaultEntities];
  return ids.map((id) => {
    const known = defaultEntities.find((e) => e.id === id);
    if (known !== undefined) return known;
    if (!/^[A-Z][A-Z0-9_]{1,31}$/.test(id)) throw new Error(`entity ${JSON.stringify(id)} is not a legal entity code like BANK_A`);
    return { id, country: 'US', reportingCurrency: 'USD', books: [`BOOK-${id}-RATES`, `BOOK-${id}-CREDIT`, `BOOK-${id}-EQ`, `BOOK-${id}-TSY`] };
  });
}

/** The book treasury deals and the liquidity buffer are booked in: an entity's last. */
function treasuryBook(entity: LegalEntity): string {
  return entity.books[entity.books.length - 1];
}

/**
 * Deals the books out to `count` slices, heaviest order flow first to the lightest slice, and splits the day's trades
 * by each slice's expected share of the order flow. Treasury books carry no order flow and go round in turn.
 */
function sliceBooks(entities: LegalEntity[], count: number, tradesPerDay: number): SimulationSlice[] {
  const flow = new Map<string, number>();
  const totalMix = assetMix.reduce((n, [, w]) => n + w, 0);
  for (const e of entities) for (const [cls, w] of assetMix) {
    const book = bookFor(e, cls);
    flow.set(book, (flow.get(book) ?? 0) + w / totalMix / entities.length);
  }
  const n = Math.min(count, Math.max(1, flow.size));
  const slices: SimulationSlice[] = Array.from({ length: n }, (_, index) => ({ index, count: n, entities: [], books: [], tradesPerDay: 0 }));
  const load = new Array<number>(n).fill(0);
  for (const [book, share] of [...flow].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))) {
    const i = load.indexOf(Math.min(...load));
    slices[i].books.push(book);
    load[i] += share;
  }
  entities.forEach((e, i) => {
    if (!flow.has(treasuryBook(e))) slices[i % n].books.push(treasuryBook(e));
  });
  for (const slice of slices) {
    slice.entities = entities.filter((e) => e.books.some((b) => slice.books.includes(b)));
    slice.tradesPerDay = Math.floor(tradesPerDay * slice.books.reduce((t, b) => t + (flow.get(b) ?? 0), 0));
  }
  slices[0].tradesPerDay += tradesPerDay - slices.reduce((t, s) => t + s.tradesPerDay, 0);
  return slices;
}

function bookFor(entity: LegalEntity, assetClass: string): string {
  const desk = assetClass === 'EQUITY' || assetClass === 'COMMODITY' ? 'EQ' : assetClass === 'CORPORATE_BOND' || assetClass === 'RMBS' ? 'CREDIT' : 'RATES';
  return entity.books.find((b) => b.endsWith(`-${desk}`)) ?? entity.books[0];
}

function orderFor(entity: LegalEntity, instrument: Instrument, price: number, rand: Random): NewOrderRequest {
  const bond = instrument.asset_class !== 'EQUITY' && instrument.asset_class !== 'COMMODITY';
  const quantity = bond ? 100 * rand.int(1, 150) : instrument.asset_class === 'COMMODITY' ? rand.int(1, 200) : 10 * rand.int(1, 500);
  const side = rand.chance(0.53) ? 'BUY' : 'SELL';
  const kind = rand.weighted([['marketable', 70], ['passive', 10], ['market', 20]] as const);
  const book = bookFor(entity, instrument.asset_class);
  const base = { account_id: book, book_id: book, legal_entity: entity.id, instrument_id: instrument.instrument_id, side, quantity, currency: instrument.currency } as const;
  if (kind === 'market') return { ...base, order_type: 'MARKET' };
  const away = kind === 'marketable' ? rand.int(2, 8) : -rand.int(1, 10);
  const limit = Math.max(0.01, Math.round((price + (side === 'BUY' ? away : -away) * 0.01) * 100) / 100);
  return { ...base, order_type: 'LIMIT', limit_price: limit };
}

/** The liquidity buffer the treasury holds on day one: government, agency and covered bonds, corporates, equities. */
function openingPositions(desk: TradingDesk, universe: Universe, market: MarketData, rand: Random, date: string): void {
  const plan: [(i: Instrument) => boolean, number][] = [
    [(i) => i.risk_weight === 0 && (i.issuer_type === 'SOVEREIGN' || i.issuer_type === 'MDB' || i.issuer_type === 'PSE'), 1_200_000_000],
    [(i) => i.risk_weight === 0.2 || (i.asset_class === 'COVERED_BOND' && i.rating === 'AAA'), 350_000_000],
    [(i) => i.asset_class === 'CORPORATE_BOND' && /^BBB|^A[+-]?$/.test(i.rating ?? ''), 120_000_000],
    [(i) => i.asset_class === 'RMBS' && i.rmbs_ltv !== null && i.rmbs_ltv <= 0.8, 60_000_000],
    [(i) => i.asset_class === 'EQUITY' && i.listed_index !== null && i.issuer_type !== 'BANK', 90_000_000],
    [(i) => i.issuer_type === 'BANK' && i.asset_class === 'CORPORATE_BOND', 80_000_000],
  ];
  const otc = universe.tradingCounterparties[0].counterparty_id;
  let n = 0;
  for (const entity of universe.entities) {
    for (const [test, total] of plan) {
      const all = universe.instruments.filter(test);
      const home = all.filter((i) => i.currency === entity.reportingCurrency);
      const picks = (home.length >= 2 ? home : all).slice(0, 4);
      for (const instrument of picks) {
        const price = market.price(instrument.instrument_id);
        const quantity = Math.round(total / picks.length / price / 100) * 100 * (0.8 + Math.round(rand.next() * 4) / 10);
        desk.now = at(date, 6.9);
        const execId = `MIG-${entity.id}-${++n}`;
        desk.bookOtc({
          ...envelope(`exec:OTC:${execId}`, desk.now, 'position-migration'),
          exec_id: execId, order_id: `MIG-${entity.id}-${n}`, venue: 'OTC', venue_order_id: null, exec_type: 'FILL',
          legal_entity: entity.id, book_id: entity.books[entity.books.length - 1], instrument_id: instrument.instrument_id, side: 'BUY',
          last_quantity: quantity, last_price: price, cumulative_quantity: quantity, leaves_quantity: 0, average_price: price,
          currency: instrument.currency, counterparty_id: otc, trade_date: date, settlement_date: date, reason: 'opening position migrated from the legacy book',
        });
      }
    }
  }
}

function sendCorrection(desk: TradingDesk, p: PendingCorrection, rand: Random, summary: SimulationSummary): void {
  const price = Math.round(p.trade.price * (1 + (rand.next() - 0.5) * 0.002) * 1e6) / 1e6;
  if (!p.swapped) {
    desk.correct(p.trade, p.trade.version + 1, { price });
    return;
  }
  // Versions n+1 and n+2 leave in the wrong order: the later one first.
  desk.correct(p.trade, p.trade.version + 2, { price: Math.round(price * 1.0005 * 1e6) / 1e6 });
  desk.correct(p.trade, p.trade.version + 1, { price });
  summary.versionsOutOfOrder++;
}
