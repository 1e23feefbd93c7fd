/**
 * Record files (CONTRACT.md section 2): JSON Lines, one Kafka record per line. The same format is
 * the embedded event log's partition file format, so `ingest --source file:` and the log share this reader.
 */
import { isoTime } from '../lib/iso-time.js';
import { open } from 'node:fs/promises';
import { isUtf8 } from 'node:buffer';
import { topLevelMemberSpan } from './json-span.js';

export interface RecordLine {
  /** 1-based line number. */
  line: number;
  /** Byte offsets of the line in the file; `end` excludes the '\n'. */
  start: number;
  end: number;
  /** The line's text; null when it is not valid UTF-8 or longer than maxLineBytes. */
  text: string | null;
  /** When text is null: the line's first bytes (at most rawLimitBytes), for the dead letter. */
  raw: Buffer | null;
  /** Length of the line in bytes (without the '\n'). */
  bytes: number;
  /** False for a last line with no trailing '\n' (possibly still being written). */
  complete: boolean;
}

export interface ReadRecordLinesOptions {
  startByte?: number;
  startLine?: number;
  maxLineBytes?: number;
  rawLimitBytes?: number;
  batchLines?: number;
  batchBytes?: number;
  chunkBytes?: number;
}

export const defaultMaxLineBytes = 1_048_576;

/** Streams a record file as batches of lines; memory stays bounded even for a line of any length. */
export async function* readRecordLines(path: string, options: ReadRecordLinesOptions = {}): AsyncGenerator<RecordLine[]> {
  const {
    startByte = 0, startLine = 1, maxLineBytes = defaultMaxLineBytes, rawLimitBytes = 65_536,
    batchLines = 10_000, batchBytes = 8 << 20, chunkBytes = 1 << 20,
  } = options;
  const file = await open(path, 'r');
  try {
    let position = startByte; // file offset of the next read
    let lineNo = startLine;
    let lineStart = startByte; // file offset where the pending line starts
    let pending: Buffer[] = []; // pieces of the pending line, kept while it is within maxLineBytes
    let pendingBytes = 0;
    let batch: RecordLine[] = [];
    let batchSize = 0;
    const chunk = Buffer.allocUnsafe(chunkBytes);

    const finishLine = (tail: Buffer, complete: boolean): void => {
      const bytes = pendingBytes + tail.length;
      let text: string | null = null;
      let raw: Buffer | null = null;
      if (bytes <= maxLineBytes) {
        const whole = pending.length === 0 ? tail : Buffer.concat([...pending, tail]);
        if (isUtf8(whole)) text = whole.toString('utf8');
        else raw = Buffer.from(whole.subarray(0, rawLimitBytes));
      } else {
        const kept = pending.length === 0 ? tail : Buffer.concat([...pending, tail.subarray(0, Math.max(0, rawLimitBytes - pendingBytes))]);
        raw = Buffer.from(kept.subarray(0, rawLimitBytes));
      }
      batch.push({ line: lineNo, start: lineStart, end: lineStart + bytes, text, raw, bytes, complete });
      batchSize += bytes;
      lineNo += 1;
      lineStart += bytes + 1;
      pending = [];
      pendingBytes = 0;
    };

    for (;;) {
      const { bytesRead } = await file.read(chunk, 0, chunkBytes, position);
      if (bytesRead === 0) break;
      position += bytesRead;
      let from = 0;
      for (;;) {
        const nl = chunk.indexOf(10, from);
        if (nl === -1 || nl >= bytesRead) break;
        finishLine(chunk.subarray(from, nl), true); // a view: finishLine copies what it keeps
        from = nl + 1;
        if (batch.length >= batchLines || batchSize >= batchBytes) {
          yield batch;
          batch = [];
          batchSize = 0;
        }
      }
      if (from < bytesRead) {
        const rest = chunk.subarray(from, bytesRead);
        // Past the limit only the first rawLimitBytes are kept: the line is dead-lettered, not parsed.
        if (pendingBytes <= maxLineBytes) pending.push(Buffer.from(rest));
        pendingBytes += rest.length;
      }
    }
    if (pendingBytes > 0) finishLine(Buffer.alloc(0), false);
    if (batch.length > 0) yield batch;
  } finally {
    await file.close();
  }
}

export interface ParsedRecord {
  topic: string;
  key: string | null;
  /** The payload text exactly as in the line: a JSON object value's raw text, or the string's content. */
  value: string;
  timestampMs: number | null;
  headers: Record<string, string> | null;
}

export type ParseResult = { ok: true; record: ParsedRecord } | { ok: false; reason: string };

/** Kafka's legal topic names; anything else could escape a partition path. */
const topicPattern = /^[a-zA-Z0-9._-]{1,249}$/;

export function isValidTopicName(topic: string): boolean {
  return topicPattern.test(topic) && topic !== '.' && topic !== '..';
}

/** Parses one line of a record file; a bad line gives the reason it goes to the dead letter. */
export function parseRecordLine(text: string): ParseResult {
  if (text.trim() === '') return { ok: false, reason: 'empty line' };
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: `not JSON: ${(err as Error).message}` };
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return { ok: false, reason: `not a JSON object: ${kindOf(doc)}` };
  const obj = doc as Record<string, unknown>;

  if (!('topic' in obj)) return { ok: false, reason: 'missing field: topic' };
  if (typeof obj.topic !== 'string') return { ok: false, reason: `topic must be a string, got ${kindOf(obj.topic)}` };
  if (!isValidTopicName(obj.topic)) return { ok: false, reason: `invalid topic name ${JSON.stringify(obj.topic.slice(0, 80))}: Kafka topic names are 1-249 of [a-zA-Z0-9._-]` };

  if (!('value' in obj)) return { ok: false, reason: 'missing field: value' };
  let value: string;
  if (typeof obj.value === 'string') value = obj.value;
  else if (typeof obj.value === 'object' && obj.value !== null && !Array.isArray(obj.value)) {
    const span = topLevelMemberSpan(text, 'value');
    if (span === null) return { ok: false, reason: 'value: raw text not found' };
    value = text.slice(span[0], span[1]);
  } else return { ok: false, reason: `value must be a JSON object or a string, got ${kindOf(obj.value)}` };

  let key: string | null = null;
  if (obj.key !== undefined && obj.key !== null) {
    if (typeof obj.key === 'string') key = obj.key;
    else if (typeof obj.key === 'number' || typeof obj.key === 'boolean') key = String(obj.key);
    else return { ok: false, reason: `key must be a string or null, got ${kindOf(obj.key)}` };
  }

  let timestampMs: number | null = null;
  if (obj.timestamp !== undefined && obj.timestamp !== null) {
    timestampMs = parseTimestamp(obj.timestamp);
    if (timestampMs === null) return { ok: false, reason: `timestamp ${JSON.stringify(obj.timestamp).slice(0, 80)} is neither ISO-8601 nor epoch milliseconds` };
  }

  let headers: Record<string, string> | null = null;
  if (obj.headers !== undefined && obj.headers !== null) {
    if (typeof obj.headers !== 'object' || Array.isArray(obj.headers)) return { ok: false, reason: `headers must be an object, got ${kindOf(obj.headers)}` };
    headers = {};
    for (const [name, v] of Object.entries(obj.headers as Record<string, unknown>)) {
      if (typeof v === 'string') headers[name] = v;
      else if (typeof v === 'number' || typeof v === 'boolean') headers[name] = String(v);
      else return { ok: false, reason: `header ${JSON.stringify(name)} must be a string, got ${kindOf(v)}` };
    }
  }
  return { ok: true, record: { topic: obj.topic, key, value, timestampMs, headers } };
}

const isoPattern = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
/** Years 1900-9999 in epoch ms; keeps a seconds-or-micros mix-up from landing as a wild date. */
const minMs = -2_208_988_800_000;
const maxMs = 253_402_300_799_999;

/** ISO-8601 (a date-time without zone is taken as UTC) or epoch milliseconds (number or digit string). */
export function parseTimestamp(value: unknown): number | null {
  let ms: number;
  if (typeof value === 'number') ms = value;
  else if (typeof value === 'string' && /^-?\d{1,16}$/.test(value)) ms = Number(value);
  else if (typeof value === 'string' && isoPattern.test(value)) {
    const hasZone = /(?:Z|[+-]\d{2}:?\d{2})$/.test(value) && value.length > 10;
    ms = Date.parse(hasZone || value.length === 10 ? value : `${value}Z`);
  } else return null;
  if (!Number.isInteger(ms) || ms < minMs || ms > maxMs) return null;
  return ms;
}

/** One line (no trailing newline) in the record-file format. */
export function formatRecordLine(record: { topic: string; key: string | null; value: string | Record<string, unknown>; timestampMs: number; headers?: Record<string, string> | null }): string {
  const value = JSON.stringify(record.value);
  const headers = record.headers && Object.keys(record.headers).length > 0 ? `,"headers":${JSON.stringify(record.headers)}` : '';
  return `{"topic":${JSON.stringify(record.topic)},"key":${JSON.stringify(record.key)},"value":${value},"timestamp":"${isoTime(record.timestampMs)}"${headers}}`;
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}
