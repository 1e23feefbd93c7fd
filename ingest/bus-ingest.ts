/**
 * `ingest --source kafka|eventlog`: consumes the pipeline's topics into bronze in micro-batches bounded by
 * rows, bytes and time. A batch is landed (durable, committed in bronze) before its offsets are committed to
 * the group, and bronze skips positions it has already, so a crash at any instruction, a restart or a
 * rebalance lands every record exactly once. One batch lands while the next one fills.
 * Without `stream`, stops once the group has committed every partition up to the end offsets seen at start.
 */
import type { EventBus, RecordBatch, TopicPartitionOffset } from '../bus/event-bus.js';
import type { BronzeWriter } from '../bronze/bronze-writer.js';
import { emptyEncodedBatch, encodeBusSegment, type EncodedBatch } from '../bronze/encode-batch.js';
import { UsageError } from '../lib/errors.js';
import { silentLogger, type Logger } from '../lib/log.js';
import { pipelineTopics } from '../lib/config.js';
import { Progress } from './progress.js';
import type { IngestSummary } from './file-ingest.js';

export interface IngestBusOptions {
  bus: EventBus;
  writer: BronzeWriter;
  /** Default: those of the pipeline's topics that exist. */
  topics?: string[];
  groupId?: string;
  stream?: boolean;
  maxBatchRows?: number;
  maxBatchBytes?: number;
  flushIntervalMs?: number;
  /** How often to check whether the group has caught up (batch mode). */
  caughtUpCheckMs?: number;
  /** Group membership timing, passed to the consumer (bus defaults when absent). */
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  maxWaitTimeMs?: number;
  signal?: AbortSignal;
  logger?: Logger;
}

export interface BusIngestSummary extends IngestSummary {
  batches: number;
  seconds: number;
  /** From the first record received to the last batch landed: the rate's denominator, group joins excluded. */
  consume_seconds: number;
}

export async function resolveTopics(bus: EventBus, requested: string[] | undefined): Promise<string[]> {
  const existing = new Set(await bus.listTopics());
  if (requested !== undefined && requested.length > 0) {
    const missing = requested.filter((t) => !existing.has(t));
    if (missing.length > 0) throw new UsageError(`topics not found on ${bus.uri}: ${missing.join(', ')}`);
    return requested;
  }
  const found = pipelineTopics.filter((t) => existing.has(t));
  if (found.length === 0) throw new UsageError(`none of the pipeline's topics (${pipelineTopics.join(', ')}) exist on ${bus.uri}; name them with --topics`);
  return found;
}

/** Longest stretch the consumer keeps the event loop while batches are landing. */
const yieldEveryMs = 4;

export async function ingestBus(options: IngestBusOptions): Promise<BusIngestSummary> {
  const { bus, writer, groupId = 'lakehouse-bronze', stream = false, maxBatchRows = 25_000, maxBatchBytes = 32 << 20, flushIntervalMs = 1_000, caughtUpCheckMs = 500 } = options;
  const log = (options.logger ?? silentLogger).child({ module: 'ingest', source: bus.kind });
  const topics = await resolveTopics(bus, options.topics);
  const started = Date.now();
  const summary: BusIngestSummary = { records: 0, landed: 0, dead_lettered: 0, already_landed: 0, batches: 0, seconds: 0, consume_seconds: 0 };
  let firstRecordAt = 0;
  let lastLandedAt = 0;
  const progress = new Progress(log);

  // Batch mode's finish line: the end offsets as they are now.
  const target = stream ? null : (await bus.endOffsets(topics)).filter((p) => p.offset !== '0');
  if (target !== null && (await caughtUp(bus, groupId, topics, target))) {
    log.info({ topics, groupId }, 'already caught up');
    return summary;
  }
  log.info({ topics, groupId, stream, partitions: target?.length }, 'consuming');

  // Records are encoded as they arrive and dropped: holding 25k+ kafkajs messages until their batch lands
  // promoted them to the old generation and cost more in GC than the encoding itself.
  const watermarks = writer.watermarks();
  const upTo = new Map<string, bigint>();
  let pending: EncodedBatch = emptyEncodedBatch();
  let pendingPositions = new Map<string, TopicPartitionOffset>();
  let pendingRows = 0;
  let pendingSince = 0;
  // Landings in call order: the newest may write Parquet while the one before uploads and commits.
  const landings: Promise<void>[] = [];
  const maxLandings = 2;
  let failure: unknown = null;
  let stopping = false;
  const toCommit = new Map<string, TopicPartitionOffset>();
  const remaining = new Map((target ?? []).map((t) => [`${t.topic}/${t.partition}`, BigInt(t.offset)]));
  const consumer = bus.consumer({
    groupId, topics, fromBeginning: true, maxBatchRecords: Math.min(maxBatchRows, 10_000),
    sessionTimeoutMs: options.sessionTimeoutMs, heartbeatIntervalMs: options.heartbeatIntervalMs, maxWaitTimeMs: options.maxWaitTimeMs,
  });

  const landPending = (): Promise<void> => {
    const encoded = pending;
    const positions = pendingPositions;
    pending = emptyEncodedBatch();
    pendingPositions = new Map();
    pendingRows = 0;
    const writing = writer.landEncoded(encoded, { kind: 'bus', bus: bus.kind, source: bus.uri });
    writing.catch(() => undefined); // awaited below, after the landings before it
    const landing: Promise<void> = (landings.at(-1) ?? Promise.resolve()).then(async () => {
      try {
        const result = await writing;
        if (failure !== null) return;
        summary.records += result.landed + result.deadLettered + result.alreadyLanded;
        summary.landed += result.landed;
        summary.dead_lettered += result.deadLettered;
        summary.already_landed += result.alreadyLanded;
        summary.batches += 1;
        lastLandedAt = Date.now();
        for (const [key, position] of positions) {
          const old = toCommit.get(key);
          if (old === undefined || BigInt(old.offset) < BigInt(position.offset)) toCommit.set(key, position);
        }
        await commitLanded();
        progress.update(undefined, summary);
      } catch (err) {
        if (failure !== null) return;
        failure = err;
        log.error({ err }, 'landing a batch failed; its offsets stay uncommitted');
        stopping = true;
        void consumer.stop();
      }
    });
    landings.push(landing);
    void landing.finally(() => landings.splice(landings.indexOf(landing), 1));
    return landing;
  };

  const commitLanded = async (): Promise<void> => {
    if (toCommit.size === 0) return;
    const offsets = [...toCommit.values()];
    try {
      await consumer.commit(offsets);
      for (const o of offsets) if (toCommit.get(`${o.topic}/${o.partition}`) === o) toCommit.delete(`${o.topic}/${o.partition}`);
    } catch (err) {
      // Landed but not committed: whoever reads these offsets next finds them in bronze and skips them.
      log.warn({ err: (err as Error).message, partitions: offsets.length }, 'offset commit refused; retrying with the next batch');
    }
  };

  let lastTurn = 0;
  const onBatch = async (batch: RecordBatch): Promise<void> => {
    // Taken after stop began: not landed, not committed, so read again by the next run.
    if (batch.records.length === 0 || failure !== null || stopping) return;
    if (firstRecordAt === 0) firstRecordAt = Date.now();
    if (pendingRows === 0) pendingSince = Date.now();
    encodeBusSegment(pending, bus.kind, bus.uri, batch, watermarks, upTo);
    pendingPositions.set(`${batch.topic}/${batch.partition}`, { topic: batch.topic, partition: batch.partition, offset: (BigInt(batch.records[batch.records.length - 1].offset) + 1n).toString() });
    pendingRows += batch.records.length;
    const last = batch.records[batch.records.length - 1].offset;
    const key = `${batch.topic}/${batch.partition}`;
    if (remaining.has(key) && BigInt(last) + 1n >= remaining.get(key)!) remaining.delete(key);
    // Batch mode: once everything up to the finish line has been taken, land it now rather than after the interval.
    if (pendingRows >= maxBatchRows || pending.encoder.bytes >= maxBatchBytes || (target !== null && remaining.size === 0)) {
      // Back-pressure: at most maxLandings batches landing while the next one fills.
      if (landings.length >= maxLandings) {
        const waitStart = Date.now();
        await landings[0];
        log.debug({ waitedMs: Date.now() - waitStart }, 'consumer waited for a landing batch');
      }
      void landPending();
    }
    // kafkajs hands over a whole fetch response (up to maxBytes) in one macrotask; without a turn of the event loop
    // now and then the landing batches' file and DuckDB callbacks would wait until the whole response is handled.
    // A turn after every batch slowed the bench measurably (the mock cluster returns thousands of small batches).
    if (landings.length > 0 && performance.now() - lastTurn >= yieldEveryMs) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      lastTurn = performance.now();
    }
  };

  // Land and commit what was taken before leaving the group: after stop() no partition is ours to commit.
  const stop = async (reason: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log.info({ reason }, 'stopping consumer');
    try {
      if (pendingRows > 0) await landPending();
      else if (landings.length > 0) await landings.at(-1);
      if (failure === null) await commitLanded();
    } finally {
      await consumer.stop();
    }
  };
  options.signal?.addEventListener('abort', () => void stop('signal'), { once: true });

  let checking = false;
  const timer = setInterval(() => {
    if (pendingRows > 0 && Date.now() - pendingSince >= flushIntervalMs && landings.length === 0) void landPending();
    if (target === null || checking || stopping) return;
    checking = true;
    void (async () => {
      try {
        if (landings.length > 0) await landings.at(-1);
        if (pendingRows === 0 && (await caughtUp(bus, groupId, topics, target))) await stop('caught up');
      } catch (err) {
        log.debug({ err: (err as Error).message }, 'caught-up check failed; trying again');
      } finally {
        checking = false;
      }
    })();
  }, Math.min(flushIntervalMs, caughtUpCheckMs));

  try {
    await consumer.run(onBatch);
  } finally {
    clearInterval(timer);
  }
  if (landings.length > 0) await landings.at(-1);
  summary.seconds = (Date.now() - started) / 1000;
  summary.consume_seconds = firstRecordAt === 0 ? 0 : (lastLandedAt - firstRecordAt) / 1000;
  if (failure !== null) throw failure;
  progress.done(summary);
  return summary;
}

async function caughtUp(bus: EventBus, groupId: string, topics: string[], target: TopicPartitionOffset[]): Promise<boolean> {
  const committed = new Map((await bus.committedOffsets(groupId, topics)).map((o) => [`${o.topic}/${o.partition}`, BigInt(o.offset)]));
  return target.every((t) => (committed.get(`${t.topic}/${t.partition}`) ?? -1n) >= BigInt(t.offset));
}
