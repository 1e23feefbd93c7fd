/**
 * A consumer's read position in one partition file, and the mapping of record-file lines to BusRecords.
 * Only complete lines are delivered: a last line without '\n' is still being written (or torn by a crash).
 */
import { stat } from 'node:fs/promises';
import { errorHeader } from './event-bus.js';
import type { BusRecord, RecordBatch } from './event-bus.js';
import { parseRecordLine, readRecordLines, type RecordLine } from './record-file.js';

/** Header set on a line that is not a valid record, so the ingest dead-letters it instead of losing it. */
export { errorHeader };

/** Byte positions of delivered records, so a commit of any delivered offset is stored with its byte. */
interface DeliveredSpan { first: number; starts: number[]; endByte: number }

export class PartitionCursor {
  readonly topic: string;
  readonly partition: number;
  /** Next offset to deliver and the byte where its line starts. */
  nextOffset: number;
  private byte: number;
  private knownEnd: number;
  private lines: AsyncGenerator<RecordLine[]> | null = null;
  private delivered: DeliveredSpan[] = [];
  private pending: { batch: RecordBatch; span: DeliveredSpan } | null = null;

  constructor(private readonly o: {
    topic: string; partition: number; path: string; start: { offset: number; byte: number };
    maxBatchRecords: number; maxLineBytes: number;
  }) {
    this.topic = o.topic;
    this.partition = o.partition;
    this.nextOffset = o.start.offset;
    this.byte = o.start.byte;
    this.knownEnd = o.start.offset;
  }

  /** The next batch after the taken ones, or null when there is nothing new. */
  async read(): Promise<RecordBatch | null> {
    if (this.pending) return this.pending.batch;
    if (!this.lines) {
      const size = await stat(this.o.path).then((s) => s.size, () => 0);
      if (size <= this.byte) return null;
      this.lines = readRecordLines(this.o.path, {
        startByte: this.byte, startLine: this.nextOffset + 1, batchLines: this.o.maxBatchRecords, maxLineBytes: this.o.maxLineBytes,
      });
    }
    const next = await this.lines.next();
    if (next.done) {
      this.lines = null;
      return null;
    }
    let lines = next.value;
    if (!lines[lines.length - 1].complete) lines = lines.slice(0, -1);
    if (lines.length === 0) return null;
    const now = String(Date.now());
    const records = lines.map((l) => toBusRecord(l, now, this.o.maxLineBytes));
    const last = lines[lines.length - 1];
    this.knownEnd = Math.max(this.knownEnd, last.line);
    const batch: RecordBatch = { topic: this.topic, partition: this.partition, records, highWatermark: String(this.knownEnd) };
    this.pending = { batch, span: { first: lines[0].line - 1, starts: lines.map((l) => l.start), endByte: last.end + 1 } };
    return batch;
  }

  /** onBatch resolved: the next read starts after this batch. */
  taken(batch: RecordBatch): void {
    if (!this.pending || this.pending.batch !== batch) return;
    const { span } = this.pending;
    this.pending = null;
    this.delivered.push(span);
    if (this.delivered.length > 1_000) this.delivered.shift();
    this.nextOffset = span.first + span.starts.length;
    this.byte = span.endByte;
  }

  /** Byte where `offset`'s line starts, if this cursor delivered it (or it is the next one); prunes older spans. */
  byteOf(offset: number): number | null {
    if (offset === this.nextOffset) {
      this.delivered = [];
      return this.byte;
    }
    const i = this.delivered.findIndex((s) => offset >= s.first && offset <= s.first + s.starts.length);
    if (i < 0) return null;
    const span = this.delivered[i];
    this.delivered = this.delivered.slice(i);
    return offset === span.first + span.starts.length ? span.endByte : span.starts[offset - span.first];
  }

  async close(): Promise<void> {
    await this.lines?.return(undefined);
    this.lines = null;
  }
}

function toBusRecord(l: RecordLine, now: string, maxLineBytes: number): BusRecord {
  const offset = String(l.line - 1);
  if (l.text === null) {
    const reason = l.bytes > maxLineBytes ? `line of ${l.bytes} bytes is longer than ${maxLineBytes}` : 'line is not valid UTF-8';
    return { offset, key: null, value: l.raw, timestamp: now, headers: { [errorHeader]: reason } };
  }
  const parsed = parseRecordLine(l.text);
  if (!parsed.ok) return { offset, key: null, value: Buffer.from(l.text), timestamp: now, headers: { [errorHeader]: parsed.reason } };
  const r = parsed.record;
  return {
    offset,
    key: r.key === null ? null : Buffer.from(r.key),
    value: Buffer.from(r.value),
    // A line without a timestamp gets the time it is read, as the contract's "missing: the ingest time".
    timestamp: r.timestampMs === null ? now : String(r.timestampMs),
    headers: r.headers ?? undefined,
  };
}
