/**
 * The embedded log's producer: picks partitions as Kafka's default partitioner does, appends record-file lines,
 * and resolves once they are fsync'd.
 */
import { TerminalError } from '../lib/errors.js';
import type { Producer, ProduceRecord } from './event-bus.js';
import { formatRecordLine, parseTimestamp } from './record-file.js';
import { partitionForKey } from './murmur2.js';
import type { EventLog } from './event-log.js';

export class EventLogProducer implements Producer {
  private closed = false;
  /** Sends in flight, so close() lets them finish before the files close. */
  private readonly sending = new Set<Promise<void>>();
  /** Round-robin position per topic for records without a key. */
  private readonly counters = new Map<string, number>();

  constructor(private readonly log: EventLog, private readonly onClose: () => Promise<void>) {}

  send(records: ProduceRecord[]): Promise<void> {
    if (this.closed) return Promise.reject(new TerminalError('send on a closed producer', { dir: this.log.dir }));
    const sent = this.append(records);
    const settled = sent.catch(() => {}).finally(() => this.sending.delete(settled));
    this.sending.add(settled);
    return sent;
  }

  private async append(records: ProduceRecord[]): Promise<void> {
    if (records.length === 0) return;
    const counts = new Map<string, number>();
    for (const r of records) if (!counts.has(r.topic)) counts.set(r.topic, await this.log.ensureTopic(r.topic));

    const now = Date.now();
    const groups = new Map<string, { topic: string; partition: number; lines: string[] }>();
    for (const r of records) {
      const partition = this.partitionOf(r, counts.get(r.topic)!);
      const line = formatRecordLine({
        topic: r.topic,
        key: r.key === undefined || r.key === null ? null : r.key.toString(),
        value: valueOf(r),
        timestampMs: timestampOf(r, now),
        headers: r.headers ?? null,
      });
      if (line.length > this.log.maxRecordBytes / 3 && Buffer.byteLength(line) > this.log.maxRecordBytes) {
        throw new TerminalError(`record larger than ${this.log.maxRecordBytes} bytes`, { topic: r.topic, partition, key: r.key?.toString() });
      }
      const id = `${r.topic}/${partition}`;
      let group = groups.get(id);
      if (!group) groups.set(id, (group = { topic: r.topic, partition, lines: [] }));
      group.lines.push(line);
    }
    await Promise.all([...groups.values()].map(async (g) => {
      const writer = await this.log.writer(g.topic, g.partition);
      await writer.append(Buffer.from(`${g.lines.join('\n')}\n`), g.lines.length);
    }));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.sending);
    await this.onClose();
  }

  private partitionOf(r: ProduceRecord, partitions: number): number {
    if (r.partition !== undefined) {
      if (!Number.isInteger(r.partition) || r.partition < 0 || r.partition >= partitions) {
        throw new TerminalError(`topic ${r.topic} has no partition ${r.partition} (it has ${partitions})`, { topic: r.topic, partition: r.partition });
      }
      return r.partition;
    }
    if (r.key !== undefined && r.key !== null) return partitionForKey(r.key, partitions);
    const n = this.counters.get(r.topic) ?? 0;
    this.counters.set(r.topic, n + 1);
    return n % partitions;
  }
}

function valueOf(r: ProduceRecord): string | Record<string, unknown> {
  if (r.value === null) throw new TerminalError('the embedded event log cannot store a null value', { topic: r.topic, key: r.key?.toString() });
  return Buffer.isBuffer(r.value) ? r.value.toString('utf8') : r.value;
}

function timestampOf(r: ProduceRecord, now: number): number {
  if (r.timestamp === undefined) return now;
  const ms = parseTimestamp(r.timestamp);
  if (ms === null) throw new TerminalError(`invalid timestamp ${JSON.stringify(r.timestamp)}`, { topic: r.topic, key: r.key?.toString() });
  return ms;
}
