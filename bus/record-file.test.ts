import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatRecordLine, parseRecordLine, parseTimestamp, readRecordLines, type RecordLine } from './record-file.js';

async function readAll(path: string, options = {}): Promise<RecordLine[]> {
  const out: RecordLine[] = [];
  for await (const batch of readRecordLines(path, options)) out.push(...batch);
  return out;
}

function tempFile(content: string | Buffer): string {
  const path = join(mkdtempSync(join(tmpdir(), 'rf-')), 'records.jsonl');
  writeFileSync(path, content);
  return path;
}

describe('parseRecordLine', () => {
  it('keeps an object value byte for byte, numbers and spacing included', () => {
    const line = '{"topic":"trades","key":"T1","value": {"price": 100.10, "qty": 12345678901234567.89, "s":"a\\"}"} ,"timestamp":"2026-03-02T09:30:00Z"}';
    const r = parseRecordLine(line);
    expect(r).toEqual({ ok: true, record: { topic: 'trades', key: 'T1', value: '{"price": 100.10, "qty": 12345678901234567.89, "s":"a\\"}"}', timestampMs: Date.parse('2026-03-02T09:30:00Z'), headers: null } });
  });

  it('takes a string value as the raw payload', () => {
    const r = parseRecordLine('{"topic":"t","key":null,"value":"not json at all","timestamp":1772443800000,"headers":{"source":"oms"}}');
    expect(r).toEqual({ ok: true, record: { topic: 't', key: null, value: 'not json at all', timestampMs: 1772443800000, headers: { source: 'oms' } } });
  });

  it('uses the last of duplicated value members, as JSON.parse does', () => {
    const r = parseRecordLine('{"topic":"t","value":{"a":1},"value":{"b":2}}');
    expect(r.ok && r.record.value).toBe('{"b":2}');
  });

  it.each([
    ['', 'empty line'],
    ['   ', 'empty line'],
    ['{"topic": "t", "value": ', 'not JSON'],
    ['[1,2]', 'not a JSON object: array'],
    ['{"value":{}}', 'missing field: topic'],
    ['{"topic":"t"}', 'missing field: value'],
    ['{"topic":7,"value":{}}', 'topic must be a string, got number'],
    ['{"topic":"../etc","value":{}}', 'invalid topic name'],
    ['{"topic":"t","value":[1]}', 'value must be a JSON object or a string, got array'],
    ['{"topic":"t","value":null}', 'value must be a JSON object or a string, got null'],
    ['{"topic":"t","value":{},"key":{"a":1}}', 'key must be a string or null'],
    ['{"topic":"t","value":{},"timestamp":"yesterday"}', 'neither ISO-8601 nor epoch milliseconds'],
    ['{"topic":"t","value":{},"headers":{"a":{}}}', 'header "a" must be a string'],
  ])('refuses %j with a reason', (line, reason) => {
    const r = parseRecordLine(line);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain(reason);
  });
});

describe('parseTimestamp', () => {
  it('reads ISO-8601 with and without zone, and epoch milliseconds', () => {
    expect(parseTimestamp('2026-03-02T09:30:00Z')).toBe(Date.UTC(2026, 2, 2, 9, 30));
    expect(parseTimestamp('2026-03-02T09:30:00')).toBe(Date.UTC(2026, 2, 2, 9, 30));
    expect(parseTimestamp('2026-03-02T10:30:00+01:00')).toBe(Date.UTC(2026, 2, 2, 9, 30));
    expect(parseTimestamp('2026-03-02')).toBe(Date.UTC(2026, 2, 2));
    expect(parseTimestamp(1772443800000)).toBe(1772443800000);
    expect(parseTimestamp('1772443800000')).toBe(1772443800000);
  });
  it('refuses impossible dates and fractional milliseconds', () => {
    expect(parseTimestamp('2026-13-45T00:00:00Z')).toBeNull();
    expect(parseTimestamp(1.5)).toBeNull();
    expect(parseTimestamp(1e20)).toBeNull();
  });
});

describe('formatRecordLine', () => {
  it('round-trips through parseRecordLine', () => {
    const line = formatRecordLine({ topic: 'trades', key: 'K', value: { a: 1, b: 'x\ny' }, timestampMs: 1772443800123, headers: { h: 'v' } });
    expect(line).not.toContain('\n');
    expect(parseRecordLine(line)).toEqual({ ok: true, record: { topic: 'trades', key: 'K', value: '{"a":1,"b":"x\\ny"}', timestampMs: 1772443800123, headers: { h: 'v' } } });
  });
});

describe('readRecordLines', () => {
  it('gives line numbers, byte spans and a last line without newline', async () => {
    const path = tempFile('{"a":1}\n\nlast');
    const lines = await readAll(path, { chunkBytes: 3 });
    expect(lines.map((l) => [l.line, l.start, l.end, l.text, l.complete])).toEqual([
      [1, 0, 7, '{"a":1}', true],
      [2, 8, 8, '', true],
      [3, 9, 13, 'last', false],
    ]);
  });

  it('resumes from a byte position and line number', async () => {
    const path = tempFile('one\ntwo\nthree\n');
    const lines = await readAll(path, { startByte: 4, startLine: 2 });
    expect(lines.map((l) => [l.line, l.text])).toEqual([[2, 'two'], [3, 'three']]);
  });

  it('returns raw bytes instead of text for invalid UTF-8 and for over-long lines', async () => {
    const garbage = Buffer.from([0xff, 0xfe, 0x00, 0x41]);
    const long = 'x'.repeat(5000);
    const path = tempFile(Buffer.concat([garbage, Buffer.from(`\n${long}\nok\n`)]));
    const lines = await readAll(path, { maxLineBytes: 1000, rawLimitBytes: 100, chunkBytes: 256 });
    expect(lines[0]).toMatchObject({ line: 1, text: null, bytes: 4 });
    expect(lines[0].raw).toEqual(garbage);
    expect(lines[1]).toMatchObject({ line: 2, text: null, bytes: 5000, start: 5, end: 5005 });
    expect(lines[1].raw?.length).toBe(100);
    expect(lines[2]).toMatchObject({ line: 3, text: 'ok', start: 5006 });
  });

  it('batches by line count', async () => {
    const path = tempFile(Array.from({ length: 25 }, (_, i) => `l${i}`).join('\n') + '\n');
    const sizes: number[] = [];
    for await (const b of readRecordLines(path, { batchLines: 10 })) sizes.push(b.length);
    expect(sizes).toEqual([10, 10, 5]);
  });
});
