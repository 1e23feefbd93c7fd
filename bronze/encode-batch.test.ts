/**
 * The bus encoder checks UTF-8 once per segment and staging file, not per record: a segment that fails is taken back
 * and encoded again record by record. These tests hold it to what the per-record check gives: the same rows staged,
 * the same dead letters with the same reasons, in order, and the same counts and positions.
 */
import { describe, expect, it } from 'vitest';
import { errorHeader, type BusRecord } from '../bus/event-bus.js';
import { emptyEncodedBatch, encodeBusSegment, type EncodedBatch } from './encode-batch.js';
import { StagingEncoder } from './staging-encoder.js';

const dayMs = 86_400_000;
const t0 = 1772443800000;

function record(offset: number, value: Buffer | string | null, options: { key?: Buffer | string | null; ts?: number; headers?: BusRecord['headers'] } = {}): BusRecord {
  const bytes = (v: Buffer | string | null | undefined) => (v === null || v === undefined ? null : Buffer.isBuffer(v) ? v : Buffer.from(v));
  return { offset: String(offset), key: bytes(options.key === undefined ? `k${offset}` : options.key), value: bytes(value), timestamp: String(options.ts ?? t0 + offset), headers: options.headers ?? {} };
}

/** Parses the staging format back into rows of fields: quoted fields as UTF-8 text, an unquoted empty field as null. */
function parseStaging(bytes: Buffer): (string | null)[][] {
  const rows: (string | null)[][] = [];
  let row: (string | null)[] = [];
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0x1e) {
      const text: number[] = [];
      for (i++; ; i++) {
        if (bytes[i] !== 0x1e) text.push(bytes[i]);
        else if (bytes[i + 1] === 0x1e) text.push(bytes[++i]);
        else break;
      }
      i++;
      row.push(Buffer.from(text).toString('utf8'));
    } else {
      const start = i;
      while (bytes[i] !== 0x1f && bytes[i] !== 0x0a) i++;
      row.push(i === start ? null : bytes.subarray(start, i).toString('latin1'));
    }
    if (bytes[i] === 0x0a) {
      rows.push(row);
      row = [];
    }
  }
  return rows;
}

function staged(out: EncodedBatch): Record<string, (string | null)[][]> {
  const files: Record<string, (string | null)[][]> = {};
  for (const f of out.encoder.all()) files[`${f.topic}/${f.dt}`] = parseStaging(Buffer.concat(f.contents()));
  return files;
}

function encode(records: BusRecord[], options: { chunkBytes?: number; watermarks?: Record<string, string>; segmentSize?: number } = {}): EncodedBatch {
  const out = { ...emptyEncodedBatch(), encoder: new StagingEncoder(options.chunkBytes ?? 8 << 20) };
  const upTo = new Map<string, bigint>();
  const size = options.segmentSize ?? records.length;
  for (let i = 0; i < records.length; i += size) {
    encodeBusSegment(out, 'kafka', 'kafka://test', { topic: 'trades', partition: 3, records: records.slice(i, i + size) }, options.watermarks ?? {}, upTo);
  }
  return out;
}

describe('encodeBusSegment', () => {
  it('stages valid records as they are, RS doubled inside fields and multi-byte text intact', () => {
    const out = encode([record(0, '{"a":"é€😀"}'), record(1, 'x\x1ey\x1e', { key: 'k\x1e' }), record(2, null, { key: null }), record(3, '', { headers: { h: 'v' } })]);
    expect(out).toMatchObject({ landed: 4, deadLettered: 0, alreadyLanded: 0, deadLetters: [], firstPositions: { 'kafka:trades/3': '0' }, watermarks: { 'kafka:trades/3': '3' } });
    expect(staged(out)).toEqual({
      'trades/2026-03-02': [
        ['trades', '3', '0', 'k0', '{"a":"é€😀"}', String(t0), null],
        ['trades', '3', '1', 'k\x1e', 'x\x1ey\x1e', String(t0 + 1), null],
        ['trades', '3', '2', null, null, String(t0 + 2), null],
        ['trades', '3', '3', 'k3', '', String(t0 + 3), '{"h":"v"}'],
      ],
    });
  });

  it('dead-letters exactly the records the per-record check would, with the same reasons and order', () => {
    const records = [
      record(10, 'ok-10'),
      record(11, Buffer.from([0x7b, 0xff, 0x7d])), // invalid value
      record(12, 'ok-12', { key: Buffer.from([0xc3]) }), // invalid key (truncated sequence)
      record(13, 'ok-13', { headers: { [errorHeader]: 'line is not valid UTF-8' } }),
      record(14, Buffer.from([0x61, 0xc3])), // ends mid-sequence...
      record(15, Buffer.from([0xa9, 0x62])), // ...and the next starts with its continuation byte: both invalid on their own
      record(16, Buffer.from([0xff]), { key: Buffer.from([0xff]) }), // both invalid: the value is named
      record(17, 'ok-17 é'),
    ];
    const out = encode(records);
    expect(out).toMatchObject({ landed: 2, deadLettered: 6, alreadyLanded: 0, firstPositions: { 'kafka:trades/3': '10' }, watermarks: { 'kafka:trades/3': '17' } });
    expect(out.encoder.rows).toBe(2);
    expect(out.deadLetters.map((d) => [d.offset, d.reason, d.raw_encoding])).toEqual([
      ['11', 'value is not valid UTF-8', 'base64'],
      ['12', 'key is not valid UTF-8', 'utf8'],
      ['13', 'line is not valid UTF-8', 'utf8'],
      ['14', 'value is not valid UTF-8', 'base64'],
      ['15', 'value is not valid UTF-8', 'base64'],
      ['16', 'value is not valid UTF-8', 'base64'],
    ]);
    expect(out.deadLetters[0]).toMatchObject({ source: 'kafka://test/trades/3@11', source_kind: 'kafka', topic: 'trades', partition: 3, raw: Buffer.from([0x7b, 0xff, 0x7d]).toString('base64'), raw_bytes: 3, truncated: false });
    expect(staged(out)['trades/2026-03-02'].map((r) => [r[2], r[4]])).toEqual([['10', 'ok-10'], ['17', 'ok-17 é']]);
  });

  it('takes back rows across chunks and staging files of several days, and counts already-landed records once', () => {
    // Offsets 100-159 over two days, in segments of 25 (the second spans both days), 120-byte chunks of two or three
    // rows; the committed watermark is 104.
    const records = Array.from({ length: 60 }, (_, i) => record(100 + i, i === 45 ? Buffer.from([0xe2, 0x82]) : `v${i}`, { ts: t0 + (i < 30 ? 0 : dayMs) }));
    const clean = encode(records.map((r, i) => (i === 45 ? record(145, 'x', { ts: t0 + dayMs }) : r)), { chunkBytes: 120, watermarks: { 'kafka:trades/3': '104' }, segmentSize: 25 });
    const out = encode(records, { chunkBytes: 120, watermarks: { 'kafka:trades/3': '104' }, segmentSize: 25 });
    expect(out).toMatchObject({ landed: 54, deadLettered: 1, alreadyLanded: 5, firstPositions: { 'kafka:trades/3': '105' }, watermarks: { 'kafka:trades/3': '159' } });
    expect(out.deadLetters.map((d) => [d.offset, d.reason])).toEqual([['145', 'value is not valid UTF-8']]);
    const rows = staged(out);
    const cleanRows = staged(clean);
    expect(rows['trades/2026-03-02']).toEqual(cleanRows['trades/2026-03-02']);
    expect(rows['trades/2026-03-03']).toEqual(cleanRows['trades/2026-03-03'].filter((r) => r[2] !== '145'));
    expect(Object.values(rows).flat().map((r) => Number(r[2]))).toEqual(Array.from({ length: 55 }, (_, i) => 105 + i).filter((o) => o !== 145));
    expect(out.encoder.rows).toBe(54);
  });

  it('splits rows by the UTC day of their timestamp, at the day boundaries exactly', () => {
    const day = Math.floor(t0 / dayMs) * dayMs;
    const stamps = [day - 1, day, day + 1, day + dayMs - 1, day + dayMs, day - 1, day + 2 * dayMs, 999_999_999_999, 1_000_000_000_000];
    const out = encode(stamps.map((ts, i) => record(i, `v${i}`, { ts })));
    expect(Object.fromEntries(Object.entries(staged(out)).map(([file, rows]) => [file, rows.map((r) => Number(r[2]))]))).toEqual({
      'trades/2026-03-01': [0, 5],
      'trades/2026-03-02': [1, 2, 3],
      'trades/2026-03-03': [4],
      'trades/2026-03-04': [6],
      'trades/2001-09-09': [7, 8],
    });
  });
});
