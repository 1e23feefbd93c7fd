/**
 * The trade capture service: consumes `ref.instruments`, `ref.counterparties` and `executions`, produces `trades`
 * and `trades.dead_letter` (capture/trade-capture.ts does the work).
 *
 * Reference data first. The reference tables live in memory, so on every start they are rebuilt by reading both
 * reference topics from the beginning (a group of the run's own, never committed) up to their end offsets before
 * any execution is read. The reference topics are then followed for the rest of the run, and before each batch of
 * executions the service waits (up to `referenceWaitMs`) until the reference topics are read up to their end as of
 * that moment: reference data written before an execution was read is always applied before it. Reference data
 * written after a fill was captured does not re-enrich it, and a fill dead-lettered for want of it is captured if
 * the execution is sent again. Re-read executions are enriched with the reference data as it is then. The waits
 * assume a partition's end offset is reached by a record, as on a compacted topic; where it is not (records deleted
 * by retention, transaction markers) each wait lasts `referenceWaitMs` and is logged.
 *
 * Executions are read with `groupId`, whose offsets are committed only after the batch's trades and dead letters
 * are durable (producer.send resolved). Delivery is at least once, not exactly once: there are no Kafka
 * transactions on the embedded log (nor in this adapter), so a crash between send and commit re-reads the batch.
 * Ids are deterministic (trade_id from venue + exec_id, event_id from trade_id + version), so a re-read yields the
 * same ids (and the same content, unless the reference data changed meanwhile) and consumers deduplicate on them;
 * within a run, re-delivered fills are recognised as duplicates and not sent twice.
 */
import type { EventBus, ProduceRecord, RecordBatch, TopicPartitionOffset } from '../../bus/event-bus.js';
import { TransientError } from '../../lib/errors.js';
import { silentLogger, type Logger } from '../../lib/log.js';
import { captureSource, invalidExecutionDeadLetter } from '../capture/dead-letter.js';
import type { ReferenceApplyOutcome } from '../capture/reference-table.js';
import { TradeCapture, type IgnoredReason } from '../capture/trade-capture.js';
import { counterpartyEventSchema } from '../schemas/counterparty-event.js';
import { executionEventSchema } from '../schemas/execution-event.js';
import { instrumentEventSchema } from '../schemas/instrument-event.js';
import type { TradeDeadLetterEvent, TradeEvent } from '../schemas/trade-event.js';
import { ensureTopics, partitionKey, reached, runGroupId } from './bus-topics.js';
import { decodeRecord } from './decode-record.js';
import { TopicFollower } from './topic-follower.js';

export const referenceTopics = ['ref.instruments', 'ref.counterparties'];
export const executionsTopic = 'executions';
export const tradesTopic = 'trades';
export const tradesDeadLetterTopic = 'trades.dead_letter';

export interface TradeCaptureServiceOptions {
  bus: EventBus;
  groupId?: string;
  logger?: Logger;
  signal?: AbortSignal;
  /** Stop once the group has committed every execution written before the start; default: run until aborted. */
  stopWhenCaughtUp?: boolean;
  /** Longest wait for the reference topics to be read to their end, at start and before each batch of executions. */
  referenceWaitMs?: number;
  maxBatchRecords?: number;
  /** The capture to feed (tests); default a new one. */
  capture?: TradeCapture;
}

export interface TradeCaptureSummary {
  executions: number;
  trades: number;
  dead_lettered: number;
  /** Records of `executions` that are not valid executions (dead-lettered too, and counted in dead_lettered). */
  invalid_executions: number;
  ignored: Record<IgnoredReason, number>;
  reference: { instruments: number; counterparties: number; invalid: number; stale: number };
  batches: number;
}

const headers = { source: captureSource, schema_version: '1' };

export async function runTradeCaptureService(options: TradeCaptureServiceOptions): Promise<TradeCaptureSummary> {
  const { bus, groupId = 'trade-capture', signal, stopWhenCaughtUp = false, referenceWaitMs = 30_000, maxBatchRecords = 5_000 } = options;
  const log = (options.logger ?? silentLogger).child({ module: 'trade-capture', groupId });
  const capture = options.capture ?? new TradeCapture();
  const summary: TradeCaptureSummary = {
    executions: 0, trades: 0, dead_lettered: 0, invalid_executions: 0, ignored: { not_a_fill: 0, no_quantity: 0, duplicate: 0 },
    reference: { instruments: 0, counterparties: 0, invalid: 0, stale: 0 }, batches: 0,
  };
  await ensureTopics(bus, [...referenceTopics, executionsTopic, tradesTopic, tradesDeadLetterTopic]);

  const target = stopWhenCaughtUp ? await bus.endOffsets([executionsTopic]) : null;
  const committed = new Map((await bus.committedOffsets(groupId, [executionsTopic])).map((o) => [partitionKey(o), BigInt(o.offset)]));
  if (target !== null && reached(committed, target)) {
    log.info('already caught up');
    return finish();
  }

  const references = new TopicFollower(bus, {
    groupId: runGroupId(groupId, 'ref'), topics: referenceTopics, log, maxBatchRecords,
    onBatch: (batch) => applyReferences(batch),
  });
  references.start();
  /** False only when aborted: a reference partition that does not reach its end in time is warned about, not waited for. */
  const referencesCaughtUp = async (): Promise<boolean> => {
    if (await references.catchUp({ timeoutMs: referenceWaitMs, signal })) return true;
    if (signal?.aborted) return false;
    log.warn({ waitedMs: referenceWaitMs }, 'reference topics not read to their end in time; capturing with what is loaded');
    return true;
  };
  const producer = await bus.producer();
  try {
    const started = Date.now();
    if (!(await referencesCaughtUp())) return finish();
    log.info({ instruments: capture.instruments.size, counterparties: capture.counterparties.size, ms: Date.now() - started }, 'reference data loaded');

    const consumer = bus.consumer({ groupId, topics: [executionsTopic], fromBeginning: true, maxBatchRecords });
    let stopping = false;
    const stop = (reason: string): void => {
      if (stopping) return;
      stopping = true;
      log.info({ reason }, 'stopping');
      void consumer.stop();
    };
    const onAbort = (): void => stop('signal');
    if (signal?.aborted) return finish();
    signal?.addEventListener('abort', onAbort, { once: true });

    const onExecutions = async (batch: RecordBatch): Promise<void> => {
      // Taken after stop began: neither sent nor committed, so the next run reads it again.
      if (stopping || batch.records.length === 0 || !(await referencesCaughtUp())) return;
      const records = captureBatch(batch);
      if (records.length > 0) await producer.send(records);
      const next: TopicPartitionOffset = { topic: batch.topic, partition: batch.partition, offset: (BigInt(batch.records[batch.records.length - 1].offset) + 1n).toString() };
      try {
        await consumer.commit([next]);
        committed.set(partitionKey(next), BigInt(next.offset));
      } catch (err) {
        if (!(err instanceof TransientError)) throw err;
        // Sent but not committed: whoever reads these again emits the same ids, and duplicates are dropped downstream.
        log.warn({ err: err.message, ...next }, 'offset commit refused');
      }
      summary.batches += 1;
      if (target !== null && reached(committed, target)) stop('caught up');
    };

    try {
      await consumer.run(onExecutions);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    return finish();
  } finally {
    await references.stop();
    await producer.close();
  }

  function applyReferences(batch: RecordBatch): void {
    for (const record of batch.records) {
      let outcome: ReferenceApplyOutcome | null = null;
      let reason = '';
      if (batch.topic === 'ref.instruments') {
        const decoded = decodeRecord(record, instrumentEventSchema);
        if (decoded.ok) outcome = capture.applyInstrument(decoded.value);
        else reason = decoded.reason;
      } else {
        const decoded = decodeRecord(record, counterpartyEventSchema);
        if (decoded.ok) outcome = capture.applyCounterparty(decoded.value);
        else reason = decoded.reason;
      }
      if (outcome === 'stale') summary.reference.stale += 1;
      if (outcome === null) {
        summary.reference.invalid += 1;
        log.warn({ topic: batch.topic, partition: batch.partition, offset: record.offset, reason }, 'invalid reference record skipped');
      }
    }
  }

  function captureBatch(batch: RecordBatch): ProduceRecord[] {
    const out: ProduceRecord[] = [];
    for (const record of batch.records) {
      summary.executions += 1;
      const decoded = decodeRecord(record, executionEventSchema);
      if (!decoded.ok) {
        summary.invalid_executions += 1;
        const at = { topic: batch.topic, partition: batch.partition, offset: record.offset, timestamp: record.timestamp };
        log.warn({ ...at, reason: decoded.reason }, 'invalid execution dead-lettered');
        out.push(deadLetterRecord(invalidExecutionDeadLetter(decoded.parsed, decoded.text, decoded.reason, at)));
        continue;
      }
      const result = capture.capture(decoded.value);
      if (result.kind === 'trade') out.push(tradeRecord(result.trade));
      else if (result.kind === 'dead_letter') out.push(deadLetterRecord(result.deadLetter));
    }
    return out;
  }

  function finish(): TradeCaptureSummary {
    summary.trades = capture.stats.trades;
    summary.dead_lettered = capture.stats.deadLettered + summary.invalid_executions;
    summary.ignored = { ...capture.stats.ignored };
    summary.reference.instruments = capture.instruments.size;
    summary.reference.counterparties = capture.counterparties.size;
    log.info(summary, 'trade capture stopped');
    return summary;
  }
}

export function tradeRecord(trade: TradeEvent): ProduceRecord {
  return { topic: tradesTopic, key: trade.trade_id, value: trade, timestamp: Date.parse(trade.event_time), headers };
}

function deadLetterRecord(deadLetter: TradeDeadLetterEvent): ProduceRecord {
  return { topic: tradesDeadLetterTopic, key: deadLetter.exec_id, value: deadLetter, timestamp: Date.parse(deadLetter.event_time), headers };
}
