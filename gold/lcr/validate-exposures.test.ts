import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDuckDb, quotedString, type DuckDb } from '../../lib/duckdb.js';
import { computeLcr } from './compute-lcr.js';
import { exposureColumns } from './exposure-schema.js';
import { createExposureTable } from './test-exposures.js';
import { validateExposures } from './validate-exposures.js';
import { workedExample } from './worked-example.js';

let db: DuckDb;
let dir: string;
beforeAll(async () => {
  db = await openDuckDb({ threads: 1 });
  dir = mkdtempSync(join(tmpdir(), 'lcr-validate-'));
});
afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const header = exposureColumns.join(',');
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('validateExposures', () => {
  it('gives the same LCR from a table exported to CSV as from the table itself (one code path with gold)', async () => {
    await createExposureTable(db.connection, workedExample, 'direct');
    const path = join(dir, 'export.csv');
    await db.connection.run(`COPY direct TO ${quotedString(path)} (HEADER, DELIMITER ',')`);
    const validated = await validateExposures(db.connection, path);
    expect(validated).toEqual({ problems: [], rows: workedExample.length, table: 'lcr_exposures' });
    const viaCsv = await computeLcr(db.connection, { exposures: 'lcr_exposures' });
    expect(viaCsv).toEqual(await computeLcr(db.connection, { exposures: 'direct' }));
  });

  it('ignores extra columns and takes the header in any order', async () => {
    const columns = [...exposureColumns].reverse();
    const row: Record<string, string> = { as_of_date: '2025-06-30', legal_entity: 'B', reporting_currency: 'USD', currency: 'EUR', exposure_id: 'E1', product: 'CASH', direction: 'asset', amount: '12.5' };
    const path = file('reordered.csv', `source,${columns.join(',')}\nsilver,${columns.map((c) => row[c] ?? '').join(',')}\n`);
    expect((await validateExposures(db.connection, path)).problems).toEqual([]);
    const [report] = await computeLcr(db.connection, { exposures: 'lcr_exposures' });
    expect(report.entities.B.level1).toBe('12.50');
  });

  it('counts lines after malformed rows, and names a header column without a name', async () => {
    const path = file('malformed.csv', `${header}\n2025-06-30,B,USD,USD,E1,CASH\n2025-06-30,B,USD,USD,E2,CASH,asset,,1,,,,,,,,extra\n2025-06-30,B,USD,USD,E3,CASH,asset,,-1,,,,,,,\n`);
    expect((await validateExposures(db.connection, path)).problems).toEqual([
      { line: 2, exposure_id: null, column: '(row)', message: 'malformed CSV row (missing columns): Expected Number of Columns: 16 Found: 6' },
      { line: 3, exposure_id: null, column: '(row)', message: 'malformed CSV row (too many columns): Expected Number of Columns: 16 Found: 17' },
      { line: 4, exposure_id: 'E3', column: 'amount', message: '-1 is negative' },
    ]);
    expect((await validateExposures(db.connection, file('unnamed.csv', `${header},\n`))).problems).toEqual([
      { line: 1, exposure_id: null, column: '(header)', message: 'a header column has no name' },
    ]);
  });

  it('accepts false on any product, and true only where LCR.md section D puts the flag', async () => {
    const path = file('flags.csv', `${header}
2025-06-30,B,USD,USD,E1,CASH,asset,,1,,L1,,false,false,false,false
2025-06-30,B,USD,USD,E2,UNSECURED_LENDING,inflow,BANK,1,2025-07-01,,,true,,,
2025-06-30,B,USD,USD,E3,CB_RESERVES,asset,,1,,,,,true,,
2025-06-30,B,USD,USD,E4,SECURED_LENDING,inflow,BANK,1,2025-07-01,NON_HQLA,,,,,true
2025-06-30,B,USD,USD,E5,UNSECURED_LENDING,inflow,NON_FINANCIAL_CORPORATE,1,2025-07-01,,,true,,,
`);
    expect((await validateExposures(db.connection, path)).problems).toEqual([
      { line: 4, exposure_id: 'E3', column: 'is_insured', message: 'cannot be true on CB_RESERVES (only on RETAIL_DEPOSIT, UNSECURED_WHOLESALE_FUNDING)' },
      { line: 6, exposure_id: 'E5', column: 'is_operational', message: 'on UNSECURED_LENDING is a balance held at a BANK or OTHER_FINANCIAL, not NON_FINANCIAL_CORPORATE' },
    ]);
  });
});
