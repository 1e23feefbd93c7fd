import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDuckDb, type DuckDb } from '../../lib/duckdb.js';
import { loadRegime } from '../regime/regime.js';
import { computeLcr, LcrInputError } from './compute-lcr.js';
import { createExposureTable, type ExposureRow } from './test-exposures.js';
import { expectedWorkedExample, workedExample } from './worked-example.js';

let db: DuckDb;
beforeAll(async () => { db = await openDuckDb({ threads: 1 }); });
afterAll(() => db.close());

type Classified = Record<string, string | boolean | null>;

/** Computes the rows' LCR and returns lcr_classified keyed by exposure_id. */
async function classify(rows: ExposureRow[], regime = loadRegime()): Promise<Record<string, Classified>> {
  await createExposureTable(db.connection, rows);
  await computeLcr(db.connection, { exposures: 'exposures', regime });
  const found = (await db.connection.runAndReadAll(`SELECT exposure_id, exclusion_reason, flow, rate_rule, rate::VARCHAR AS rate,
    weighted_amount::VARCHAR AS weighted_amount, stock_bucket, stock_value::VARCHAR AS stock_value, unwind_cash::VARCHAR AS unwind_cash,
    unwind_bucket, unwind_collateral::VARCHAR AS unwind_collateral FROM lcr_classified`)).getRowObjectsJson() as Classified[];
  return Object.fromEntries(found.map((r) => [String(r.exposure_id), r]));
}

/** A decimal string without trailing zeros, so that DECIMAL scales do not matter to the comparison. */
const n = (v: unknown) => (v === null ? null : String(v).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, ''));

const outflowCases: [string, ExposureRow, string, string][] = [
  ['retail_deposit.stable', { product: 'RETAIL_DEPOSIT', counterparty_type: 'RETAIL', is_insured: true, is_stable: true }, '0.05', '50'],
  ['retail_deposit.less_stable', { product: 'RETAIL_DEPOSIT', counterparty_type: 'SMALL_BUSINESS', is_insured: true }, '0.1', '100'],
  ['uwf.operational.insured', { product: 'UNSECURED_WHOLESALE_FUNDING', counterparty_type: 'BANK', is_operational: true, is_insured: true }, '0.05', '50'],
  ['uwf.operational.uninsured', { product: 'UNSECURED_WHOLESALE_FUNDING', counterparty_type: 'NON_FINANCIAL_CORPORATE', is_operational: true }, '0.25', '250'],
  ['uwf.corporate_sovereign.insured', { product: 'UNSECURED_WHOLESALE_FUNDING', counterparty_type: 'CENTRAL_BANK', is_insured: true }, '0.2', '200'],
  ['uwf.corporate_sovereign.uninsured', { product: 'UNSECURED_WHOLESALE_FUNDING', counterparty_type: 'SOVEREIGN_FOREIGN' }, '0.4', '400'],
  ['uwf.financial_other', { product: 'UNSECURED_WHOLESALE_FUNDING', counterparty_type: 'OTHER_FINANCIAL', is_insured: true }, '1', '1000'],
  ['secured_funding.central_bank', { product: 'SECURED_FUNDING', counterparty_type: 'CENTRAL_BANK', collateral_class: 'NON_HQLA' }, '0', '0'],
  ['secured_funding.level1', { product: 'SECURED_FUNDING', counterparty_type: 'BANK', collateral_class: 'L1', collateral_value: '1000' }, '0', '0'],
  ['secured_funding.level2a', { product: 'SECURED_FUNDING', counterparty_type: 'SOVEREIGN_DOMESTIC', collateral_class: 'L2A', collateral_value: '1000' }, '0.15', '150'],
  ['secured_funding.domestic_sovereign', { product: 'SECURED_FUNDING', counterparty_type: 'SOVEREIGN_DOMESTIC', collateral_class: 'L2B', collateral_value: '1000' }, '0.25', '250'],
  ['secured_funding.level2b_rmbs', { product: 'SECURED_FUNDING', counterparty_type: 'BANK', collateral_class: 'L2B_RMBS', collateral_value: '1000' }, '0.25', '250'],
  ['secured_funding.level2b', { product: 'SECURED_FUNDING', counterparty_type: 'OTHER', collateral_class: 'L2B', collateral_value: '1000' }, '0.5', '500'],
  ['secured_funding.non_hqla', { product: 'SECURED_FUNDING', counterparty_type: 'OTHER_FINANCIAL', collateral_class: 'NON_HQLA' }, '1', '1000'],
  ['credit_facility.retail', { product: 'COMMITTED_CREDIT_FACILITY', counterparty_type: 'SMALL_BUSINESS' }, '0.05', '50'],
  ['credit_facility.corporate_sovereign', { product: 'COMMITTED_CREDIT_FACILITY', counterparty_type: 'SOVEREIGN_DOMESTIC' }, '0.1', '100'],
  ['credit_facility.bank', { product: 'COMMITTED_CREDIT_FACILITY', counterparty_type: 'BANK' }, '0.4', '400'],
  ['credit_facility.other_financial', { product: 'COMMITTED_CREDIT_FACILITY', counterparty_type: 'OTHER_FINANCIAL' }, '0.4', '400'],
  ['credit_facility.other', { product: 'COMMITTED_CREDIT_FACILITY', counterparty_type: 'OTHER' }, '1', '1000'],
  ['liquidity_facility.retail', { product: 'COMMITTED_LIQUIDITY_FACILITY', counterparty_type: 'RETAIL' }, '0.05', '50'],
  ['liquidity_facility.corporate_sovereign', { product: 'COMMITTED_LIQUIDITY_FACILITY', counterparty_type: 'NON_FINANCIAL_CORPORATE' }, '0.3', '300'],
  ['liquidity_facility.bank', { product: 'COMMITTED_LIQUIDITY_FACILITY', counterparty_type: 'BANK' }, '0.4', '400'],
  ['liquidity_facility.other_financial', { product: 'COMMITTED_LIQUIDITY_FACILITY', counterparty_type: 'OTHER_FINANCIAL' }, '1', '1000'],
  ['liquidity_facility.other', { product: 'COMMITTED_LIQUIDITY_FACILITY', counterparty_type: 'OTHER' }, '1', '1000'],
];

const inflowCases: [string, ExposureRow, string, string][] = [
  ['secured_lending.level1', { product: 'SECURED_LENDING', counterparty_type: 'BANK', collateral_class: 'L1', collateral_value: '1000' }, '0', '0'],
  ['secured_lending.level2a', { product: 'SECURED_LENDING', counterparty_type: 'BANK', collateral_class: 'L2A', collateral_value: '1000' }, '0.15', '150'],
  ['secured_lending.level2b_rmbs', { product: 'SECURED_LENDING', counterparty_type: 'BANK', collateral_class: 'L2B_RMBS', collateral_value: '1000' }, '0.25', '250'],
  ['secured_lending.level2b', { product: 'SECURED_LENDING', counterparty_type: 'OTHER', collateral_class: 'L2B', collateral_value: '1000' }, '0.5', '500'],
  ['secured_lending.non_hqla', { product: 'SECURED_LENDING', counterparty_type: 'NON_FINANCIAL_CORPORATE', collateral_class: 'NON_HQLA' }, '1', '1000'],
  ['unsecured_lending.operational', { product: 'UNSECURED_LENDING', counterparty_type: 'BANK', is_operational: true }, '0', '0'],
  ['unsecured_lending.retail', { product: 'UNSECURED_LENDING', counterparty_type: 'RETAIL' }, '0.5', '500'],
  ['unsecured_lending.corporate_sovereign_other', { product: 'UNSECURED_LENDING', counterparty_type: 'SOVEREIGN_FOREIGN' }, '0.5', '500'],
  ['unsecured_lending.financial', { product: 'UNSECURED_LENDING', counterparty_type: 'CENTRAL_BANK' }, '1', '1000'],
  ['security.non_hqla_maturing', { product: 'SECURITY', collateral_class: 'NON_HQLA' }, '1', '1000'],
];

describe('computeLcr: rates', () => {
  it('prices every Basel outflow rule at its run-off rate, first matching rule winning', async () => {
    const rows = outflowCases.map(([id, row]) => ({ exposure_id: id, amount: '1000', maturity_date: '2025-07-10', ...row }));
    const got = await classify(rows);
    for (const [id, , rate, weighted] of outflowCases) {
      expect([id, got[id].flow, got[id].rate_rule, n(got[id].rate), n(got[id].weighted_amount)]).toEqual([id, 'outflow', id, rate, weighted]);
    }
    expect(outflowCases.map(([id]) => id).sort()).toEqual(loadRegime().outflows.map((r) => r.id).sort());
  });

  it('prices every Basel inflow rule at its inflow rate', async () => {
    const rows = inflowCases.map(([id, row]) => ({ exposure_id: id, amount: '1000', maturity_date: '2025-07-10', ...row }));
    const got = await classify(rows);
    for (const [id, , rate, weighted] of inflowCases) {
      expect([id, got[id].flow, got[id].rate_rule, n(got[id].rate), n(got[id].weighted_amount)]).toEqual([id, 'inflow', id, rate, weighted]);
    }
    expect(inflowCases.map(([id]) => id).sort()).toEqual(loadRegime().inflows.map((r) => r.id).sort());
  });

  it('weighs HQLA at 1 - haircut: L1 100%, L2A 85%, L2B RMBS 75%, L2B 50%, cash and reserves Level 1', async () => {
    const got = await classify([
      { exposure_id: 'L1', product: 'SECURITY', collateral_class: 'L1', amount: '1000' },
      { exposure_id: 'L2A', product: 'SECURITY', collateral_class: 'L2A', amount: '1000', maturity_date: '2025-07-05' },
      { exposure_id: 'RMBS', product: 'SECURITY', collateral_class: 'L2B_RMBS', amount: '1000' },
      { exposure_id: 'L2B', product: 'SECURITY', collateral_class: 'L2B', amount: '1000', maturity_date: '2030-01-01' },
      { exposure_id: 'CASH', product: 'CASH', amount: '1000' },
      { exposure_id: 'CBR', product: 'CB_RESERVES', collateral_class: 'L1', amount: '1000' },
      { exposure_id: 'REVREPO', product: 'SECURED_LENDING', counterparty_type: 'BANK', collateral_class: 'L2A', collateral_value: '2000', amount: '1900', maturity_date: '2025-08-30' },
    ]);
    const stock = Object.fromEntries(Object.entries(got).map(([id, r]) => [id, [r.stock_bucket, n(r.stock_value), r.flow]]));
    expect(stock).toEqual({
      L1: ['level1', '1000', null], L2A: ['level2a', '850', null], RMBS: ['level2b', '750', null], L2B: ['level2b', '500', null],
      CASH: ['level1', '1000', null], CBR: ['level1', '1000', null],
      REVREPO: ['level2a', '1700', null], // rule 5: the collateral joins the stock whatever the maturity
    });
  });

  it('refuses a combination the regime gives no rate for, and a class it gives no weight for, naming each exposure', async () => {
    await createExposureTable(db.connection, [
      { exposure_id: 'D1', product: 'RETAIL_DEPOSIT', counterparty_type: 'BANK', amount: '10' },
      { exposure_id: 'D2', product: 'RETAIL_DEPOSIT', counterparty_type: 'RETAIL', amount: '10' },
      { exposure_id: 'S1', product: 'SECURITY', collateral_class: 'L2B_RMBS', amount: '10' },
    ]);
    await expect(computeLcr(db.connection, { exposures: 'exposures' })).rejects.toThrow('1 exposure(s) cannot be priced under regime basel, e.g. D1 (RETAIL_DEPOSIT): no outflow rate in the regime for this combination');
    const error = await computeLcr(db.connection, { exposures: 'exposures', regime: loadRegime('us') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LcrInputError);
    expect((error as LcrInputError).problems).toEqual([
      { exposure_id: 'D1', legal_entity: 'BANK_A', product: 'RETAIL_DEPOSIT', counterparty_type: 'BANK', collateral_class: null, problem: 'no outflow rate in the regime for this combination' },
      { exposure_id: 'S1', legal_entity: 'BANK_A', product: 'SECURITY', counterparty_type: null, collateral_class: 'L2B_RMBS', problem: 'no HQLA weight in the regime for L2B_RMBS' },
    ]);
  });

  it('applies the US regime: stable retail at 3%, coin and banknotes outside HQLA', async () => {
    const got = await classify([
      { exposure_id: 'RD', product: 'RETAIL_DEPOSIT', counterparty_type: 'RETAIL', is_insured: true, is_stable: true, amount: '1000' },
      { exposure_id: 'CASH', product: 'CASH', amount: '1000' },
      { exposure_id: 'CBR', product: 'CB_RESERVES', amount: '1000' },
    ], loadRegime('us'));
    expect([n(got.RD.weighted_amount), got.CASH.exclusion_reason, got.CASH.stock_value, n(got.CBR.stock_value)]).toEqual(['30', 'non_hqla_asset', null, '1000']);
  });
});

describe('computeLcr: horizon rules and exclusions (as of 2025-06-30, day 30 = 2025-07-30)', () => {
  it('counts day 30 and excludes day 31; open outflows count, open inflows do not; facilities ignore maturity', async () => {
    const deposit = { product: 'UNSECURED_WHOLESALE_FUNDING', counterparty_type: 'BANK', amount: '100' } as const;
    const loan = { product: 'UNSECURED_LENDING', counterparty_type: 'BANK', amount: '100' } as const;
    const facility = { product: 'COMMITTED_CREDIT_FACILITY', counterparty_type: 'BANK', amount: '100' } as const;
    const got = await classify([
      { exposure_id: 'OUT_D30', ...deposit, maturity_date: '2025-07-30' },
      { exposure_id: 'OUT_D31', ...deposit, maturity_date: '2025-07-31' },
      { exposure_id: 'OUT_OPEN', ...deposit },
      { exposure_id: 'IN_D1', ...loan, maturity_date: '2025-07-01' },
      { exposure_id: 'IN_D30', ...loan, maturity_date: '2025-07-30' },
      { exposure_id: 'IN_D31', ...loan, maturity_date: '2025-07-31' },
      { exposure_id: 'IN_OPEN', ...loan },
      { exposure_id: 'FAC_D1', ...facility, maturity_date: '2025-07-01' },
      { exposure_id: 'FAC_Y5', ...facility, maturity_date: '2030-06-30' },
      { exposure_id: 'FAC_OPEN', ...facility },
    ]);
    expect(Object.fromEntries(Object.entries(got).map(([id, r]) => [id, r.flow ?? r.exclusion_reason]))).toEqual({
      OUT_D30: 'outflow', OUT_D31: 'beyond_30d', OUT_OPEN: 'outflow',
      IN_D1: 'inflow', IN_D30: 'inflow', IN_D31: 'beyond_30d', IN_OPEN: 'open_inflow',
      FAC_D1: 'outflow', FAC_Y5: 'outflow', FAC_OPEN: 'outflow',
    });
  });

  it('excludes encumbered securities and non-HQLA securities not maturing in the horizon', async () => {
    const got = await classify([
      { exposure_id: 'PLEDGED_L1', product: 'SECURITY', collateral_class: 'L1', amount: '100', is_encumbered: true },
      { exposure_id: 'PLEDGED_JUNK_D10', product: 'SECURITY', collateral_class: 'NON_HQLA', amount: '100', maturity_date: '2025-07-10', is_encumbered: true },
      { exposure_id: 'JUNK_D30', product: 'SECURITY', collateral_class: 'NON_HQLA', amount: '100', maturity_date: '2025-07-30' },
      { exposure_id: 'JUNK_D31', product: 'SECURITY', collateral_class: 'NON_HQLA', amount: '100', maturity_date: '2025-07-31' },
      { exposure_id: 'JUNK_PERPETUAL', product: 'SECURITY', collateral_class: 'NON_HQLA', amount: '100' },
      { exposure_id: 'L1_D10', product: 'SECURITY', collateral_class: 'L1', amount: '100', maturity_date: '2025-07-10' },
    ]);
    expect(Object.fromEntries(Object.entries(got).map(([id, r]) => [id, [r.exclusion_reason, r.flow, r.stock_bucket]]))).toEqual({
      PLEDGED_L1: ['encumbered', null, null],
      PLEDGED_JUNK_D10: ['encumbered', null, null],
      JUNK_D30: [null, 'inflow', null],
      JUNK_D31: ['non_hqla_asset', null, null],
      JUNK_PERPETUAL: ['non_hqla_asset', null, null],
      L1_D10: [null, null, 'level1'], // in the stock, so no inflow (LCR40.4)
    });
  });

  it('unwinds secured funding and lending inside the horizon with HQLA collateral only', async () => {
    const got = await classify([
      { exposure_id: 'REPO_L2A', product: 'SECURED_FUNDING', counterparty_type: 'BANK', collateral_class: 'L2A', collateral_value: '110', amount: '100', maturity_date: '2025-07-10' },
      { exposure_id: 'REPO_L1', product: 'SECURED_FUNDING', counterparty_type: 'BANK', collateral_class: 'L1', collateral_value: '102', amount: '100' },
      { exposure_id: 'REPO_D31', product: 'SECURED_FUNDING', counterparty_type: 'BANK', collateral_class: 'L2A', collateral_value: '110', amount: '100', maturity_date: '2025-07-31' },
      { exposure_id: 'REPO_JUNK', product: 'SECURED_FUNDING', counterparty_type: 'BANK', collateral_class: 'NON_HQLA', amount: '100', maturity_date: '2025-07-10' },
      { exposure_id: 'REVREPO_L2B', product: 'SECURED_LENDING', counterparty_type: 'BANK', collateral_class: 'L2B', collateral_value: '120', amount: '100', maturity_date: '2025-07-10' },
      { exposure_id: 'REVREPO_REUSED', product: 'SECURED_LENDING', counterparty_type: 'BANK', collateral_class: 'L2B', collateral_value: '120', amount: '100', maturity_date: '2025-07-10', is_encumbered: true },
      { exposure_id: 'REVREPO_D31', product: 'SECURED_LENDING', counterparty_type: 'BANK', collateral_class: 'L2B', collateral_value: '120', amount: '100', maturity_date: '2025-07-31' },
    ]);
    expect(Object.fromEntries(Object.entries(got).map(([id, r]) => [id, [n(r.unwind_cash), r.unwind_bucket, n(r.unwind_collateral), r.stock_bucket, n(r.weighted_amount), r.exclusion_reason]]))).toEqual({
      REPO_L2A: ['-100', 'level2a', '93.5', null, '15', null],
      REPO_L1: ['-100', 'level1', '102', null, '0', null],
      REPO_D31: [null, null, null, null, null, 'beyond_30d'],
      REPO_JUNK: [null, null, null, null, '100', null],
      REVREPO_L2B: ['100', 'level2b', '-60', 'level2b', '50', null],
      REVREPO_REUSED: [null, null, null, null, '50', null],
      REVREPO_D31: [null, null, null, 'level2b', null, 'beyond_30d'],
    });
  });
});

describe('computeLcr: the groups it sums', () => {
  // Every rate case and horizon case, on two as_of_dates (the second one's day 30 is 2025-07-31), with flags left NULL.
  const cases = [...outflowCases, ...inflowCases].map(([id, row], i) => ({ exposure_id: id, amount: `${1000 + i}.25`, maturity_date: '2025-07-10', ...row }));
  const horizon = ['2025-07-01', '2025-07-30', '2025-07-31', '2025-08-01', null].flatMap((maturity, i) => [
    { exposure_id: `UWF_${i}`, product: 'UNSECURED_WHOLESALE_FUNDING', counterparty_type: 'BANK', amount: '100', maturity_date: maturity },
    { exposure_id: `UL_${i}`, product: 'UNSECURED_LENDING', counterparty_type: 'BANK', amount: '100', maturity_date: maturity },
    { exposure_id: `REPO_${i}`, product: 'SECURED_FUNDING', counterparty_type: 'BANK', collateral_class: 'L2A', collateral_value: '110', amount: '100', maturity_date: maturity },
  ] as ExposureRow[]);
  const oneDate: ExposureRow[] = [...cases, ...horizon, ...workedExample.map((r) => ({ ...r, exposure_id: `W_${r.exposure_id}`, legal_entity: 'BANK_W' }))];
  const twoDates: ExposureRow[] = [...oneDate, ...horizon.map((r) => ({ ...r, exposure_id: `${r.exposure_id}_NEXT`, as_of_date: '2025-07-01' }))];

  /** lcr_entity_sums and the same sums taken row by row from lcr_classified: they must be equal. */
  const sumsBothWays = async () => {
    const columns = `as_of_date, legal_entity, reporting_currency, product, counterparty_type, hqla_class, exclusion_reason, flow, rate_rule, rate,
      stock_bucket, unwind_bucket`;
    const sums = `exposures, amount, weighted_amount, stock_value, unwind_cash, unwind_collateral`;
    const grouped = (await db.connection.runAndReadAll(`SELECT ${columns}, ${sums} FROM lcr_entity_sums ORDER BY ALL`)).getRowObjectsJson();
    const byRow = (await db.connection.runAndReadAll(`SELECT ${columns}, count(*) AS exposures, sum(amount) AS amount,
      coalesce(sum(weighted_amount), 0) AS weighted_amount, coalesce(sum(stock_value), 0) AS stock_value, coalesce(sum(unwind_cash), 0) AS unwind_cash,
      coalesce(sum(unwind_collateral), 0) AS unwind_collateral FROM lcr_classified GROUP BY ALL ORDER BY ALL`)).getRowObjectsJson();
    return { grouped, byRow };
  };

  it('sums exactly what the rows one by one sum, with one as_of_date or several, and when it hashes the rows too', async () => {
    for (const rows of [oneDate, twoDates]) {
      await createExposureTable(db.connection, rows);
      const reports = await computeLcr(db.connection, { exposures: 'exposures' });
      const { grouped, byRow } = await sumsBothWays();
      expect(grouped.length).toBeGreaterThan(50);
      expect(grouped).toEqual(byRow);
      const groups = (await db.connection.runAndReadAll('SELECT * EXCLUDE (row_hash) FROM lcr_exposure_groups ORDER BY ALL')).getRowObjectsJson();
      expect(await computeLcr(db.connection, { exposures: 'exposures', hashRows: true, classified: false, listExcluded: false }))
        .toEqual(reports.map((r) => ({ ...r, entities: Object.fromEntries(Object.entries(r.entities).map(([e, f]) => [e, { ...f, excluded: [] }])) })));
      expect((await db.connection.runAndReadAll('SELECT * EXCLUDE (row_hash) FROM lcr_exposure_groups ORDER BY ALL')).getRowObjectsJson()).toEqual(groups);
    }
    expect((await computeLcr(db.connection, { exposures: 'exposures' })).map((r) => r.as_of_date)).toEqual(['2025-06-30', '2025-07-01']);
  });

  it('takes each row\'s own as_of_date for the horizon when the relation has a row without one', async () => {
    await createExposureTable(db.connection, [
      { exposure_id: 'D30', product: 'UNSECURED_LENDING', counterparty_type: 'BANK', amount: '100', maturity_date: '2025-07-30' },
      { exposure_id: 'UNDATED', as_of_date: null, product: 'UNSECURED_LENDING', counterparty_type: 'BANK', amount: '7', maturity_date: '2025-07-30' },
    ]);
    await computeLcr(db.connection, { exposures: 'exposures' });
    const { grouped, byRow } = await sumsBothWays();
    expect(grouped).toEqual(byRow);
    expect(grouped.map((g) => [g.as_of_date, g.exclusion_reason])).toEqual([['2025-06-30', null], [null, 'beyond_30d']]);
  });

  it('hashes the rows: the hash changes with any value of any row, not with the order of the rows', async () => {
    const hash = async (rows: ExposureRow[]) => {
      await createExposureTable(db.connection, rows);
      await computeLcr(db.connection, { exposures: 'exposures', hashRows: true, classified: false, listExcluded: false });
      return String((await db.connection.runAndReadAll('SELECT bit_xor(row_hash) AS h FROM lcr_exposure_groups')).getRowObjectsJson()[0].h);
    };
    const rows = workedExample;
    const first = await hash(rows);
    expect(await hash([...rows].reverse())).toBe(first);
    const changed = (i: number, change: Partial<ExposureRow>) => rows.map((r, j) => (j === i || i < 0 ? { ...r, ...change } : r));
    const changes: [number, Partial<ExposureRow>][] = [
      [0, { exposure_id: 'CBR2' }], [0, { amount: '800.01' }], [1, { currency: 'EUR' }], [1, { direction: 'outflow' }], [2, { legal_entity: 'BANK_B' }],
      [-1, { reporting_currency: 'EUR' }], [5, { collateral_value: '300.5' }], [5, { maturity_date: '2025-07-08' }], [6, { is_stable: false }],
      [7, { is_insured: false }], [8, { is_operational: null }], [3, { is_encumbered: false }], [9, { counterparty_type: 'CENTRAL_BANK' }],
      [3, { collateral_class: 'L1' }], [0, { as_of_date: '2025-07-01' }],
    ];
    const hashes = new Set([first]);
    for (const [i, change] of changes) hashes.add(await hash(changed(i, change))); // i < 0: every row
    expect(hashes.size).toBe(changes.length + 1);
  });

  it('leaves the rows one by one to callers that want them, and makes them for a refusal anyway', async () => {
    const kinds = async () => (await db.connection.runAndReadAll("SELECT table_type FROM information_schema.tables WHERE table_name = 'lcr_classified'")).getRowObjectsJson();
    for (const { table_type: kind } of await kinds()) await db.connection.run(`DROP ${kind === 'VIEW' ? 'VIEW' : 'TABLE'} lcr_classified`);
    await createExposureTable(db.connection, workedExample);
    expect(await computeLcr(db.connection, { exposures: 'exposures', classified: false, listExcluded: false })).toEqual([
      { ...expectedWorkedExample, entities: { BANK_A: { ...expectedWorkedExample.entities.BANK_A, excluded: [] } } },
    ]);
    expect(await kinds()).toEqual([]);
    await createExposureTable(db.connection, [{ exposure_id: 'NO_RATE', product: 'SECURED_FUNDING', counterparty_type: 'BANK', amount: '1' }]);
    await expect(computeLcr(db.connection, { exposures: 'exposures', classified: false, listExcluded: false })).rejects.toThrow('NO_RATE');
    expect(await kinds()).toEqual([{ table_type: 'VIEW' }]);
  });
});

describe('computeLcr: per entity and date', () => {
  it('gives CONTRACT.md section 5 figures for the worked example, checked by hand', async () => {
    await createExposureTable(db.connection, workedExample);
    expect(await computeLcr(db.connection, { exposures: 'exposures' })).toEqual([expectedWorkedExample]);
  });

  it('computes each legal entity and as_of_date apart, never consolidated', async () => {
    await createExposureTable(db.connection, [
      { exposure_id: 'A1', legal_entity: 'BANK_B', product: 'CB_RESERVES', amount: '100' },
      { exposure_id: 'A2', legal_entity: 'BANK_B', product: 'RETAIL_DEPOSIT', counterparty_type: 'RETAIL', amount: '500' },
      { exposure_id: 'A3', legal_entity: 'BANK_A', reporting_currency: 'EUR', product: 'CB_RESERVES', amount: '10' },
      { exposure_id: 'A4', as_of_date: '2025-07-01', legal_entity: 'BANK_B', product: 'CB_RESERVES', amount: '1' },
    ]);
    const reports = await computeLcr(db.connection, { exposures: 'exposures' });
    expect(reports.map((r) => [r.as_of_date, Object.entries(r.entities).map(([e, f]) => [e, f.reporting_currency, f.hqla_total, f.net_cash_outflows, f.lcr])])).toEqual([
      ['2025-06-30', [['BANK_A', 'EUR', '10.00', '0.00', null], ['BANK_B', 'USD', '100.00', '50.00', '2.000000']]],
      ['2025-07-01', [['BANK_B', 'USD', '1.00', '0.00', null]]],
    ]);
  });

  it('refuses an entity with two reporting currencies, and a relation typed wrongly', async () => {
    await createExposureTable(db.connection, [
      { exposure_id: 'A1', product: 'CB_RESERVES', amount: '100' },
      { exposure_id: 'A2', reporting_currency: 'EUR', product: 'CB_RESERVES', amount: '100' },
    ]);
    await expect(computeLcr(db.connection, { exposures: 'exposures' })).rejects.toThrow('legal entity BANK_A has more than one reporting_currency on 2025-06-30: EUR, USD');
    await db.connection.run('CREATE OR REPLACE TEMP VIEW loose AS SELECT * EXCLUDE (currency) REPLACE (amount::DOUBLE AS amount, is_stable::VARCHAR AS is_stable) FROM exposures');
    await expect(computeLcr(db.connection, { exposures: 'loose' })).rejects.toThrow('exposures relation "loose": currency is missing; amount is DOUBLE, not DECIMAL; is_stable is VARCHAR, not BOOLEAN');
    await expect(computeLcr(db.connection, { exposures: 'x; DROP TABLE exposures' })).rejects.toThrow('must be a table or view name');
  });

  it('keeps no DOUBLE in the classified rows or the sums, and can materialize the classified rows', async () => {
    await createExposureTable(db.connection, workedExample);
    expect(await computeLcr(db.connection, { exposures: 'exposures', materialize: true })).toEqual([expectedWorkedExample]);
    const types = (await db.connection.runAndReadAll(`SELECT table_name, data_type FROM information_schema.columns
      WHERE table_name IN ('lcr_classified', 'lcr_entity_sums')`)).getRowObjectsJson().map((r) => String(r.data_type));
    expect(types.length).toBeGreaterThan(40);
    expect(types.filter((t) => /DOUBLE|FLOAT|REAL/.test(t))).toEqual([]);
    const kind = (await db.connection.runAndReadAll("SELECT table_type FROM information_schema.tables WHERE table_name = 'lcr_classified'")).getRowObjectsJson();
    expect(kind).toEqual([{ table_type: 'LOCAL TEMPORARY' }]);
  });

  it('lists excluded exposures whose ids hold any character', async () => {
    await createExposureTable(db.connection, [
      { exposure_id: 'B\x1fC', product: 'UNSECURED_LENDING', counterparty_type: 'BANK', amount: '1' },
      { exposure_id: 'A,"1"', product: 'UNSECURED_LENDING', counterparty_type: 'BANK', amount: '1' },
      { exposure_id: 'D', product: 'UNSECURED_LENDING', counterparty_type: 'BANK', amount: '1', maturity_date: '2026-01-01' },
    ]);
    const [report] = await computeLcr(db.connection, { exposures: 'exposures' });
    expect(report.entities.BANK_A.excluded).toEqual([
      { exposure_id: 'D', reason: 'beyond_30d' }, { exposure_id: 'A,"1"', reason: 'open_inflow' }, { exposure_id: 'B\x1fC', reason: 'open_inflow' },
    ]);
  });

  it('reports an empty relation as no dates', async () => {
    await createExposureTable(db.connection, []);
    expect(await computeLcr(db.connection, { exposures: 'exposures' })).toEqual([]);
  });
});
