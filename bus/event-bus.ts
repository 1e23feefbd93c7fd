/**
 * The event bus port. Two adapters: Kafka through kafkajs (bus/kafka-bus.ts) and an embedded
 * durable log (bus/event-log.ts) for the default, no-service set-up. Nothing outside bus/ knows which one is in use.
 *
 * Offsets are decimal strings (Kafka offsets are int64). A committed offset is the NEXT offset to read,
 * as in Kafka.
 */

/** Header values as kafkajs gives them; the embedded log gives strings. */
export type HeaderValue = Buffer | string | (Buffer | string)[] | undefined;
export type RecordHeaders = Record<string, HeaderValue>;

/** Header an adapter sets on a record it could not decode, with the reason; ingest dead-letters such records. */
export const errorHeader = 'x-lakehouse-error';

/** One consumed record. Structurally a kafkajs message, so the Kafka adapter passes them through uncopied. */
export interface BusRecord {
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  /** Epoch milliseconds as a decimal string. */
  timestamp: string;
  headers?: RecordHeaders;
}

export interface RecordBatch {
  topic: string;
  partition: number;
  /** In offset order, all from this topic partition. */
  records: BusRecord[];
  /** The partition's high watermark (next offset to be written) when fetched, if known. */
  highWatermark?: string;
}

export interface TopicPartition {
  topic: string;
  partition: number;
}

export interface TopicPartitionOffset extends TopicPartition {
  offset: string;
}

export interface ProduceRecord {
  topic: string;
  key?: string | Buffer | null;
  /** A string or Buffer is sent as is; an object is sent as its JSON text. */
  value: string | Buffer | Record<string, unknown> | null;
  /** Default: partition chosen from the key (murmur2, as Kafka's default partitioner), round-robin when null. */
  partition?: number;
  /** Epoch ms (number or decimal string) or ISO-8601; default now. */
  timestamp?: number | string;
  headers?: Record<string, string>;
}

export interface Producer {
  /** Resolves once every record is durable (acks=all on Kafka; fsync'd on the embedded log). */
  send(records: ProduceRecord[]): Promise<void>;
  close(): Promise<void>;
}

export interface ConsumerOptions {
  groupId: string;
  topics: string[];
  /** Where a group with no committed offset starts. Default true (earliest). */
  fromBeginning?: boolean;
  /** Upper bound on records per delivered batch. */
  maxBatchRecords?: number;
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  maxWaitTimeMs?: number;
}

export interface Consumer {
  /**
   * Delivers batches, one at a time, until stop(). Once `onBatch` resolves, the batch counts as taken:
   * the next batch of that partition starts after it (it is not committed; see commit()).
   * Adapters keep the group membership alive (heartbeats) while onBatch runs, and recover from
   * consumer crashes by rejoining (a supervisor), so run() only rejects on a terminal error.
   */
  run(onBatch: (batch: RecordBatch) => Promise<void>): Promise<void>;
  /** Commits next-offsets for the group; durable when resolved. Partitions no longer assigned may be refused (throws TransientError). */
  commit(offsets: TopicPartitionOffset[]): Promise<void>;
  /** The partitions currently assigned to this member. */
  assignment(): TopicPartition[];
  stop(): Promise<void>;
}

export interface EventBus {
  readonly kind: 'kafka' | 'eventlog';
  /** Display form without credentials: `kafka://host:9092,...` or `eventlog:///abs/dir`. */
  readonly uri: string;
  producer(): Promise<Producer>;
  consumer(options: ConsumerOptions): Consumer;
  /** Existing topic names. */
  listTopics(): Promise<string[]>;
  /** Creates topics that do not exist yet (embedded log; on Kafka where the cluster allows it). */
  createTopics(topics: { topic: string; partitions: number }[]): Promise<void>;
  /** High watermark (next offset to be written) of every partition of the topics. */
  endOffsets(topics: string[]): Promise<TopicPartitionOffset[]>;
  /** The group's committed next-offsets; partitions without one are omitted. */
  committedOffsets(groupId: string, topics: string[]): Promise<TopicPartitionOffset[]>;
  close(): Promise<void>;
}
