/**
 * sql/gold/exposures/fx_convert.sql against exact integer arithmetic (BigInt): amount x units_to / units_from, rounded
 * half-even at the tenth decimal, for amounts from 10^-10 to 10^17 of either sign (as far as the 128-bit numerator holds) (past 10^15 the macro takes its plain
 * cast), rates from 10^-4 to 10^5, exact ties, and equal rates.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDuckDb, quotedString, sqlFile, type DuckDb } from '../../lib/duckdb.js';

const scale = 10n ** 10n;

/** A decimal string with up to 10 decimals -> its value times 10^10. */
function scaled(text: string): bigint {
  const negative = text.startsWith('-');
  const [whole, fraction = ''] = text.replace('-', '').split('.');
  const value = BigInt(whole) * scale + BigInt(fraction.padEnd(10, '0'));
  return negative ? -value : value;
}

/** value / 10^10 as DuckDB prints a DECIMAL(38, 10). */
function decimalText(value: bigint): string {
  const negative = value < 0n;
  const abs = negative ? -value : value;
  return `${negative ? '-' : ''}${abs / scale}.${(abs % scale).toString().padStart(10, '0')}`;
}

/** amount x to / from, rounded half-even at the tenth decimal, exactly. */
function expected(amount: string, from: string, to: string): string {
  if (scaled(from) === scaled(to)) return decimalText(scaled(amount));
  const n = scaled(amount) * scaled(to);
  const d = scaled(from);
  const abs = n < 0n ? -n : n;
  let q = abs / d;
  const r2 = 2n * (abs % d);
  if (r2 > d || (r2 === d && q % 2n === 1n)) q += 1n;
  return decimalText(n < 0n ? -q : q);
}

/** A seeded generator, so that a failure names a case that can be run again. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function randomDecimal(random: () => number, maxWholeDigits: number, signed: boolean): string {
  const wholeDigits = Math.floor(random() * (maxWholeDigits + 1));
  let whole = '0';
  if (wholeDigits > 0) whole = String(1 + Math.floor(random() * 9)) + Array.from({ length: wholeDigits - 1 }, () => Math.floor(random() * 10)).join('');
  const fractionDigits = Math.floor(random() * 11);
  const fraction = Array.from({ length: fractionDigits }, () => Math.floor(random() * 10)).join('');
  const text = fraction === '' ? whole : `${whole}.${fraction}`;
  return signed && random() < 0.3 && scaled(text) !== 0n ? `-${text}` : text;
}

describe('fx_convert', () => {
  let db: DuckDb;
  let dir: string;
  beforeAll(async () => {
    db = await openDuckDb();
    await db.connection.run(sqlFile('gold/exposures/fx_convert'));
    dir = mkdtempSync(join(tmpdir(), 'fx-convert-'));
  });
  afterAll(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('converts exactly, rounding half-even at the tenth decimal, whatever the size and sign of the amount', async () => {
    const random = lcg(20261121);
    const cases: [string, string, string][] = [
      // Ties at the tenth decimal: 0.5 -> 0, 1.5 -> 2, 2.5 -> 2, and their negatives.
      ['0.0000000001', '2', '1'], ['0.0000000003', '2', '1'], ['0.0000000005', '2', '1'], ['-0.0000000001', '2', '1'], ['-0.0000000003', '2', '1'],
      // Just past and just short of the DOUBLE fast path's bound, and the largest amounts the scaled product holds.
      ['999999999999999.9999999999', '0.92', '151.3'], ['1000000000000000', '0.92', '151.3'], ['-1000000000000000.0000000001', '1.27', '0.79'],
      ['99999999999999999.9999999999', '1', '0.9'], ['4503599627370495.9999999999', '3', '7'], ['12345678.9999999999', '0.79', '1'],
      // Equal rates: the amount as it is; and zero.
      ['123.4567890123', '0.92', '0.92'], ['0', '0.92', '151.3'],
    ];
    for (let i = 0; i < 20_000; i++) {
      cases.push([randomDecimal(random, 17, true), randomDecimal(random, 5, false), randomDecimal(random, 5, false)]);
    }
    // Rates of at least 0.0001, and products the 128-bit numerator holds (both the macro and its former version
    // overflow beyond: 10^17 units at 1:1, 10^14 at 10^3, far past any balance a bank books).
    const usable = cases.filter(([amount, from, to]) => scaled(from) >= 10n ** 6n && scaled(to) >= 10n ** 6n
      && (scaled(amount) * scaled(to)) ** 2n < 2n ** 252n);
    const file = join(dir, 'cases.csv');
    writeFileSync(file, `i,amount,units_from,units_to\n${usable.map((c, i) => `${i},${c.join(',')}`).join('\n')}\n`);
    const reader = await db.connection.runAndReadAll(`SELECT i, CAST(fx_convert(CAST(amount AS DECIMAL(38, 10)), CAST(units_from AS DECIMAL(38, 10)),
      CAST(units_to AS DECIMAL(38, 10))) AS VARCHAR) AS converted
      FROM read_csv(${quotedString(file)}, header = true, columns = {'i': 'INTEGER', 'amount': 'VARCHAR', 'units_from': 'VARCHAR', 'units_to': 'VARCHAR'})
      ORDER BY i`);
    const got = reader.getRowObjectsJson().map((r) => String(r.converted));
    expect(got).toHaveLength(usable.length);
    const wrong = usable.flatMap(([amount, from, to], i) => {
      const want = expected(amount, from, to);
      return got[i] === want ? [] : [`${amount} x ${to} / ${from}: ${got[i]}, exactly ${want}`];
    });
    expect(wrong.slice(0, 5)).toEqual([]);
    expect(usable.length).toBeGreaterThan(15_000);
  });
});
