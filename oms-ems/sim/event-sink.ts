/**
 * Where the simulator's events go: the event bus (Kafka or the embedded log), a record file (CONTRACT.md section 2),
 * or nowhere (benchmarks). Events are buffered and written in batches; `close()` flushes.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import type { EventBus, Producer, ProduceRecord } from '../../bus/event-bus.js';
import { formatRecordLine, parseRecordLine } from '../../bus/record-file.js';

export interface SimEvent {
  topic: string;
  key: string | null;
  /** An object is sent as JSON; a string is a raw (possibly malformed) payload. */
  value: Record<string, unknown> | string;
  timestampMs: number;
}

export interface EventSink {
  readonly description: string;
  /** False when the sink keeps nothing but counts: producers need not format events for it. */
  readonly keepsEvents?: boolean;
  write(events: SimEvent[]): Promise<void>;
  /** Events already formatted as record-file lines (CONTRACT.md section 2), with their count per topic. */
  writeLines(text: string, counts: Record<string, number>): Promise<void>;
  /** Events written so far, per topic. */
  counts(): Record<string, number>;
  close(): Promise<void>;
}

/** The events as record-file lines, each ending in a newline. */
export function recordLines(events: readonly SimEvent[]): string {
  let text = '';
  for (const e of events) text += `${formatRecordLine({ topic: e.topic, key: e.key, value: e.value, timestampMs: e.timestampMs })}\n`;
  return text;
}

abstract class CountingSink implements EventSink {
  abstract readonly description: string;
  private readonly perTopic: Record<string, number> = {};
  async write(events: SimEvent[]): Promise<void> {
    for (const e of events) this.perTopic[e.topic] = (this.perTopic[e.topic] ?? 0) + 1;
    await this.deliver(events);
  }
  async writeLines(text: string, counts: Record<string, number>): Promise<void> {
    for (const [topic, n] of Object.entries(counts)) this.perTopic[topic] = (this.perTopic[topic] ?? 0) + n;
    await this.deliverLines(text);
  }
  counts(): Record<string, number> {
    return { ...this.perTopic };
  }
  protected abstract deliver(events: SimEvent[]): Promise<void>;
  protected abstract deliverLines(text: string): Promise<void>;
  abstract close(): Promise<void>;
}

export class BusSink extends CountingSink {
  readonly description: string;
  private constructor(private readonly producer: Producer, uri: string, private readonly batchSize: number) {
    super();
    this.description = uri;
  }

  static async open(bus: EventBus, options: { batchSize?: number } = {}): Promise<BusSink> {
    return new BusSink(await bus.producer(), bus.uri, options.batchSize ?? 5_000);
  }

  protected async deliver(events: SimEvent[]): Promise<void> {
    await this.deliverRecords(events.map((e) => ({ topic: e.topic, key: e.key, value: e.value, timestamp: e.timestampMs })));
  }

  protected async deliverLines(text: string): Promise<void> {
    const records: ProduceRecord[] = [];
    for (const line of text.split('\n')) {
      if (line === '') continue;
      const parsed = parseRecordLine(line);
      if (!parsed.ok) throw new Error(`simulator produced a bad record line: ${parsed.reason}`);
      const { topic, key, value, timestampMs } = parsed.record;
      records.push({ topic, key, value, timestamp: timestampMs ?? undefined });
    }
    await this.deliverRecords(records);
  }

  private async deliverRecords(records: ProduceRecord[]): Promise<void> {
    for (let i = 0; i < records.length; i += this.batchSize) await this.producer.send(records.slice(i, i + this.batchSize));
  }

  async close(): Promise<void> {
    await this.producer.close();
  }
}

export class RecordFileSink extends CountingSink {
  readonly description: string;
  private readonly out: WriteStream;
  constructor(path: string) {
    super();
    this.description = `file:${path}`;
    this.out = createWriteStream(path, { flags: 'w' });
  }

  protected async deliver(events: SimEvent[]): Promise<void> {
    await this.deliverLines(recordLines(events));
  }

  protected async deliverLines(text: string): Promise<void> {
    if (!this.out.write(text)) await once(this.out, 'drain');
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve, reject) => this.out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  }
}

/** Counts and discards: what the generator alone costs. */
export class NullSink extends CountingSink {
  readonly description = 'null';
  readonly keepsEvents = false;
  protected async deliver(): Promise<void> {}
  protected async deliverLines(): Promise<void> {}
  async close(): Promise<void> {}
}
