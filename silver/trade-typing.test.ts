import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDuckDb, quotedString, type DuckDb } from '../lib/duckdb.js';
import { decimalSql } from './trade-typing.js';

let db: DuckDb;
beforeAll(async () => {
  db = await openDuckDb();
});
afterAll(() => db?.close());

const texts = [
  '0', '-0', '1', '-1', '99.55', '1000.0', '0.1', '1e3', '1.5E-11', '-5e-11', '0.00000000005', '0.00000000015', '-1.00000000005',
  '1.00000000005', '0.123456789012345678', '12345678.12345678901', '99999999.99999999995', '100000000', '250000000', '-250000000',
  '123456789.123', '12345678901234568.0', '1.2345678901234568e+16', '999999999999999999', '-999999999999999999',
  '1000000000000000000', '123456789012345678901234567', '+4', ' 3', '007', '1e20', '5000000.0000000001',
];

it('gives CAST(text AS DECIMAL(38, 10)) exactly, for edge cases and 200,000 generated numbers', async () => {
  const values = texts.map((t) => `(${quotedString(t)})`).join(', ');
  const edge = await db.connection.runAndReadAll(`SELECT t, CAST(t AS DECIMAL(38, 10))::VARCHAR AS plain, (${decimalSql('t')})::VARCHAR AS fast FROM (VALUES ${values}) v(t)`);
  for (const r of edge.getRowObjectsJson()) expect(r.fast, String(r.t)).toBe(r.plain);
  const generated = await db.connection.runAndReadAll(`SELECT count(*) AS n FROM (
      SELECT CASE i % 4 WHEN 0 THEN (random() * 1e12)::VARCHAR WHEN 1 THEN round(random() * 1e6, (i % 12)::INTEGER)::VARCHAR
        WHEN 2 THEN ((random() - 0.5) * 10 ^ (i % 19))::BIGINT::VARCHAR ELSE (random() * 10 ^ (i % 25 - 12))::VARCHAR END AS t
      FROM range(200000) r(i))
    WHERE ${decimalSql('t')} IS DISTINCT FROM CAST(t AS DECIMAL(38, 10))`);
  expect(generated.getRowObjectsJson()[0].n).toBe('0');
}, 120_000);

it('fails on text that is not a number, as CAST does, or gives NULL with TRY_CAST', async () => {
  await expect(db.connection.run(`SELECT ${decimalSql("'abc'")}`)).rejects.toThrow(/Could not convert|Conversion Error/);
  const r = await db.connection.runAndReadAll(`SELECT ${decimalSql("'abc'", 'TRY_CAST')} AS v`);
  expect(r.getRowObjectsJson()[0].v).toBeNull();
});
