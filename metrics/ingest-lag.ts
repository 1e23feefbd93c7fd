/**
 * Ingest lag: per topic partition, the records on the bus that the ingest's consumer group has not committed yet
 * (end offset minus committed offset; everything, for a partition the group has never committed). Through the bus
 * port, so one provider serves both adapters: the embedded log reads its partition files and the group's offsets
 * file; Kafka asks the admin client (fetchTopicOffsets for the high watermarks, fetchOffsets for the group).
 * Keep a provider open and call it per scrape: the embedded log counts only the lines appended since the last call.
 */
import type { EventBus } from '../bus/event-bus.js';
import { openBus } from '../bus/open-bus.js';
import { pipelineTopics } from '../lib/config.js';
import type { Logger } from '../lib/log.js';

/** The consumer group `lakehouse ingest` uses unless told otherwise (`--group`; ingest/bus-ingest.ts). */
export const defaultIngestGroupId = 'lakehouse-bronze';

export interface PartitionLag {
  topic: string;
  partition: number;
  /** Next offset to be written. */
  endOffset: string;
  /** The group's next offset to read; null when it has committed none. */
  committedOffset: string | null;
  lag: number;
}

export interface IngestLagProvider {
  /** Where the lag is measured: `eventlog:///dir` or `kafka://brokers`, and the group. */
  readonly source: { bus: string; kind: EventBus['kind']; groupId: string };
  lag(): Promise<PartitionLag[]>;
  close(): Promise<void>;
}

export interface BusLagOptions {
  bus: EventBus;
  groupId?: string;
  /** Default: those of the pipeline's topics that exist (as the ingest does). */
  topics?: string[];
  /** Close the bus with the provider (default false: the caller owns it). */
  ownsBus?: boolean;
}

export function busLagProvider(options: BusLagOptions): IngestLagProvider {
  const { bus, groupId = defaultIngestGroupId } = options;
  return {
    source: { bus: bus.uri, kind: bus.kind, groupId },
    async lag() {
      const existing = new Set(await bus.listTopics());
      const topics = (options.topics ?? [...pipelineTopics]).filter((t) => existing.has(t));
      if (topics.length === 0) return [];
      const [ends, committed] = await Promise.all([bus.endOffsets(topics), bus.committedOffsets(groupId, topics)]);
      const at = new Map(committed.map((c) => [`${c.topic}/${c.partition}`, c.offset]));
      return ends.map((e) => {
        const done = at.get(`${e.topic}/${e.partition}`) ?? null;
        const lag = BigInt(e.offset) - BigInt(done ?? '0');
        return { topic: e.topic, partition: e.partition, endOffset: e.offset, committedOffset: done, lag: Number(lag > 0n ? lag : 0n) };
      }).sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
    },
    async close() {
      if (options.ownsBus) await bus.close();
    },
  };
}

/** A provider over the bus the configuration names: Kafka when brokers are given, else the embedded log in `eventLogDir`. */
export function openIngestLagProvider(options: { kafkaBrokers?: string[]; eventLogDir: string; groupId?: string; topics?: string[]; logger?: Logger }): IngestLagProvider {
  const bus = openBus({ kafkaBrokers: options.kafkaBrokers, eventLogDir: options.eventLogDir, clientId: 'lakehouse-metrics', logger: options.logger });
  return busLagProvider({ bus, groupId: options.groupId, topics: options.topics, ownsBus: true });
}
