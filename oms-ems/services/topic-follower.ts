/**
 * Follows topics from their beginning with a consumer group of its own that never commits (runGroupId), handing
 * each batch to `onBatch` and tracking how far it has read, so that a caller can wait until everything written up to
 * some point has been handed over. For state a service rebuilds on every start: reference tables, emitted ids.
 */
import type { Consumer, EventBus, RecordBatch, TopicPartitionOffset } from '../../bus/event-bus.js';
import type { Logger } from '../../lib/log.js';
import { partitionKey, reached } from './bus-topics.js';

export interface TopicFollowerOptions {
  groupId: string;
  topics: string[];
  onBatch: (batch: RecordBatch) => void | Promise<void>;
  log: Logger;
  maxBatchRecords?: number;
}

export class TopicFollower {
  /** Next offset to hand over, per partition. */
  private readonly positions = new Map<string, bigint>();
  private readonly consumer: Consumer;
  private running: Promise<void> | null = null;
  private ended = false;
  private failure: { error: unknown } | null = null;
  private readonly waiters = new Set<() => void>();

  constructor(private readonly bus: EventBus, private readonly options: TopicFollowerOptions) {
    this.consumer = bus.consumer({ groupId: options.groupId, topics: options.topics, fromBeginning: true, maxBatchRecords: options.maxBatchRecords });
  }

  start(): void {
    if (this.running !== null) return;
    this.running = this.consumer.run(async (batch) => {
      await this.options.onBatch(batch);
      if (batch.records.length > 0) this.positions.set(partitionKey(batch), BigInt(batch.records[batch.records.length - 1].offset) + 1n);
      this.wake();
    }).catch((error: unknown) => {
      this.failure = { error };
      this.options.log.error({ err: error, topics: this.options.topics }, 'following the topics failed');
    }).finally(() => {
      this.ended = true;
      this.wake();
    });
  }

  /**
   * Resolves true once every record below `target` has been handed over; false after `timeoutMs`, on abort, or when
   * the follower stopped. Rejects with the follower's failure.
   */
  async reach(target: TopicPartitionOffset[], options: { timeoutMs: number; signal?: AbortSignal }): Promise<boolean> {
    const deadline = Date.now() + options.timeoutMs;
    for (;;) {
      if (this.failure !== null) throw this.failure.error;
      if (reached(this.positions, target)) return true;
      const left = deadline - Date.now();
      if (this.ended || left <= 0 || options.signal?.aborted) return false;
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          options.signal?.removeEventListener('abort', done);
          this.waiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, Math.min(left, 1_000));
        options.signal?.addEventListener('abort', done, { once: true });
        this.waiters.add(done);
      });
    }
  }

  /** Waits until everything written to the topics so far has been handed over (see reach). */
  async catchUp(options: { timeoutMs: number; signal?: AbortSignal }): Promise<boolean> {
    return this.reach(await this.bus.endOffsets(this.options.topics), options);
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  async stop(): Promise<void> {
    await this.consumer.stop();
    await this.running;
    if (this.failure !== null) throw this.failure.error;
  }
}
