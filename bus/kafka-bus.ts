/**
 * The event bus on Kafka, through kafkajs (the only home of kafkajs: this file and bus/kafka-*.ts).
 * Admin operations here; the producer and the supervised consumer in kafka-producer.ts and kafka-consumer.ts.
 */
import type { ConnectionOptions } from 'node:tls';
import { Kafka, logLevel, type Admin, type SASLOptions, type logCreator } from 'kafkajs';
import { silentLogger, type Logger } from '../lib/log.js';
import { TerminalError } from '../lib/errors.js';
import type { Consumer, ConsumerOptions, EventBus, Producer, TopicPartitionOffset } from './event-bus.js';
import { toBusError } from './kafka-errors.js';
import { KafkaProducer } from './kafka-producer.js';
import { KafkaConsumer, type KafkaConsumerSettings } from './kafka-consumer.js';
import { installFastRecordBatchDecoder } from './kafka-record-batch.js';

export interface KafkaBusOptions {
  brokers: string[];
  clientId?: string;
  logger?: Logger;
  ssl?: boolean | ConnectionOptions;
  sasl?: SASLOptions;
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** Consumer defaults; a consumer's own options override the first three. */
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  maxWaitTimeMs?: number;
  maxBytes?: number;
  maxBytesPerPartition?: number;
  /** Leave kafkajs's own record-batch decoder in place (slower; for comparisons): see kafka-record-batch.ts. */
  kafkajsDecoder?: boolean;
  /** First wait before the supervisor recreates a crashed consumer; doubles up to maxRestartBackoffMs. */
  restartBackoffMs?: number;
  maxRestartBackoffMs?: number;
}

export class KafkaBus implements EventBus {
  readonly kind = 'kafka' as const;
  readonly uri: string;
  private readonly kafka: Kafka;
  private readonly log: Logger;
  private readonly settings: KafkaConsumerSettings;
  private adminClient: Promise<Admin> | null = null;
  private readonly producers = new Set<KafkaProducer>();
  private readonly consumers = new Set<KafkaConsumer>();

  constructor(options: KafkaBusOptions) {
    if (options.brokers.length === 0) throw new TerminalError('no Kafka brokers given');
    // host:port only: a broker string never carries credentials, sasl is a separate option.
    this.uri = `kafka://${options.brokers.join(',')}`;
    this.log = (options.logger ?? silentLogger).child({ module: 'kafka-bus' });
    // Records decoded without kafkajs's per-record Long arithmetic (kafka-record-batch.ts): the consumer thread's largest cost.
    const notInstalled = options.kafkajsDecoder ? null : installFastRecordBatchDecoder();
    if (notInstalled !== null) this.log.info({ reason: notInstalled }, "kafkajs's own record-batch decoder stays in use");
    this.kafka = new Kafka({
      clientId: options.clientId ?? 'lakehouse',
      brokers: options.brokers,
      ssl: options.ssl,
      sasl: options.sasl,
      connectionTimeout: options.connectionTimeoutMs ?? 3_000,
      requestTimeout: options.requestTimeoutMs ?? 30_000,
      logLevel: kafkaLogLevel(this.log.level),
      logCreator: pinoLogCreator(this.log),
    });
    this.settings = {
      sessionTimeoutMs: options.sessionTimeoutMs ?? 10_000,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 1_000,
      maxWaitTimeMs: options.maxWaitTimeMs ?? 1_000,
      maxBytes: options.maxBytes ?? 16 << 20,
      maxBytesPerPartition: options.maxBytesPerPartition ?? 2 << 20,
      restartBackoffMs: options.restartBackoffMs ?? 250,
      maxRestartBackoffMs: options.maxRestartBackoffMs ?? 10_000,
    };
  }

  async producer(): Promise<Producer> {
    const producer = new KafkaProducer(this.kafka, {
      log: this.log,
      missingTopics: (topics) => this.missingTopics(topics),
      onClose: (p) => { this.producers.delete(p); },
    });
    await producer.connect();
    this.producers.add(producer);
    return producer;
  }

  consumer(options: ConsumerOptions): Consumer {
    const consumer = new KafkaConsumer(this.kafka, options, {
      log: this.log,
      settings: this.settings,
      missingTopics: (topics) => this.missingTopics(topics),
    });
    this.consumers.add(consumer);
    return consumer;
  }

  async listTopics(): Promise<string[]> {
    try {
      // Names starting with "__" are Kafka's own (consumer offsets, transactions).
      return (await (await this.admin()).listTopics()).filter((t) => !t.startsWith('__')).sort();
    } catch (err) {
      throw toBusError(err, 'listing Kafka topics failed');
    }
  }

  async createTopics(topics: { topic: string; partitions: number }[]): Promise<void> {
    const existing = new Set(await this.listTopics());
    const missing = topics.filter((t) => !existing.has(t.topic));
    if (missing.length === 0) return;
    const names = missing.map((t) => t.topic).join(', ');
    try {
      const admin = await this.admin();
      // librdkafka's mock names a controller that is none of its brokers; kafkajs would retry that forever.
      const cluster = await admin.describeCluster();
      if (!cluster.brokers.some((b) => b.nodeId === cluster.controller)) {
        throw new TerminalError(
          `creating topics (${names}) is not supported by this cluster: its controller ${cluster.controller} is not one of its brokers; create them with the cluster's own tools`,
          { topics: missing.map((t) => t.topic), controller: cluster.controller },
        );
      }
      await admin.createTopics({ topics: missing.map((t) => ({ topic: t.topic, numPartitions: t.partitions })), waitForLeaders: true });
      this.log.info({ topics: missing }, 'topics created');
    } catch (err) {
      throw toBusError(err, `creating topics ${names} failed`, { topics: missing.map((t) => t.topic) });
    }
  }

  async endOffsets(topics: string[]): Promise<TopicPartitionOffset[]> {
    const missing = await this.missingTopics(topics);
    if (missing.length > 0) throw new TerminalError(`topic ${missing.join(', ')} does not exist`, { topics: missing });
    const out: TopicPartitionOffset[] = [];
    for (const topic of topics) {
      try {
        for (const p of await (await this.admin()).fetchTopicOffsets(topic)) out.push({ topic, partition: p.partition, offset: p.high });
      } catch (err) {
        throw toBusError(err, `fetching end offsets of ${topic} failed`, { topic });
      }
    }
    return out.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
  }

  async committedOffsets(groupId: string, topics: string[]): Promise<TopicPartitionOffset[]> {
    const missing = new Set(await this.missingTopics(topics));
    const present = topics.filter((t) => !missing.has(t));
    if (present.length === 0) return [];
    try {
      const groups = await (await this.admin()).fetchOffsets({ groupId, topics: present });
      const out: TopicPartitionOffset[] = [];
      for (const { topic, partitions } of groups) {
        for (const p of partitions) if (p.offset !== '-1') out.push({ topic, partition: p.partition, offset: p.offset });
      }
      return out.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
    } catch (err) {
      throw toBusError(err, `fetching committed offsets of group ${groupId} failed`, { groupId, topics: present });
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.consumers].map((c) => c.stop()));
    await Promise.all([...this.producers].map((p) => p.close()));
    this.consumers.clear();
    const admin = this.adminClient;
    this.adminClient = null;
    if (admin) await admin.then((a) => a.disconnect(), () => {});
  }

  /** The topics of the list that the cluster does not have. */
  private async missingTopics(topics: string[]): Promise<string[]> {
    const existing = new Set(await this.listTopics());
    return topics.filter((t) => !existing.has(t));
  }

  private admin(): Promise<Admin> {
    if (!this.adminClient) {
      const admin = this.kafka.admin();
      const connecting = admin.connect().then(() => admin);
      connecting.catch(() => { this.adminClient = null; });
      this.adminClient = connecting;
    }
    return this.adminClient;
  }
}

function kafkaLogLevel(pinoLevel: string): logLevel {
  switch (pinoLevel) {
    case 'trace': case 'debug': return logLevel.DEBUG;
    case 'info': return logLevel.INFO;
    case 'warn': return logLevel.WARN;
    case 'silent': return logLevel.NOTHING;
    default: return logLevel.ERROR;
  }
}

const secretKey = /sasl|password|secret|token|credential|authorization/i;

/** kafkajs log entries as pino lines; fields that could carry secrets are dropped, not just redacted. */
function pinoLogCreator(log: Logger): logCreator {
  return () => ({ namespace, level, log: entry }) => {
    const { message, timestamp: _timestamp, logger: _logger, ...extra } = entry as { message: string; [k: string]: unknown };
    const fields: Record<string, unknown> = { kafkajs: namespace };
    for (const [k, v] of Object.entries(extra)) if (!secretKey.test(k)) fields[k] = v;
    if (level === logLevel.ERROR) log.error(fields, message);
    else if (level === logLevel.WARN) log.warn(fields, message);
    else if (level === logLevel.INFO) log.info(fields, message);
    else log.debug(fields, message);
  };
}
