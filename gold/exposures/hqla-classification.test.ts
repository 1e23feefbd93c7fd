/**
 * The HQLA classification of LCR.md section B, one test per rule: each instrument below meets exactly one rule, lands
 * through the real ingest as a ref.instruments event with a position in it, and must come out in that class, for that
 * reason, on the classification table and on its SECURITY exposure row.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestLake } from '../../silver/test-fixtures/lake.js';
import { fxRate, instrument, position, record } from '../../silver/entities/test-events.js';
import { exposuresOf, type Exposures, type Row } from './exposure-lake.js';

const at = '2026-03-02T06:00:00Z';
const asOfDate = '2026-03-03';
const knownAt = '2026-03-04T00:00:00Z';

const sovereign = { asset_class: 'GOVT_BOND', issuer_type: 'SOVEREIGN', issuer_country: 'US', currency: 'USD', risk_weight: 0, rating: 'AA+' };
const corporate = { asset_class: 'CORPORATE_BOND', issuer_type: 'NON_FINANCIAL_CORPORATE', issuer_country: 'US', currency: 'USD', risk_weight: 1, rating: 'BBB' };
const rmbs = { asset_class: 'RMBS', issuer_type: 'OTHER_FINANCIAL', issuer_country: 'GB', currency: 'USD', risk_weight: 0.2, rating: 'AAA', rmbs_full_recourse: true, rmbs_ltv: 0.72, own_originated: false };
const covered = { asset_class: 'COVERED_BOND', issuer_type: 'BANK', issuer_country: 'SE', currency: 'USD', risk_weight: 0.1, rating: 'AAA' };
const equity = { asset_class: 'EQUITY', issuer_type: 'NON_FINANCIAL_CORPORATE', issuer_country: 'US', currency: 'USD', risk_weight: 1, rating: null, listed_index: 'S&P 500', maturity_date: null };

/** id, attributes, expected class and rule for BANK_A (reporting in USD). */
const cases: [string, Record<string, unknown>, string, string][] = [
  ['L1-UST', sovereign, 'L1', 'level1_zero_risk_weight'],
  ['L1-MDB', { ...sovereign, issuer_type: 'MDB', asset_class: 'AGENCY_BOND' }, 'L1', 'level1_zero_risk_weight'],
  ['L1-USDOM', { ...sovereign, risk_weight: 0.5, rating: 'BBB' }, 'L1', 'level1_domestic_sovereign'],
  ['L2A-JGB', { ...sovereign, issuer_country: 'JP', currency: 'JPY', risk_weight: 0.2, rating: 'A+' }, 'L2A', 'level2a_public_sector'],
  ['L2A-GSE', { ...sovereign, issuer_type: 'GSE', asset_class: 'AGENCY_BOND', risk_weight: 0.2 }, 'L2A', 'level2a_public_sector'],
  ['L2A-CORP', { ...corporate, rating: 'AA-' }, 'L2A', 'level2a_corporate'],
  ['L2A-COV', covered, 'L2A', 'level2a_covered_bond'],
  ['L2B-RMBS', rmbs, 'L2B_RMBS', 'level2b_rmbs'],
  ['L2B-CORP-A+', { ...corporate, rating: 'A+' }, 'L2B', 'level2b_corporate'],
  ['L2B-CORP-BBB-', { ...corporate, rating: 'BBB-' }, 'L2B', 'level2b_corporate'],
  ['L2B-EQ', equity, 'L2B', 'level2b_equity'],
  ['NH-COMMODITY', { ...corporate, asset_class: 'COMMODITY', issuer_type: null, rating: null, maturity_date: null }, 'NON_HQLA', 'not_a_security'],
  ['NH-NOISSUER', { ...corporate, issuer_type: null }, 'NON_HQLA', 'issuer_unknown'],
  ['NH-GSE-EQ', { ...equity, issuer_type: 'GSE' }, 'NON_HQLA', 'issuer_not_eligible'],
  ['NH-OWNCOV', { ...covered, own_originated: true }, 'NON_HQLA', 'own_issued'],
  ['NH-OWNRMBS', { ...rmbs, own_originated: null }, 'NON_HQLA', 'own_issued'],
  ['NH-BANKBOND', { ...corporate, issuer_type: 'BANK', rating: 'AAA', risk_weight: 0.2 }, 'NON_HQLA', 'financial_issuer'],
  ['NH-BANKEQ', { ...equity, issuer_type: 'BANK' }, 'NON_HQLA', 'financial_issuer'],
  ['NH-COV-A', { ...covered, rating: 'A' }, 'NON_HQLA', 'covered_bond_below_aa_minus'],
  ['NH-RMBS-AA-', { ...rmbs, rating: 'AA-' }, 'NON_HQLA', 'rmbs_below_aa'],
  ['NH-RMBS-NR', { ...rmbs, rmbs_full_recourse: false }, 'NON_HQLA', 'rmbs_not_full_recourse'],
  ['NH-RMBS-LTV', { ...rmbs, rmbs_ltv: 0.9 }, 'NON_HQLA', 'rmbs_ltv_above_80pct'],
  ['NH-PSE-NORW', { ...sovereign, issuer_type: 'PSE', risk_weight: null }, 'NON_HQLA', 'risk_weight_unknown'],
  ['NH-PSE-50', { ...sovereign, issuer_type: 'PSE', risk_weight: 0.5 }, 'NON_HQLA', 'risk_weight_above_20pct'],
  ['NH-EQ-NOINDEX', { ...equity, listed_index: null }, 'NON_HQLA', 'equity_not_in_major_index'],
  ['NH-UNRATED', { ...corporate, rating: 'NR' }, 'NON_HQLA', 'unrated'],
  ['NH-JUNK', { ...corporate, rating: 'BB-' }, 'NON_HQLA', 'corporate_below_bbb_minus'],
];

let lake: TestLake;
let built: Exposures;
beforeAll(async () => {
  lake = await TestLake.create();
  // A BTP (50% risk weight, in Italy's currency) is domestic-currency sovereign paper for the EUR entity only.
  const btp = { ...sovereign, issuer_country: 'IT', currency: 'EUR', risk_weight: 0.5, rating: 'BBB' };
  const instruments = [...cases.map(([id, over]) => instrument(at, { instrument_id: id, isin: null, ...over })), instrument(at, { instrument_id: 'BTP', isin: null, ...btp })];
  const holdings = [
    ...cases.map(([id]) => position(at, 1000, { position_id: `BANK_A|B1|${id}`, instrument_id: id, after: { quantity: 1000, cost: 99500, currency: 'USD', trade_count: 1 } })),
    position(at, 1000, { position_id: 'BANK_A|B1|BTP', instrument_id: 'BTP', after: { quantity: 1000, cost: 99500, currency: 'EUR', trade_count: 1 } }),
    position(at, 1000, { position_id: 'BANK_B|B1|BTP', legal_entity: 'BANK_B', instrument_id: 'BTP', after: { quantity: 1000, cost: 99500, currency: 'EUR', trade_count: 1 } }),
  ];
  await lake.land([
    ...instruments.map((v) => record('ref.instruments', String(v.instrument_id), v, at)),
    ...holdings.map((v) => record('positions', String(v.position_id), v, at)),
    ...['EUR', 'JPY'].map((ccy) => record('ref.fx_rates', ccy, fxRate(at, { rate_date: '2026-03-02', quote_currency: ccy, rate: ccy === 'EUR' ? 0.92 : 151.2 }), at)),
  ]);
  const build = await lake.build({ businessDate: asOfDate });
  expect(build.checks.filter((c) => !c.ok)).toEqual([]);
  expect(build.counts['ref.instruments'].quarantined).toBe(0);
  built = await exposuresOf(lake, { asOfDate, knownAt });
}, 120_000);
afterAll(async () => {
  await lake.close();
});

const classOf = (id: string, reportingCurrency = 'USD'): Row | undefined =>
  built.classification.find((r) => r.instrument_id === id && r.reporting_currency === reportingCurrency);
const securityOf = (positionId: string): Row | undefined => built.exposures.find((r) => r.exposure_id === `SEC:${positionId}`);

describe('HQLA classification (LCR.md section B)', () => {
  it.each(cases)('%s is %s by rule %s', (id, _over, expectedClass, expectedRule) => {
    expect(classOf(id)).toMatchObject({ collateral_class: expectedClass, rule: expectedRule });
    expect(String(classOf(id)?.reason)).not.toBe('');
    expect(securityOf(`BANK_A|B1|${id}`)).toMatchObject({ product: 'SECURITY', direction: 'asset', collateral_class: expectedClass, is_encumbered: false });
  });

  it('makes non-0% risk-weight sovereign paper in its domestic currency Level 1 only for the entity reporting in that currency', () => {
    expect(classOf('BTP', 'EUR')).toMatchObject({ collateral_class: 'L1', rule: 'level1_domestic_sovereign' });
    expect(classOf('BTP', 'USD')).toMatchObject({ collateral_class: 'NON_HQLA', rule: 'risk_weight_above_20pct' });
    expect(securityOf('BANK_B|B1|BTP')).toMatchObject({ legal_entity: 'BANK_B', reporting_currency: 'EUR', collateral_class: 'L1' });
    expect(securityOf('BANK_A|B1|BTP')).toMatchObject({ legal_entity: 'BANK_A', reporting_currency: 'USD', collateral_class: 'NON_HQLA' });
  });

  it('classifies every instrument once per reporting currency, whether held or not', () => {
    expect(built.classification).toHaveLength((cases.length + 1) * 3);
    expect(new Set(built.classification.map((r) => r.reporting_currency))).toEqual(new Set(['USD', 'EUR', 'GBP']));
  });
});
