/**
 * Producer on kafkajs: one sendBatch per send (grouped by topic), acks from all in-sync replicas.
 * Never idempotent: librdkafka's mock cannot serve InitProducerId (its controller is not a broker).
 */
import { Partitioners, type Kafka, type Message, type Producer as KafkaJsProducer, type TopicMessages } from 'kafkajs';
import type { Logger } from '../lib/log.js';
import { TerminalError } from '../lib/errors.js';
import type { Producer, ProduceRecord } from './event-bus.js';
import { parseTimestamp } from './record-file.js';
import { toBusError } from './kafka-errors.js';

export interface KafkaProducerDeps {
  log: Logger;
  missingTopics(topics: string[]): Promise<string[]>;
  onClose(producer: KafkaProducer): void;
}

export class KafkaProducer implements Producer {
  private readonly producer: KafkaJsProducer;
  /** Topics seen to exist: a send to an unknown topic fails fast, naming it, instead of after kafkajs's retries. */
  private readonly knownTopics = new Set<string>();
  private closed = false;

  constructor(kafka: Kafka, private readonly deps: KafkaProducerDeps) {
    // DefaultPartitioner is murmur2 like Java's, the same as the embedded log's (bus/murmur2.ts).
    this.producer = kafka.producer({ allowAutoTopicCreation: false, idempotent: false, createPartitioner: Partitioners.DefaultPartitioner });
  }

  async connect(): Promise<void> {
    try {
      await this.producer.connect();
    } catch (err) {
      throw toBusError(err, 'connecting the Kafka producer failed');
    }
  }

  async send(records: ProduceRecord[]): Promise<void> {
    if (this.closed) throw new TerminalError('send on a closed producer');
    if (records.length === 0) return;
    const byTopic = new Map<string, Message[]>();
    for (const r of records) {
      let messages = byTopic.get(r.topic);
      if (!messages) byTopic.set(r.topic, (messages = []));
      messages.push({
        key: r.key ?? null,
        value: r.value === null || typeof r.value === 'string' || Buffer.isBuffer(r.value) ? r.value : JSON.stringify(r.value),
        partition: r.partition,
        timestamp: r.timestamp === undefined ? undefined : timestampText(r),
        headers: r.headers,
      });
    }
    const unknown = [...byTopic.keys()].filter((t) => !this.knownTopics.has(t));
    if (unknown.length > 0) {
      const missing = await this.deps.missingTopics(unknown);
      if (missing.length > 0) throw new TerminalError(`topic ${missing.join(', ')} does not exist`, { topics: missing });
      for (const t of unknown) this.knownTopics.add(t);
    }
    const topicMessages: TopicMessages[] = [...byTopic].map(([topic, messages]) => ({ topic, messages }));
    try {
      await this.producer.sendBatch({ acks: -1, topicMessages });
    } catch (err) {
      throw toBusError(err, 'producing to Kafka failed', { topics: [...byTopic.keys()], records: records.length });
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.deps.onClose(this);
    await this.producer.disconnect().catch((err) => this.deps.log.warn({ err }, 'disconnecting the producer failed'));
  }
}

/** kafkajs wants epoch ms as a decimal string. */
function timestampText(r: ProduceRecord): string {
  if (typeof r.timestamp === 'string' && /^\d+$/.test(r.timestamp)) return r.timestamp;
  const ms = parseTimestamp(r.timestamp);
  if (ms === null) throw new TerminalError(`invalid timestamp ${JSON.stringify(r.timestamp)}`, { topic: r.topic, key: r.key?.toString() });
  return String(ms);
}
