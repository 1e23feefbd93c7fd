/**
 * The position keeping service: consumes `trades`, applies them to a PositionKeeper, produces `positions` (CDC).
 *
 * State is rebuilt on every start: the keeper lives in memory, so the service reads `trades` from the beginning
 * with a consumer group of the run's own (runGroupId from `groupId`), which never commits. Run one instance: the
 * keeper must see every partition, since one position's trades are spread over them (trades are keyed by trade_id).
 *
 * Not emitting twice: before reading trades, the service reads `positions` to its end and remembers the journal
 * entry ids already there; replaying the trades then writes only the events of entries not yet emitted (entry ids
 * are deterministic: trade_id and the number of the entry for that trade, and a trade's versions stay in one
 * partition, in order). Records re-delivered within a run (a consumer restarted from the beginning) are skipped by
 * offset. What the positions topic misses after a crash between apply and send is emitted on the next start; the
 * before/after of such an event follow the new run's order of partitions, so the last event of a position is right
 * once all its entries are applied, though one in between may skip a state an earlier run had reported.
 * On stop the journal and positions are reconciled and the result logged (error level when they disagree).
 */
import type { EventBus, ProduceRecord, RecordBatch } from '../../bus/event-bus.js';
import { silentLogger, type Logger } from '../../lib/log.js';
import { PositionKeeper, positionSource, type ApplyOutcome } from '../positions/position-keeper.js';
import type { ReconcileResult } from '../positions/reconcile.js';
import { positionEventSchema, type PositionEvent } from '../schemas/position-event.js';
import { tradeEventSchema } from '../schemas/trade-event.js';
import { ensureTopics, partitionKey, reached, runGroupId } from './bus-topics.js';
import { decodeRecord } from './decode-record.js';
import { TopicFollower } from './topic-follower.js';

export const positionsTopic = 'positions';
const tradesTopic = 'trades';

export interface PositionServiceOptions {
  bus: EventBus;
  groupId?: string;
  logger?: Logger;
  signal?: AbortSignal;
  /** Stop once every trade written before the start has been applied; default: run until aborted. */
  stopWhenCaughtUp?: boolean;
  /** Longest wait for reading the positions already emitted, at start. */
  emittedWaitMs?: number;
  maxBatchRecords?: number;
  /** The keeper to feed (tests); default a new one. */
  keeper?: PositionKeeper;
}

export interface PositionServiceSummary {
  trades: number;
  invalid_trades: number;
  outcomes: Record<ApplyOutcome, number>;
  events_produced: number;
  /** Events of this run's replay that an earlier run had already written to `positions`. */
  events_already_emitted: number;
  reconcile: ReconcileResult;
}

const headers = { source: positionSource, schema_version: '1' };

export async function runPositionService(options: PositionServiceOptions): Promise<PositionServiceSummary> {
  const { bus, groupId = 'position-keeping', signal, stopWhenCaughtUp = false, emittedWaitMs = 60_000, maxBatchRecords = 5_000 } = options;
  const log = (options.logger ?? silentLogger).child({ module: 'position-keeping', groupId });
  const keeper = options.keeper ?? new PositionKeeper();
  let trades = 0;
  let invalidTrades = 0;
  let produced = 0;
  let alreadyEmitted = 0;
  await ensureTopics(bus, [tradesTopic, positionsTopic]);

  const emitted = await readEmittedEntryIds(bus, groupId, log, emittedWaitMs, signal);
  const target = stopWhenCaughtUp ? await bus.endOffsets([tradesTopic]) : null;
  const applied = new Map<string, bigint>();
  if (signal?.aborted || (target !== null && reached(applied, target))) return finish();

  const producer = await bus.producer();
  const consumer = bus.consumer({ groupId: runGroupId(groupId, 'replay'), topics: [tradesTopic], fromBeginning: true, maxBatchRecords });
  let stopping = false;
  const stop = (reason: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ reason }, 'stopping');
    void consumer.stop();
  };
  const onAbort = (): void => stop('signal');
  signal?.addEventListener('abort', onAbort, { once: true });

  const onTrades = async (batch: RecordBatch): Promise<void> => {
    if (stopping || batch.records.length === 0) return;
    const key = partitionKey(batch);
    const from = applied.get(key) ?? 0n;
    const out: ProduceRecord[] = [];
    for (const record of batch.records) {
      if (BigInt(record.offset) < from) continue;
      trades += 1;
      const decoded = decodeRecord(record, tradeEventSchema);
      if (!decoded.ok) {
        invalidTrades += 1;
        log.warn({ topic: batch.topic, partition: batch.partition, offset: record.offset, reason: decoded.reason }, 'invalid trade skipped');
        continue;
      }
      const result = keeper.apply(decoded.value);
      if (result.outcome === 'rejected') log.warn({ trade_id: decoded.value.trade_id, version: decoded.value.version, reason: result.reason }, 'trade not booked');
      for (const event of result.events) {
        if (emitted.has(event.journal_entry_id)) alreadyEmitted += 1;
        else out.push(positionRecord(event));
      }
    }
    if (out.length > 0) await producer.send(out);
    produced += out.length;
    applied.set(key, BigInt(batch.records[batch.records.length - 1].offset) + 1n);
    if (target !== null && reached(applied, target)) stop('caught up');
  };

  try {
    await consumer.run(onTrades);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await producer.close();
  }
  return finish();

  function finish(): PositionServiceSummary {
    const reconciliation = keeper.reconcile();
    const summary: PositionServiceSummary = {
      trades, invalid_trades: invalidTrades, outcomes: { ...keeper.stats }, events_produced: produced, events_already_emitted: alreadyEmitted, reconcile: reconciliation,
    };
    const facts = { trades, produced, alreadyEmitted, entries: reconciliation.entries, accounts: reconciliation.accounts, outcomes: keeper.stats };
    if (reconciliation.ok) log.info(facts, 'position keeping stopped; journal and positions reconcile');
    else log.error({ ...facts, unbalanced: reconciliation.unbalanced.slice(0, 20), mismatches: reconciliation.mismatches.slice(0, 20) }, 'position keeping stopped; journal and positions DO NOT reconcile');
    return summary;
  }
}

function positionRecord(event: PositionEvent): ProduceRecord {
  return { topic: positionsTopic, key: event.position_id, value: event, timestamp: Date.parse(event.event_time), headers };
}

/** The journal entry ids of the events already on `positions`, read to the end as of now. */
async function readEmittedEntryIds(bus: EventBus, groupId: string, log: Logger, timeoutMs: number, signal?: AbortSignal): Promise<Set<string>> {
  const ids = new Set<string>();
  const end = await bus.endOffsets([positionsTopic]);
  if (end.every((e) => e.offset === '0')) return ids;
  const follower = new TopicFollower(bus, {
    groupId: runGroupId(groupId, 'emitted'), topics: [positionsTopic], log,
    onBatch: (batch) => {
      for (const record of batch.records) {
        const decoded = decodeRecord(record, positionEventSchema);
        if (decoded.ok) ids.add(decoded.value.journal_entry_id);
      }
    },
  });
  follower.start();
  try {
    if (!(await follower.reach(end, { timeoutMs, signal })) && !signal?.aborted) {
      log.warn({ waitedMs: timeoutMs, read: ids.size }, 'positions not read to their end in time; some events may be emitted again');
    }
  } finally {
    await follower.stop();
  }
  log.info({ entries: ids.size }, 'positions already emitted');
  return ids;
}
