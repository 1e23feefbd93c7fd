import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../test/cli.js';
import { exposureColumns } from './exposure-schema.js';
import { exposureCsv } from './test-exposures.js';
import { expectedWorkedExample, workedExample } from './worked-example.js';

let dir: string;
let worked: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lcr-cli-'));
  worked = file('worked.csv', exposureCsv(workedExample));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const header = exposureColumns.join(',');

describe('lakehouse lcr', () => {
  it('prints CONTRACT.md section 5 object with --format json', async () => {
    const r = await runCli(['lcr', '--exposures', worked, '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(expectedWorkedExample);
  });

  it('prints one row per entity as a table by default, and as CSV', async () => {
    const table = await runCli(['lcr', '--exposures', worked]);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout.split('\n')[0].split(' | ').map((s) => s.trim())).toEqual([
      'as_of_date', 'legal_entity', 'reporting_currency', 'hqla_total', 'level1', 'level2a', 'level2b', 'adjustment_15pct_cap',
      'adjustment_40pct_cap', 'outflows_total', 'inflows_total', 'inflows_capped', 'net_cash_outflows', 'lcr', 'excluded',
    ]);
    expect(table.stdout).toMatch(/\n2025-06-30 \| BANK_A +\| USD +\| 1019\.50 +\| 900\.00 .*\| 1\.699167 \| 4\n\(1 row\)\n$/);
    const csv = await runCli(['lcr', '--exposures', worked, '--format', 'csv']);
    expect(csv.stdout).toBe('as_of_date,legal_entity,reporting_currency,hqla_total,level1,level2a,level2b,adjustment_15pct_cap,adjustment_40pct_cap,'
      + 'outflows_total,inflows_total,inflows_capped,net_cash_outflows,lcr,excluded\n'
      + '2025-06-30,BANK_A,USD,1019.50,900.00,170.00,50.00,0.00,100.50,695.00,95.00,95.00,600.00,1.699167,4\n');
  });

  it('computes under the US regime with --regime us', async () => {
    const r = await runCli(['lcr', '--exposures', worked, '--regime', 'us', '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const bank = JSON.parse(r.stdout).entities.BANK_A;
    // Coin and banknotes (100) leave Level 1; stable retail runs off at 3% (60 instead of 100).
    expect([bank.level1, bank.outflows_by_product.RETAIL_DEPOSIT, bank.excluded]).toEqual(['800.00', '160.00', [
      { exposure_id: 'X', reason: 'beyond_30d' }, { exposure_id: 'SEC_PLEDGED', reason: 'encumbered' },
      { exposure_id: 'CASH1', reason: 'non_hqla_asset' }, { exposure_id: 'SEC_JUNK', reason: 'non_hqla_asset' },
      { exposure_id: 'UL_OPEN', reason: 'open_inflow' },
    ]]);
  });

  it('reads a file with a byte-order mark, CRLF line ends and quoted fields', async () => {
    const text = `\uFEFF${header}\r\n2025-06-30,"BANK, A",USD,USD,"Q""1",CB_RESERVES,asset,,5,,,,,,,\r\n2025-06-30,"BANK, A",USD,USD,Q2,UNSECURED_LENDING,inflow,BANK,1,,,,,,,\r\n`;
    const r = await runCli(['lcr', '--exposures', file('crlf.csv', text), '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).entities['BANK, A']).toMatchObject({ level1: '5.00', lcr: null, excluded: [{ exposure_id: 'Q2', reason: 'open_inflow' }] });
  });

  it('refuses a file breaking LCR.md section D with exit 2, naming every problem by line, column and exposure', async () => {
    const bad = file('bad.csv', `${header}
2025-06-30,BANK_A,USD,USD,A1,CASH,asset,,100,,,,,,,
2025-06-30,BANK_A,USD,USD,A2,GOLD_BARS,asset,,100,,,,,,,
2025-06-30,BANK_A,USD,USD,A3,RETAIL_DEPOSIT,inflow,RETAIL,100,,,,,,,
2025-06-30,BANK_A,USD,USD,A4,RETAIL_DEPOSIT,outflow,RETAIL,-5,,,,,,,
2025-06-30,BANK_A,USD,USD,A5,SECURITY,asset,,100,,,,,,,
2025-06-30,BANK_A,USD,USD,A6,UNSECURED_LENDING,inflow,BANK,100,2025-02-30,,,,,,
2025-06-30,BANK_A,EUR,usd,A7,UNSECURED_LENDING,inflow,BANK,1e3,2025-06-30,,,yes,,,
2025-07-01,BANK_A,USD,USD,A1,SECURED_FUNDING,outflow,RETAIL,10,,L2A,,,,,
2025-06-30,BANK_B,USD,USD,A9,SECURED_LENDING,inflow,,10,2025-07-01,GOLD,,,true,,
2025-06-30,BANK_B,USD,USD,A10,RETAIL_DEPOSIT,outflow,ALIEN,10,,L1,,,,true,
2025-06-30,BANK_B,USD,USD,A11,CASH,asset,BANK,10,,L2A,,,,,
2025-06-30,BANK_B,USD,USD,A12,UNSECURED_LENDING,inflow,BANK,10,2025-07-01,,,,,,true
2025-06-30,BANK_B,USD,USD,A13,CASH,asset,,10
2025-06-30,BANK_B,USD,USD,A14,SECURED_FUNDING,outflow,BANK,10.12345678901,06/30/2025,L1,x,,,,
2025-06-30,,USD,USD,,UNSECURED_WHOLESALE_FUNDING,outflow,BANK,,,,,,,,
`);
    const r = await runCli(['lcr', '--exposures', bad]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toEqual([
      `lakehouse: ${bad} breaks LCR.md section D: 30 problem(s), nothing computed`,
      `${bad}:3: product: unknown product "GOLD_BARS" (products: CASH, CB_RESERVES, SECURITY, RETAIL_DEPOSIT, UNSECURED_WHOLESALE_FUNDING, SECURED_FUNDING, COMMITTED_CREDIT_FACILITY, COMMITTED_LIQUIDITY_FACILITY, SECURED_LENDING, UNSECURED_LENDING) (exposure_id A2)`,
      `${bad}:4: direction: inflow is not the direction of RETAIL_DEPOSIT (outflow) (exposure_id A3)`,
      `${bad}:5: amount: -5 is negative (exposure_id A4)`,
      `${bad}:6: collateral_class: is required for SECURITY (exposure_id A5)`,
      `${bad}:7: maturity_date: "2025-02-30" is not a date (YYYY-MM-DD) (exposure_id A6)`,
      `${bad}:8: reporting_currency: EUR differs from USD (line 2) for legal_entity BANK_A: one reporting currency per entity (exposure_id A7)`,
      `${bad}:8: currency: "usd" is not an ISO 4217 currency code (exposure_id A7)`,
      `${bad}:8: amount: "1e3" is not a decimal number (exposure_id A7)`,
      `${bad}:8: maturity_date: 2025-06-30 is not after as_of_date 2025-06-30 (exposure_id A7)`,
      `${bad}:8: is_operational: "yes" is not true, false or empty (exposure_id A7)`,
      `${bad}:9: as_of_date: 2025-07-01 differs from 2025-06-30 (line 2): one as_of_date per file (exposure_id A1)`,
      `${bad}:9: exposure_id: duplicate of line 2 (exposure_id A1)`,
      `${bad}:9: counterparty_type: RETAIL is not allowed on SECURED_FUNDING (exposure_id A1)`,
      `${bad}:9: collateral_value: is required on SECURED_FUNDING with L2A collateral (exposure_id A1)`,
      `${bad}:10: counterparty_type: is required for SECURED_LENDING (exposure_id A9)`,
      `${bad}:10: collateral_class: unknown collateral_class "GOLD" (exposure_id A9)`,
      `${bad}:10: is_insured: cannot be true on SECURED_LENDING (only on RETAIL_DEPOSIT, UNSECURED_WHOLESALE_FUNDING) (exposure_id A9)`,
      `${bad}:11: counterparty_type: unknown counterparty_type "ALIEN" (exposure_id A10)`,
      `${bad}:11: collateral_class: must be empty for RETAIL_DEPOSIT (exposure_id A10)`,
      `${bad}:11: is_stable: requires is_insured (exposure_id A10)`,
      `${bad}:12: counterparty_type: must be empty for an asset (CASH) (exposure_id A11)`,
      `${bad}:12: collateral_class: must be L1 or empty for CASH (exposure_id A11)`,
      `${bad}:13: is_encumbered: cannot be true on UNSECURED_LENDING (only on SECURITY, SECURED_LENDING) (exposure_id A12)`,
      `${bad}:14: (row): malformed CSV row (missing columns): Expected Number of Columns: 16 Found: 9`,
      `${bad}:15: amount: 10.12345678901 has more than 10 decimals or 28 digits before the point (exposure_id A14)`,
      `${bad}:15: maturity_date: "06/30/2025" is not a date (YYYY-MM-DD) (exposure_id A14)`,
      `${bad}:15: collateral_value: "x" is not a decimal number (exposure_id A14)`,
      `${bad}:16: legal_entity: is required`,
      `${bad}:16: exposure_id: is required`,
      `${bad}:16: amount: is required`,
    ]);
  });

  it('refuses a file whose header lacks columns, naming each', async () => {
    const r = await runCli(['lcr', '--exposures', file('short.csv', 'as_of_date,legal_entity,exposure_id,product,amount,amount\n2025-06-30,BANK_A,E1,CASH,1,1\n')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split('\n').slice(1).map((l) => l.replace(/^.*short\.csv:/, ''))).toEqual([
      '1: reporting_currency: missing header column', '1: currency: missing header column', '1: direction: missing header column',
      '1: counterparty_type: missing header column', '1: maturity_date: missing header column', '1: collateral_class: missing header column',
      '1: collateral_value: missing header column', '1: is_operational: missing header column', '1: is_insured: missing header column',
      '1: is_stable: missing header column', '1: is_encumbered: missing header column', '1: amount: appears more than once in the header',
    ]);
  });

  it('refuses exposures the regime cannot price, naming the line', async () => {
    const path = file('norate.csv', exposureCsv([
      { product: 'CB_RESERVES', amount: '10' },
      { exposure_id: 'D1', product: 'RETAIL_DEPOSIT', counterparty_type: 'BANK', amount: '10' },
    ]));
    const r = await runCli(['lcr', '--exposures', path]);
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toEqual([
      `lakehouse: ${path}: 1 exposure(s) cannot be priced under regime basel, nothing computed`,
      `${path}:3: no outflow rate in the regime for this combination (product RETAIL_DEPOSIT, counterparty_type BANK) (exposure_id D1)`,
    ]);
  });

  it('prints its help', async () => {
    const r = await runCli(['lcr', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: lakehouse lcr --exposures <file.csv>/);
    expect(r.stdout).toContain('--regime basel|us');
  });

  it.each([
    [['lcr'], '--exposures <file.csv> is required'],
    [['lcr', '--exposures', '/nonexistent/exposures.csv'], '--exposures: no such file: /nonexistent/exposures.csv'],
    [['lcr', '--exposures', 'x.csv', '--regime', 'eu'], '--regime: unknown regime "eu" (regimes: basel, us)'],
    [['lcr', '--exposures', 'x.csv', '--format', 'xml'], '--format'],
  ])('exits 2 with one clear line for %j', async (args, message) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
