/**
 * A supervised kafkajs consumer. kafkajs gives up on a consumer (CRASH with restart=false) after errors it deems
 * final, such as a late SyncGroup answered INVALID_REQUEST or GROUP_ID_NOT_FOUND after a broker restart;
 * the supervisor then builds a new one for the same group and subscriptions, with backoff, until stop().
 */
import type { Consumer as KafkaJsConsumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { Logger } from '../lib/log.js';
import { TerminalError, TransientError } from '../lib/errors.js';
import type { Consumer, ConsumerOptions, RecordBatch, TopicPartition, TopicPartitionOffset } from './event-bus.js';
import { isGroupMembershipError, toBusError } from './kafka-errors.js';

export interface KafkaConsumerSettings {
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  maxWaitTimeMs: number;
  maxBytes: number;
  maxBytesPerPartition: number;
  restartBackoffMs: number;
  maxRestartBackoffMs: number;
}

export interface KafkaConsumerDeps {
  log: Logger;
  settings: KafkaConsumerSettings;
  missingTopics(topics: string[]): Promise<string[]>;
}

type Onbatch = (batch: RecordBatch) => Promise<void>;

export class KafkaConsumer implements Consumer {
  private current: KafkaJsConsumer | null = null;
  private assigned: TopicPartition[] = [];
  private running: Promise<void> | null = null;
  private stopping = false;
  /** Wakes the supervisor: on stop(), on a crash kafkajs will not recover from, on an onBatch error. */
  private wake: () => void = () => {};
  private batchError: { error: unknown } | null = null;
  private readonly log: Logger;
  private readonly sessionTimeoutMs: number;
  private readonly heartbeatIntervalMs: number;
  private readonly maxWaitTimeMs: number;

  constructor(private readonly kafka: Kafka, private readonly options: ConsumerOptions, private readonly deps: KafkaConsumerDeps) {
    this.log = deps.log.child({ groupId: options.groupId });
    this.sessionTimeoutMs = options.sessionTimeoutMs ?? deps.settings.sessionTimeoutMs;
    this.heartbeatIntervalMs = options.heartbeatIntervalMs ?? deps.settings.heartbeatIntervalMs;
    this.maxWaitTimeMs = options.maxWaitTimeMs ?? deps.settings.maxWaitTimeMs;
  }

  run(onBatch: Onbatch): Promise<void> {
    if (this.running) return Promise.reject(new TerminalError('this consumer is already running', { groupId: this.options.groupId }));
    if (this.stopping) return Promise.resolve();
    const run = this.supervise(onBatch);
    this.running = run.catch(() => {});
    return run;
  }

  async commit(offsets: TopicPartitionOffset[]): Promise<void> {
    const { groupId } = this.options;
    for (const o of offsets) {
      if (!this.assigned.some((a) => a.topic === o.topic && a.partition === o.partition)) {
        throw new TransientError(`partition ${o.topic}/${o.partition} is not assigned to this member`, { ...o, groupId });
      }
    }
    const consumer = this.current;
    if (!consumer || offsets.length === 0) {
      if (offsets.length === 0) return;
      throw new TransientError('the consumer is not in its group right now', { groupId });
    }
    try {
      await consumer.commitOffsets(offsets.map(({ topic, partition, offset }) => ({ topic, partition, offset })));
    } catch (err) {
      if (isGroupMembershipError(err)) throw new TransientError(`commit refused: ${(err as Error).message}`, { groupId }, err);
      throw toBusError(err, 'commit failed', { groupId });
    }
  }

  assignment(): TopicPartition[] {
    return this.assigned.slice();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake();
    await this.running;
  }

  private async supervise(onBatch: Onbatch): Promise<void> {
    const { groupId, topics } = this.options;
    let backoffMs = this.deps.settings.restartBackoffMs;
    while (!this.stopping) {
      let missing: string[] | null = null;
      try {
        missing = await this.deps.missingTopics(topics);
      } catch (err) {
        this.log.warn({ err, backoffMs }, 'cannot read the topic list; retrying');
      }
      if (missing && missing.length > 0) throw new TerminalError(`topic ${missing.join(', ')} does not exist`, { topics: missing, groupId });
      if (this.stopping) break;
      if (missing) {
        const woken = new Promise<void>((resolve) => { this.wake = resolve; });
        const consumer = this.create(() => { backoffMs = this.deps.settings.restartBackoffMs; });
        this.current = consumer;
        try {
          await consumer.connect();
          await consumer.subscribe({ topics, fromBeginning: this.options.fromBeginning ?? true });
          await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, partitionsConsumedConcurrently: 1, eachBatch: (p) => this.eachBatch(p, onBatch) });
          if (!this.stopping && !this.batchError) await woken;
        } catch (err) {
          this.log.warn({ err }, 'consumer failed to start');
        }
        this.assigned = [];
        this.current = null;
        await consumer.disconnect().catch((err) => this.log.debug({ err }, 'disconnect after a crash failed'));
        if (this.batchError) throw this.batchError.error;
        if (this.stopping) break;
      }
      this.log.warn({ backoffMs }, 'recreating the consumer');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, backoffMs);
        this.wake = () => { clearTimeout(timer); resolve(); };
      });
      backoffMs = Math.min(backoffMs * 2, this.deps.settings.maxRestartBackoffMs);
    }
  }

  private create(onJoin: () => void): KafkaJsConsumer {
    const { settings } = this.deps;
    const consumer = this.kafka.consumer({
      groupId: this.options.groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: this.sessionTimeoutMs,
      heartbeatInterval: this.heartbeatIntervalMs,
      maxWaitTimeInMs: this.maxWaitTimeMs,
      maxBytes: settings.maxBytes,
      maxBytesPerPartition: settings.maxBytesPerPartition,
    });
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      if (this.current !== consumer) return;
      this.assigned = Object.entries(payload.memberAssignment).flatMap(([topic, partitions]) => partitions.map((partition) => ({ topic, partition })));
      for (const a of this.assigned) this.log.info(a, 'partition assigned');
      onJoin();
    });
    // During a rebalance every partition is revoked (eager protocol): commits would be refused anyway.
    consumer.on(consumer.events.REBALANCING, () => { if (this.current === consumer) this.assigned = []; });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (this.current !== consumer) return;
      this.assigned = [];
      this.log.warn({ err: payload.error, restart: payload.restart }, 'consumer crashed');
      if (!payload.restart) this.wake();
    });
    return consumer;
  }

  private async eachBatch(payload: EachBatchPayload, onBatch: Onbatch): Promise<void> {
    const { batch, resolveOffset, heartbeat, isRunning, isStale } = payload;
    const messages = batch.messages;
    if (messages.length === 0 || this.batchError) return;
    const max = this.options.maxBatchRecords ?? messages.length;
    for (let i = 0; i < messages.length; i += max) {
      if (!isRunning() || isStale() || this.stopping) return;
      const records = i === 0 && messages.length <= max ? messages : messages.slice(i, i + max);
      try {
        await this.withHeartbeats(heartbeat, onBatch({ topic: batch.topic, partition: batch.partition, records, highWatermark: batch.highWatermark }));
      } catch (error) {
        // The caller's own failure: leave the group and reject run() with it, rather than redeliver forever.
        this.batchError = { error };
        this.wake();
        return;
      }
      resolveOffset(records[records.length - 1].offset);
    }
  }

  /** onBatch may block on back-pressure for longer than the session timeout: keep the membership alive meanwhile. */
  private async withHeartbeats(heartbeat: () => Promise<void>, work: Promise<void>): Promise<void> {
    let inFlight = false;
    const timer = setInterval(() => {
      if (inFlight) return;
      inFlight = true;
      heartbeat().catch((err) => this.log.debug({ err }, 'heartbeat during a batch failed')).finally(() => { inFlight = false; });
    }, this.heartbeatIntervalMs);
    try {
      await work;
    } finally {
      clearInterval(timer);
    }
  }
}
