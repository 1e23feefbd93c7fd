/**
 * Records produced in batches, in the order they were pushed: a service that emits events from synchronous code
 * (the OMS and the EMS) pushes them here, and they are sent at most `flushIntervalMs` later, `maxBatchRecords` per
 * send, one send at a time. A failed send is retried (backoff up to 5 s) with the same records first, so order is
 * kept and nothing is dropped while the service runs; `close` flushes and, past its deadline, gives up and says how
 * many records were not written.
 */
import type { ProduceRecord, Producer } from '../../bus/event-bus.js';
import { silentLogger, type Logger } from '../../lib/log.js';

export interface BatchedProducerOptions {
  flushIntervalMs?: number;
  maxBatchRecords?: number;
  retryDelayMs?: number;
  logger?: Logger;
}

export class BatchedProducer {
  readonly stats = { sent: 0, sends: 0, failedSends: 0 };
  private readonly queue: ProduceRecord[] = [];
  private readonly flushIntervalMs: number;
  private readonly maxBatchRecords: number;
  private readonly retryDelayMs: number;
  private readonly log: Logger;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;
  private giveUpAt = Number.POSITIVE_INFINITY;

  constructor(private readonly producer: Producer, options: BatchedProducerOptions = {}) {
    this.flushIntervalMs = options.flushIntervalMs ?? 20;
    this.maxBatchRecords = options.maxBatchRecords ?? 5_000;
    this.retryDelayMs = options.retryDelayMs ?? 200;
    this.log = (options.logger ?? silentLogger).child({ module: 'batched-producer' });
  }

  /** Records waiting to be sent (or being sent). */
  get pending(): number {
    return this.queue.length;
  }

  push(record: ProduceRecord): void {
    this.queue.push(record);
    if (this.timer === undefined && this.running === null) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        void this.flush();
      }, this.flushIntervalMs);
    }
  }

  /** Resolves once everything pushed so far is durable (or `close`'s deadline passed). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.running ??= this.drain().finally(() => {
      this.running = null;
      if (this.queue.length > 0 && Date.now() < this.giveUpAt) void this.flush();
    });
    return this.running;
  }

  /** Flushes for up to `timeoutMs`; returns how many records could not be sent. Does not close the producer. */
  async close(timeoutMs = 10_000): Promise<number> {
    this.giveUpAt = Date.now() + timeoutMs;
    while (this.queue.length > 0 && Date.now() < this.giveUpAt) await this.flush();
    if (this.queue.length > 0) this.log.error({ unsent: this.queue.length, waitedMs: timeoutMs }, 'records not written before shutdown');
    return this.queue.length;
  }

  private async drain(): Promise<void> {
    let delayMs = this.retryDelayMs;
    while (this.queue.length > 0) {
      const batch = this.queue.slice(0, this.maxBatchRecords);
      try {
        await this.producer.send(batch);
        this.queue.splice(0, batch.length);
        this.stats.sent += batch.length;
        this.stats.sends += 1;
        delayMs = this.retryDelayMs;
      } catch (err) {
        this.stats.failedSends += 1;
        this.log.error({ err, records: batch.length, pending: this.queue.length, retryInMs: delayMs }, 'send failed; retrying');
        const waitMs = Math.min(delayMs, this.giveUpAt - Date.now());
        if (waitMs <= 0) return;
        await new Promise((r) => setTimeout(r, waitMs));
        delayMs = Math.min(delayMs * 2, 5_000);
      }
    }
  }
}
