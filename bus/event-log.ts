/**
 * The embedded durable event log: the event bus of the default, no-service set-up.
 * Layout under `dir`: topics/<topic>/meta.json (partition count), topics/<topic>/<partition>.log (record-file lines;
 * line n is offset n-1), groups/<group>.json (committed offsets), writer.lock and groups/<group>.lock (owner pids).
 * One writer process per directory; readers (consumers, offsets) may be in any process.
 */
import { mkdir, readdir, readFile, open, link, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { silentLogger, type Logger } from '../lib/log.js';
import { TerminalError } from '../lib/errors.js';
import type { Consumer, ConsumerOptions, EventBus, Producer, TopicPartitionOffset } from './event-bus.js';
import { defaultMaxLineBytes, isValidTopicName } from './record-file.js';
import { fsyncDir } from './atomic-file.js';
import { acquirePidLock, describeHolder, type PidLock } from './file-lock.js';
import { countLines, PartitionWriter } from './event-log-partition.js';
import { EventLogConsumer } from './event-log-consumer.js';
import { readGroupOffsets } from './event-log-groups.js';
import { EventLogProducer } from './event-log-producer.js';

export interface EventLogOptions {
  dir: string;
  /** Partitions of a topic created by its first send. */
  defaultPartitions?: number;
  /** How often an idle consumer looks for new lines. */
  pollIntervalMs?: number;
  /** Longest record line; longer ones are refused on send (as Kafka's message.max.bytes) and dead-lettered on read. */
  maxRecordBytes?: number;
  logger?: Logger;
}

export class EventLog implements EventBus {
  readonly kind = 'eventlog' as const;
  readonly uri: string;
  readonly dir: string;
  readonly defaultPartitions: number;
  readonly maxRecordBytes: number;
  private readonly pollIntervalMs: number;
  private readonly log: Logger;
  private readonly partitionCounts = new Map<string, number>();
  private readonly writers = new Map<string, Promise<PartitionWriter>>();
  private writerLock: Promise<PidLock> | null = null;
  private readonly producers = new Set<EventLogProducer>();
  private readonly consumers = new Set<EventLogConsumer>();
  private readonly lineCounts = new Map<string, { lines: number; byte: number }>();

  constructor(options: EventLogOptions) {
    this.dir = resolve(options.dir);
    this.uri = `eventlog://${this.dir}`;
    this.defaultPartitions = options.defaultPartitions ?? 3;
    this.pollIntervalMs = options.pollIntervalMs ?? 100;
    this.maxRecordBytes = options.maxRecordBytes ?? defaultMaxLineBytes;
    this.log = (options.logger ?? silentLogger).child({ module: 'event-log', dir: this.dir });
  }

  /** Takes the directory's writer lock (refused while another live process holds it) until the last producer closes. */
  async producer(): Promise<Producer> {
    await this.acquireWriterLock();
    const producer: EventLogProducer = new EventLogProducer(this, async () => {
      this.producers.delete(producer);
      if (this.producers.size === 0) await this.closeWriters();
    });
    this.producers.add(producer);
    return producer;
  }

  consumer(options: ConsumerOptions): Consumer {
    const consumer = new EventLogConsumer({
      groupsDir: join(this.dir, 'groups'),
      log: this.log,
      pollIntervalMs: this.pollIntervalMs,
      maxLineBytes: this.maxRecordBytes,
      partitionCount: (topic) => this.partitionCount(topic),
      partitionPath: (topic, partition) => this.partitionPath(topic, partition),
      endPosition: (topic, partition) => this.endPosition(topic, partition),
    }, options);
    this.consumers.add(consumer);
    return consumer;
  }

  async listTopics(): Promise<string[]> {
    const names = await readdir(join(this.dir, 'topics')).catch(() => [] as string[]);
    const topics: string[] = [];
    for (const name of names) if ((await this.partitionCount(name)) !== null) topics.push(name);
    return topics.sort();
  }

  async createTopics(topics: { topic: string; partitions: number }[]): Promise<void> {
    for (const { topic, partitions } of topics) {
      checkTopicName(topic);
      if (!Number.isInteger(partitions) || partitions < 1) throw new TerminalError(`topic ${topic}: partitions must be a positive integer`, { topic, partitions });
      const existing = await this.partitionCount(topic);
      if (existing !== null) {
        if (existing !== partitions) this.log.warn({ topic, partitions: existing, requested: partitions }, 'topic exists with another partition count');
        continue;
      }
      await this.writeMeta(topic, partitions);
    }
  }

  async endOffsets(topics: string[]): Promise<TopicPartitionOffset[]> {
    const out: TopicPartitionOffset[] = [];
    for (const topic of topics) {
      const count = await this.requirePartitionCount(topic);
      for (let partition = 0; partition < count; partition++) {
        out.push({ topic, partition, offset: String((await this.endPosition(topic, partition)).offset) });
      }
    }
    return out;
  }

  async committedOffsets(groupId: string, topics: string[]): Promise<TopicPartitionOffset[]> {
    const offsets = await readGroupOffsets(join(this.dir, 'groups'), groupId);
    const out: TopicPartitionOffset[] = [];
    for (const topic of topics) {
      for (const [partition, position] of Object.entries(offsets[topic] ?? {})) out.push({ topic, partition: Number(partition), offset: position.offset });
    }
    return out.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
  }

  async close(): Promise<void> {
    await Promise.all([...this.consumers].map((c) => c.stop()));
    this.consumers.clear();
    await Promise.all([...this.producers].map((p) => p.close()));
    await this.closeWriters();
  }

  /** The partition count of a topic, or null when it does not exist. */
  async partitionCount(topic: string): Promise<number | null> {
    const known = this.partitionCounts.get(topic);
    if (known !== undefined) return known;
    if (!isValidTopicName(topic)) return null;
    try {
      const meta = JSON.parse(await readFile(join(this.dir, 'topics', topic, 'meta.json'), 'utf8')) as { partitions: number };
      this.partitionCounts.set(topic, meta.partitions);
      return meta.partitions;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new TerminalError(`topic ${topic} has an unreadable meta.json`, { topic }, err);
    }
  }

  /** Partition count, creating the topic with defaultPartitions on first use (producers). */
  async ensureTopic(topic: string): Promise<number> {
    const count = await this.partitionCount(topic);
    if (count !== null) return count;
    checkTopicName(topic);
    await this.writeMeta(topic, this.defaultPartitions);
    return this.requirePartitionCount(topic);
  }

  writer(topic: string, partition: number): Promise<PartitionWriter> {
    const id = `${topic}/${partition}`;
    let writer = this.writers.get(id);
    if (!writer) {
      writer = PartitionWriter.open(this.partitionPath(topic, partition), { topic, partition }, this.log);
      writer.catch(() => this.writers.delete(id));
      this.writers.set(id, writer);
    }
    return writer;
  }

  partitionPath(topic: string, partition: number): string {
    return join(this.dir, 'topics', topic, `${partition}.log`);
  }

  private async requirePartitionCount(topic: string): Promise<number> {
    const count = await this.partitionCount(topic);
    if (count === null) throw new TerminalError(`topic ${topic} does not exist`, { topic });
    return count;
  }

  /** Next offset and its byte, counting complete lines from where the last count stopped. */
  private async endPosition(topic: string, partition: number): Promise<{ offset: number; byte: number }> {
    const path = this.partitionPath(topic, partition);
    let file;
    try {
      file = await open(path, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { offset: 0, byte: 0 };
      throw err;
    }
    try {
      let from = this.lineCounts.get(path) ?? { lines: 0, byte: 0 };
      if ((await file.stat()).size < from.byte) from = { lines: 0, byte: 0 }; // truncated since: count again
      const count = await countLines(file, from);
      this.lineCounts.set(path, { lines: count.lines, byte: count.validBytes });
      return { offset: count.lines, byte: count.validBytes };
    } finally {
      await file.close();
    }
  }

  /** Creates meta.json only if absent (link fails on an existing name), so racing creators agree on one count. */
  private async writeMeta(topic: string, partitions: number): Promise<void> {
    const topicDir = join(this.dir, 'topics', topic);
    await mkdir(topicDir, { recursive: true });
    const temp = join(topicDir, `meta.json.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    const file = await open(temp, 'w');
    try {
      await file.writeFile(`${JSON.stringify({ partitions })}\n`);
      await file.sync();
    } finally {
      await file.close();
    }
    try {
      await link(temp, join(topicDir, 'meta.json'));
      this.log.info({ topic, partitions }, 'topic created');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      await unlink(temp).catch(() => {});
    }
    await fsyncDir(topicDir);
    await fsyncDir(join(this.dir, 'topics'));
  }

  private acquireWriterLock(): Promise<PidLock> {
    this.writerLock ??= (async () => {
      await mkdir(join(this.dir, 'groups'), { recursive: true });
      await mkdir(join(this.dir, 'topics'), { recursive: true });
      const result = await acquirePidLock(join(this.dir, 'writer.lock'), 'event log writer');
      if (!result.ok) {
        throw new TerminalError(
          `event log ${this.dir} is locked by ${describeHolder(result.holder)}: one writer process per log directory`,
          { dir: this.dir, holderPid: result.holder.pid },
        );
      }
      return result.lock;
    })();
    this.writerLock.catch(() => { this.writerLock = null; });
    return this.writerLock;
  }

  private async closeWriters(): Promise<void> {
    const writers = [...this.writers.values()];
    this.writers.clear();
    await Promise.all(writers.map((w) => w.then((x) => x.close(), () => {})));
    const lock = this.writerLock;
    this.writerLock = null;
    if (lock) await lock.then((l) => l.release(), () => {});
  }
}

function checkTopicName(topic: string): void {
  if (!isValidTopicName(topic)) throw new TerminalError(`invalid topic name ${JSON.stringify(topic)}: Kafka topic names are 1-249 of [a-zA-Z0-9._-]`, { topic });
}
