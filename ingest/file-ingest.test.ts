import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../test/cli.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'file-ingest-'));
}

function recordLine(i: number): string {
  return JSON.stringify({ topic: 'trades', key: `T${i}`, value: { trade_id: `T${i}`, version: 1, price: 100.1 }, timestamp: `2026-03-02T09:${String(i % 60).padStart(2, '0')}:00Z`, headers: { source: 'oms' } });
}

async function ingestJson(lake: string, file: string) {
  const r = await runCli(['ingest', '--source', `file:${file}`, '--lake', lake, '--format', 'json']);
  expect(r.stderr).not.toMatch(/"level":(50|60)/);
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as { records: number; landed: number; dead_lettered: number; already_landed: number };
}

async function sql<T = Record<string, unknown>>(lake: string, query: string): Promise<T[]> {
  const r = await runCli(['sql', query, '--lake', lake, '--format', 'json']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as T[];
}

describe('ingest --source file:', () => {
  it('lands a record file, and a second run reports every record as already landed and lands nothing', async () => {
    const dir = tempDir();
    const lake = join(dir, 'lake');
    const file = join(dir, 'trades.jsonl');
    writeFileSync(file, Array.from({ length: 500 }, (_, i) => recordLine(i)).join('\n') + '\n');

    expect(await ingestJson(lake, file)).toEqual({ records: 500, landed: 500, dead_lettered: 0, already_landed: 0 });
    expect(await ingestJson(lake, file)).toEqual({ records: 500, landed: 0, dead_lettered: 0, already_landed: 500 });

    const rows = await sql(lake, 'SELECT count(*) AS n, count(DISTINCT line) AS lines, min(line) AS first, max(line) AS last FROM bronze.records');
    expect(rows).toEqual([{ n: '500', lines: '500', first: '1', last: '500' }]);
  });

  it('keeps the payload text byte for byte and the record timestamp, key and headers', async () => {
    const dir = tempDir();
    const lake = join(dir, 'lake');
    const file = join(dir, 'one.jsonl');
    writeFileSync(file, '{"topic":"trades","key":"T1","value": {"price": 100.10, "qty": 12345678901234567.89},"timestamp":"2026-03-02T09:30:00Z","headers":{"source":"oms"}}\n{"topic":"positions","key":null,"value":"raw payload, not JSON","timestamp":1772443800000}\n');
    await ingestJson(lake, file);
    const rows = await sql(lake, 'SELECT topic, "partition", "offset", "key", "value", "timestamp", headers, line, dt FROM bronze.records ORDER BY line');
    expect(rows).toEqual([
      { topic: 'trades', partition: 0, offset: '0', key: 'T1', value: '{"price": 100.10, "qty": 12345678901234567.89}', timestamp: '2026-03-02T09:30:00Z', headers: '{"source":"oms"}', line: '1', dt: '2026-03-02' },
      { topic: 'positions', partition: 0, offset: '1', key: null, value: 'raw payload, not JSON', timestamp: '2026-03-02T09:30:00Z', headers: null, line: '2', dt: '2026-03-02' },
    ]);
  });

  it('dead-letters malformed lines with file, line and reason, and lands the rest', async () => {
    const dir = tempDir();
    const lake = join(dir, 'lake');
    const file = join(dir, 'bad.jsonl');
    const lines: (string | Buffer)[] = [
      recordLine(1),
      'this is not json',
      '{"key":"K","value":{"a":1}}',
      Buffer.from([0xff, 0xfe, 0xfd, 0x00, 0x01, 0x80]),
      '',
      JSON.stringify({ topic: 'trades', key: 'BIG', value: { blob: 'x'.repeat(10 * 1024 * 1024) } }),
      '{"topic":"trades","key":"K2"}',
      recordLine(2),
    ];
    writeFileSync(file, Buffer.concat(lines.flatMap((l) => [typeof l === 'string' ? Buffer.from(l) : l, Buffer.from('\n')])));

    const summary = await ingestJson(lake, file);
    expect(summary).toEqual({ records: 8, landed: 2, dead_lettered: 6, already_landed: 0 });
    expect(summary.records).toBe(summary.landed + summary.dead_lettered);

    const dead = await sql<{ file: string; line: string; reason: string; raw_encoding: string; raw_bytes: string; truncated: boolean; source: string }>(lake,
      'SELECT file, line, reason, raw_encoding, raw_bytes, truncated, source FROM bronze.dead_letter ORDER BY line');
    expect(dead.map((d) => [d.line, d.reason.split(':')[0], d.raw_encoding, d.truncated])).toEqual([
      ['2', 'not JSON', 'utf8', false],
      ['3', 'missing field', 'utf8', false],
      ['4', 'not valid UTF-8', 'base64', false],
      ['5', 'empty line', 'utf8', false],
      ['6', expect.stringMatching(/^line is \d+ bytes, over the 1048576-byte record limit$/), 'utf8', true],
      ['7', 'missing field', 'utf8', false],
    ]);
    for (const d of dead) {
      expect(d.file).toBe(file);
      expect(d.source).toBe(`file:${file}:${d.line}`);
    }
    expect(Number(dead[4].raw_bytes)).toBeGreaterThan(10 * 1024 * 1024);
    const landed = await sql(lake, 'SELECT "key", line FROM bronze.records ORDER BY line');
    expect(landed).toEqual([{ key: 'T1', line: '1' }, { key: 'T2', line: '8' }]);

    // The same file again: every line, dead-lettered ones included, is already handled.
    expect(await ingestJson(lake, file)).toEqual({ records: 8, landed: 0, dead_lettered: 0, already_landed: 8 });
  });

  it('exits 2 naming the file when it does not exist', async () => {
    const r = await runCli(['ingest', '--source', 'file:/nonexistent/x.jsonl', '--lake', join(tempDir(), 'lake')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('lakehouse: record file not found: /nonexistent/x.jsonl');
  });
});
