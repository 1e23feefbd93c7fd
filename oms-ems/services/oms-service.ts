/**
 * The OMS service: order intake over HTTP (oms-http.ts), routed by the EMS to venues over FIX 4.4
 * (fix-venue-connection.ts), with `orders` and `executions` events produced to the bus.
 *
 * Start: the instrument master is loaded from `ref.instruments` (InstrumentMaster; up to `referenceWaitMs`, then it
 * goes on with what it has and says so) and followed for the rest of the run; every venue is connected and
 * subscribed to the instruments' quotes (a venue that cannot be reached fails the start: better no OMS than one that
 * silently routes around a venue it was told to use); then HTTP listens and `onListening` gets its URL.
 *
 * Events: the OMS and the EMS emit synchronously; their events go through a BatchedProducer, so an HTTP answer does
 * not wait for the bus. Events are durable at most `flushIntervalMs` (plus a send) after the answer, in the order
 * emitted; a process that dies in between loses them, as it loses the OMS's state, which lives in memory (a
 * restarted OMS starts empty and its idempotency keys are forgotten). The records are keyed by order id.
 *
 * Stop (the signal): HTTP stops taking requests, the FIX sessions log out (reports that arrive meanwhile are still
 * emitted), the instrument topic is no longer followed, and the pending events are flushed (for up to
 * `flushTimeoutMs`; what is left is logged and counted in the summary as `unsent`).
 */
import type { EventBus, ProduceRecord } from '../../bus/event-bus.js';
import { silentLogger, type Logger } from '../../lib/log.js';
import { Ems } from '../ems/ems.js';
import { FixVenueConnection } from '../ems/fix-venue-connection.js';
import { defaultLimits } from '../oms/limits-config.js';
import { Oms } from '../oms/oms.js';
import { startOmsHttp } from '../oms/oms-http.js';
import type { LimitsConfig } from '../oms/pre-trade-checks.js';
import type { ExecutionEvent } from '../schemas/execution-event.js';
import type { OrderEvent } from '../schemas/order-event.js';
import { BatchedProducer } from './batched-producer.js';
import { ensureTopics } from './bus-topics.js';
import { InstrumentMaster, instrumentsTopic } from './instrument-master.js';

export const ordersTopic = 'orders';
export const executionsTopic = 'executions';

export interface VenueAddress {
  /** The venue's name in routing and events. */
  venue: string;
  host: string;
  port: number;
  /** The venue's CompID (default: the venue name). */
  targetCompId?: string;
}

export interface OmsServiceOptions {
  bus: EventBus;
  /** In order of preference: an order no venue quotes goes to the first one connected. */
  venues: VenueAddress[];
  signal: AbortSignal;
  /** Our SenderCompID in every FIX session (default OMS). */
  compId?: string;
  host?: string;
  /** HTTP port; 0 picks a free one (default 8080). */
  port?: number;
  limits?: LimitsConfig;
  /** The counterparty id of each venue's clearing house on executions (default: the venue name). */
  clearingCounterparties?: Readonly<Record<string, string>>;
  /** FIX journals; omitted: in memory. */
  fixStoreDir?: string;
  groupId?: string;
  referenceWaitMs?: number;
  flushIntervalMs?: number;
  flushTimeoutMs?: number;
  onListening?: (url: string) => void;
  logger?: Logger;
}

export interface OmsServiceSummary {
  orders_events: number;
  executions_events: number;
  /** Events not written when the service stopped. */
  unsent: number;
  instruments: number;
  routed: number;
  routed_without_quote: number;
  rejected_no_venue: number;
  by_venue: Record<string, number>;
}

export async function runOmsService(options: OmsServiceOptions): Promise<OmsServiceSummary> {
  const { bus, signal, compId = 'OMS', groupId = 'oms', referenceWaitMs = 30_000, flushTimeoutMs = 10_000 } = options;
  const logger = options.logger ?? silentLogger;
  const log = logger.child({ module: 'oms-service' });
  if (options.venues.length === 0) throw new Error('the OMS service needs at least one venue');
  await ensureTopics(bus, [instrumentsTopic, ordersTopic, executionsTopic]);

  const venues: FixVenueConnection[] = [];
  const master = new InstrumentMaster(bus, { groupId, log, onActive: (i) => venues.forEach((v) => v.subscribe([i.instrument_id])) });
  const producer = await bus.producer();
  const events = new BatchedProducer(producer, { flushIntervalMs: options.flushIntervalMs, logger });
  const counts = { orders: 0, executions: 0 };
  let http: Awaited<ReturnType<typeof startOmsHttp>> | undefined;
  let ems: Ems | undefined;
  let unsent = 0;
  try {
    if (!(await master.load({ timeoutMs: referenceWaitMs, signal })) && !signal.aborted) {
      log.warn({ waitedMs: referenceWaitMs, instruments: master.table.size }, 'ref.instruments not read to its end in time; starting with what is loaded');
    }
    const instruments = [...master.table.values()].map((i) => i.instrument_id);
    if (instruments.length === 0) log.warn('the instrument master is empty: orders are rejected until ref.instruments has them');
    for (const address of options.venues) {
      if (signal.aborted) break;
      venues.push(await FixVenueConnection.connect({
        venue: address.venue, host: address.host, port: address.port, senderCompId: compId, targetCompId: address.targetCompId ?? address.venue,
        storeDir: options.fixStoreDir, instruments, logger,
      }));
    }
    if (!signal.aborted) {
      const clearing = options.clearingCounterparties ?? {};
      ems = new Ems({
        venues, logger, clearingCounterparty: (venue) => clearing[venue] ?? venue,
        emit: (e) => {
          counts.executions += 1;
          events.push(executionRecord(e));
        },
      });
      const oms = new Oms({
        limits: options.limits ?? defaultLimits, instrumentLookup: master.lookup, router: ems, logger,
        emit: (e) => {
          counts.orders += 1;
          events.push(orderRecord(e));
        },
      });
      ems.attach(oms);
      http = await startOmsHttp({ oms, host: options.host, port: options.port ?? 8080, logger });
      log.info({ url: http.url, venues: venues.map((v) => ({ venue: v.venue, quoting: v.quoting })), instruments: master.table.size }, 'OMS service ready');
      options.onListening?.(http.url);
      await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
    }
  } finally {
    log.info('OMS service stopping');
    await http?.close();
    await Promise.all(venues.map((v) => v.close()));
    await master.stop().catch((err: unknown) => log.error({ err }, 'following ref.instruments failed'));
    unsent = await events.close(flushTimeoutMs);
    await producer.close();
  }
  const summary: OmsServiceSummary = {
    orders_events: counts.orders, executions_events: counts.executions, unsent, instruments: master.table.size,
    routed: ems?.stats.routed ?? 0, routed_without_quote: ems?.stats.routedWithoutQuote ?? 0,
    rejected_no_venue: ems?.stats.rejectedNoVenue ?? 0, by_venue: { ...ems?.stats.byVenue },
  };
  log.info(summary, 'OMS service stopped');
  return summary;
}

function orderRecord(event: OrderEvent): ProduceRecord {
  return { topic: ordersTopic, key: event.order_id, value: event, timestamp: Date.parse(event.event_time), headers: { source: 'oms', schema_version: String(event.schema_version) } };
}

function executionRecord(event: ExecutionEvent): ProduceRecord {
  return { topic: executionsTopic, key: event.order_id, value: event, timestamp: Date.parse(event.event_time), headers: { source: 'ems', schema_version: String(event.schema_version) } };
}
