/**
 * A landing batch, before it is written: what came from where, and which of it bronze has already.
 * Each record's identity is its source position: (bus, topic, partition, offset), or (file SHA-256, line).
 * A position at or below the committed watermark is already in bronze and is skipped: that is what makes
 * a replayed batch (after a crash, a rebalance, or the same file ingested twice) land nothing twice.
 */
import { isUtf8 } from 'node:buffer';
import { errorHeader, type BusRecord, type RecordHeaders } from '../bus/event-bus.js';
import type { ParsedRecord } from '../bus/record-file.js';
import { StagingEncoder, type StagingFile, type StagingMark } from './staging-encoder.js';

export interface DeadLetterRow {
  source: string;
  source_kind: 'kafka' | 'eventlog' | 'file';
  file: string | null;
  line: number | null;
  topic: string | null;
  partition: number | null;
  offset: string | null;
  reason: string;
  raw: string;
  raw_encoding: 'utf8' | 'base64';
  raw_bytes: number;
  truncated: boolean;
}

export interface BusSegment {
  topic: string;
  partition: number;
  /** In offset order. */
  records: BusRecord[];
}

export type FileItem =
  | { line: number; record: ParsedRecord }
  | { line: number; reason: string; raw: Buffer | string; bytes: number };

export type LandingBatch =
  | { kind: 'bus'; bus: 'kafka' | 'eventlog'; source: string; segments: BusSegment[] }
  | { kind: 'file'; source: string; path: string; sha256: string; items: FileItem[] };

export interface EncodedBatch {
  encoder: StagingEncoder;
  deadLetters: DeadLetterRow[];
  landed: number;
  deadLettered: number;
  alreadyLanded: number;
  /** The highest position of every source the batch covers, already-landed ones included. */
  watermarks: Record<string, string>;
  /** The lowest position of every source that the batch lands or dead-letters (already-landed ones left out). */
  firstPositions: Record<string, string>;
}

const rawLimitBytes = 65_536;

export function busPositionKey(bus: string, topic: string, partition: number): string {
  return `${bus}:${topic}/${partition}`;
}

export function filePositionKey(sha256: string): string {
  return `file:${sha256}`;
}

/** An empty encoded batch, for callers that encode records as they arrive (ingest/bus-ingest.ts). */
export function emptyEncodedBatch(): EncodedBatch {
  return { encoder: new StagingEncoder(), deadLetters: [], landed: 0, deadLettered: 0, alreadyLanded: 0, watermarks: {}, firstPositions: {} };
}

/**
 * Encodes a whole batch against the committed watermarks. Positions at or below them are counted as already
 * landed and left out; the writer filters again, in SQL, against whatever is committed when it lands.
 */
export function encodeBatch(batch: LandingBatch, watermarks: Record<string, string>, ingestMs: number): EncodedBatch {
  const out = emptyEncodedBatch();
  if (batch.kind === 'bus') {
    const upTo = new Map<string, bigint>();
    for (const seg of batch.segments) encodeBusSegment(out, batch.bus, batch.source, seg, watermarks, upTo);
  } else encodeFile(batch, watermarks, ingestMs, out);
  return out;
}

/**
 * Appends one partition's records to `out`. `upTo` is the highest position covered so far per partition (seeded
 * from the committed watermark): a partition handed back to this member after a rebalance is delivered again
 * from its committed offset, so the same offsets can arrive twice.
 * UTF-8 is checked once over the rows the segment added to each staging file rather than per key and value; only
 * when that check fails are the rows taken back and the segment encoded again record by record, dead-lettering the
 * invalid ones with the same reasons.
 */
export function encodeBusSegment(out: EncodedBatch, bus: 'kafka' | 'eventlog', source: string, seg: BusSegment, watermarks: Record<string, string>, upTo: Map<string, bigint>): void {
  if (seg.records.length === 0) return;
  const key = busPositionKey(bus, seg.topic, seg.partition);
  let landedUpTo = upTo.get(key);
  if (landedUpTo === undefined) landedUpTo = watermarks[key] === undefined ? -1n : BigInt(watermarks[key]);
  const last = BigInt(seg.records[seg.records.length - 1].offset);
  const before = { landed: out.landed, deadLettered: out.deadLettered, alreadyLanded: out.alreadyLanded, deadLetters: out.deadLetters.length, rows: out.encoder.rows, first: out.firstPositions[key] };
  const marks = encodeRecords(out, bus, source, seg, key, landedUpTo, false);
  let valid = true;
  for (const [file, mark] of marks) if (!file.validSince(mark)) valid = false;
  if (!valid) {
    for (const [file, mark] of marks) file.rollback(mark);
    out.landed = before.landed;
    out.deadLettered = before.deadLettered;
    out.alreadyLanded = before.alreadyLanded;
    out.deadLetters.length = before.deadLetters;
    out.encoder.rows = before.rows;
    if (before.first === undefined) delete out.firstPositions[key];
    encodeRecords(out, bus, source, seg, key, landedUpTo, true);
  }
  if (last > landedUpTo) landedUpTo = last;
  upTo.set(key, landedUpTo);
  out.watermarks[key] = String(landedUpTo);
}

/** Encodes the records above `landedUpTo`; returns the staging files written to, each with its mark from before. */
function encodeRecords(out: EncodedBatch, bus: 'kafka' | 'eventlog', source: string, seg: BusSegment, key: string, landedUpTo: bigint, checkUtf8: boolean): [StagingFile, StagingMark][] {
  const enc = out.encoder;
  const checkEach = BigInt(seg.records[0].offset) <= landedUpTo;
  const prefix = enc.prefix(seg.topic, seg.partition);
  const marks: [StagingFile, StagingMark][] = [];
  let file: StagingFile | null = null;
  let first = out.firstPositions[key] === undefined;
  let landed = 0;
  for (const r of seg.records) {
    if (checkEach && BigInt(r.offset) <= landedUpTo) {
      out.alreadyLanded += 1;
      continue;
    }
    if (first) {
      out.firstPositions[key] = r.offset;
      first = false;
    }
    const reason = busRecordProblem(r, checkUtf8);
    if (reason !== null) {
      out.deadLetters.push(busDeadLetter(bus, source, seg, r, reason));
      out.deadLettered += 1;
      continue;
    }
    const f = enc.fileAt(seg.topic, r.timestamp);
    if (f !== file) {
      file = f;
      if (!marks.some(([m]) => m === f)) marks.push([f, f.mark()]);
    }
    const headers = r.headers === undefined ? null : headersJson(r.headers);
    f.add(prefix, r.offset, r.key, r.value, r.timestamp, headers === null ? null : Buffer.from(headers, 'utf8'));
    landed += 1;
  }
  enc.rows += landed;
  out.landed += landed;
  return marks;
}

/** Why a record goes to the dead letter, or null. The UTF-8 checks only when asked: see encodeBusSegment. */
function busRecordProblem(r: BusRecord, checkUtf8: boolean): string | null {
  const error = r.headers?.[errorHeader];
  if (error !== undefined) return String(error);
  if (!checkUtf8) return null;
  if (r.value !== null && !isUtf8(r.value)) return 'value is not valid UTF-8';
  if (r.key !== null && !isUtf8(r.key)) return 'key is not valid UTF-8';
  return null;
}

function busDeadLetter(bus: 'kafka' | 'eventlog', source: string, seg: BusSegment, r: BusRecord, reason: string): DeadLetterRow {
  const raw = r.value ?? Buffer.alloc(0);
  const utf8 = isUtf8(raw);
  const kept = raw.subarray(0, rawLimitBytes);
  return {
    source: `${source}/${seg.topic}/${seg.partition}@${r.offset}`, source_kind: bus, file: null, line: null,
    topic: seg.topic, partition: seg.partition, offset: r.offset, reason,
    raw: utf8 ? kept.toString('utf8') : kept.toString('base64'), raw_encoding: utf8 ? 'utf8' : 'base64',
    raw_bytes: raw.length, truncated: raw.length > kept.length,
  };
}

function encodeFile(batch: Extract<LandingBatch, { kind: 'file' }>, watermarks: Record<string, string>, ingestMs: number, out: EncodedBatch): void {
  const key = filePositionKey(batch.sha256);
  const landedUpTo = watermarks[key] === undefined ? 0 : Number(watermarks[key]);
  let last = landedUpTo;
  for (const item of batch.items) {
    if (item.line > last) last = item.line;
    if (item.line <= landedUpTo) {
      out.alreadyLanded += 1;
      continue;
    }
    if (out.firstPositions[key] === undefined || item.line < Number(out.firstPositions[key])) out.firstPositions[key] = String(item.line);
    if ('record' in item) {
      const r = item.record;
      out.encoder.add(r.topic, 0, String(item.line - 1), r.key, r.value, r.timestampMs ?? ingestMs, r.headers === null ? null : JSON.stringify(r.headers));
      out.landed += 1;
    } else {
      const rawBuf = typeof item.raw === 'string' ? Buffer.from(item.raw, 'utf8') : item.raw;
      const kept = rawBuf.subarray(0, rawLimitBytes);
      const utf8 = isUtf8(kept);
      out.deadLetters.push({
        source: `${batch.source}:${item.line}`, source_kind: 'file', file: batch.path, line: item.line,
        topic: null, partition: null, offset: null, reason: item.reason,
        raw: utf8 ? kept.toString('utf8') : kept.toString('base64'), raw_encoding: utf8 ? 'utf8' : 'base64',
        raw_bytes: item.bytes, truncated: item.bytes > kept.length,
      });
      out.deadLettered += 1;
    }
  }
  if (batch.items.length > 0) out.watermarks[key] = String(last);
}

function headersJson(headers: RecordHeaders): string | null {
  let out: Record<string, string | string[]> | null = null;
  for (const name in headers) {
    const v = headers[name];
    if (v === undefined) continue;
    out ??= {};
    out[name] = Array.isArray(v) ? v.map(String) : String(v);
  }
  return out === null ? null : JSON.stringify(out);
}
