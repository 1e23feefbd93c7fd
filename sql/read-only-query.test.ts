import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../test/cli.js';

let lake: string;
let outside: string;

function listing(dir: string): string[] {
  return readdirSync(dir, { recursive: true }).map(String).sort();
}

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ro-sql-'));
  lake = join(dir, 'lake');
  outside = join(dir, 'outside.csv');
  writeFileSync(outside, 'a,b\n1,2\n');
  const file = join(dir, 'r.jsonl');
  writeFileSync(file, '{"topic":"trades","key":"T1","value":{"a":1},"timestamp":"2026-03-02T09:30:00Z"}\n');
  const r = await runCli(['ingest', '--source', `file:${file}`, '--lake', lake]);
  expect(r.code, r.stderr).toBe(0);
});

describe('lakehouse sql', () => {
  it('answers a SELECT over the bronze views in every format', async () => {
    const json = await runCli(['sql', 'SELECT topic, "key", line FROM bronze.records', '--lake', lake, '--format', 'json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual([{ topic: 'trades', key: 'T1', line: '1' }]);
    const csv = await runCli(['sql', 'SELECT topic, "key" FROM bronze.records', '--lake', lake, '--format', 'csv']);
    expect(csv.stdout).toBe('topic,key\ntrades,T1\n');
    const table = await runCli(['sql', 'SELECT count(*) AS n FROM bronze.dead_letter', '--lake', lake]);
    expect(table.stdout).toBe('n\n-\n0\n(1 row)\n');
  });

  it.each([
    ['DROP VIEW bronze.records', 'DROP statements are refused'],
    ["INSERT INTO bronze.records (topic) VALUES ('x')", ''],
    ["COPY (SELECT 1) TO 'x.csv'", 'refused'],
    ["ATTACH 'other.db'", 'ATTACH statements are refused'],
    ['INSTALL httpfs', 'LOAD statements are refused'],
    ["SET threads = 1", 'SET statements are refused'],
    ['CREATE TABLE t AS SELECT 1', 'CREATE statements are refused'],
    ['SELECT 1; SELECT 2', 'one statement at a time'],
  ])('refuses %s with exit 2 and a clear message', async (query, message) => {
    const before = listing(lake);
    const r = await runCli(['sql', query, '--lake', lake]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^lakehouse: /);
    expect(r.stderr).toContain(message);
    expect(listing(lake)).toEqual(before);
  });

  it('refuses to read files outside the lake', async () => {
    for (const q of ["SELECT * FROM read_csv('/etc/passwd')", `SELECT * FROM read_csv('${outside}')`, "SELECT * FROM '/etc/passwd'"]) {
      const r = await runCli(['sql', q, '--lake', lake]);
      expect(r.code, q).not.toBe(0);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/Permission Error|disabled|not allowed|refused/i);
    }
  });

  it('stops a query that runs past its time limit', async () => {
    const r = await runCli(['sql', 'SELECT count(*) FROM range(1000000000000) a', '--lake', lake, '--timeout-ms', '500']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ran longer than 500 ms');
  });

  it('exits 2 on a query that does not parse', async () => {
    const r = await runCli(['sql', 'SELEKT 1', '--lake', lake]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('does not parse');
  });
});
