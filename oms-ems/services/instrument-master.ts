/**
 * The instrument master as the OMS's pre-trade checks need it, kept from `ref.instruments` as trade capture keeps
 * it: a ReferenceTable (latest version by event time, tombstones honoured) rebuilt on every start by reading the topic
 * from the beginning with a group of the run's own (never committed), then followed for the rest of the run.
 */
import type { EventBus, RecordBatch } from '../../bus/event-bus.js';
import type { Logger } from '../../lib/log.js';
import { ReferenceTable } from '../capture/reference-table.js';
import type { InstrumentLookup, InstrumentRef } from '../oms/pre-trade-checks.js';
import { instrumentEventSchema, type InstrumentEvent } from '../schemas/instrument-event.js';
import { runGroupId } from './bus-topics.js';
import { decodeRecord } from './decode-record.js';
import { TopicFollower } from './topic-follower.js';

export const instrumentsTopic = 'ref.instruments';

export interface InstrumentMasterOptions {
  groupId: string;
  log: Logger;
  /** Called for every instrument that becomes active (new, or back after a tombstone). */
  onActive?: (instrument: InstrumentEvent) => void;
}

export class InstrumentMaster {
  readonly table = new ReferenceTable<InstrumentEvent>((i) => i.instrument_id);
  readonly stats = { records: 0, invalid: 0, stale: 0 };
  private readonly follower: TopicFollower;

  constructor(bus: EventBus, private readonly options: InstrumentMasterOptions) {
    this.follower = new TopicFollower(bus, {
      groupId: runGroupId(options.groupId, 'instruments'), topics: [instrumentsTopic], log: options.log,
      onBatch: (batch) => this.apply(batch),
    });
  }

  readonly lookup: InstrumentLookup = (instrumentId) => {
    const i = this.table.get(instrumentId);
    return i === undefined ? undefined : ({ currency: i.currency, price: i.price, asset_class: i.asset_class } satisfies InstrumentRef);
  };

  /** Starts following and waits until the topic is read to its end as of now; false when that took over `timeoutMs`. */
  async load(options: { timeoutMs: number; signal?: AbortSignal }): Promise<boolean> {
    this.follower.start();
    return this.follower.catchUp(options);
  }

  stop(): Promise<void> {
    return this.follower.stop();
  }

  private apply(batch: RecordBatch): void {
    for (const record of batch.records) {
      this.stats.records += 1;
      const decoded = decodeRecord(record, instrumentEventSchema);
      if (!decoded.ok) {
        this.stats.invalid += 1;
        this.options.log.warn({ topic: batch.topic, partition: batch.partition, offset: record.offset, reason: decoded.reason }, 'invalid instrument skipped');
        continue;
      }
      const outcome = this.table.apply(decoded.value);
      if (outcome === 'stale') this.stats.stale += 1;
      if (outcome === 'inserted') this.options.onActive?.(decoded.value);
    }
  }
}
