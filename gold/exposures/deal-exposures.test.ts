/**
 * Treasury deals and holdings to exposure records (LCR.md section D): each deal type's product, direction, flags,
 * amount and maturity; repos' collateral and the holdings they encumber; conversion into the reporting currency;
 * what is left out and why.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestLake } from '../../silver/test-fixtures/lake.js';
import { counterparty, deal, fxRate, instrument, position, record } from '../../silver/entities/test-events.js';
import { exposuresOf, type Exposures, type Row } from './exposure-lake.js';

const at = '2026-03-02T06:00:00Z';
const asOfDate = '2026-03-03';
const knownAt = '2026-03-04T00:00:00Z';

const noFlags = { is_operational: false, is_insured: false, has_relationship: false, notice_days: null };
const dealOf = (id: string, over: Record<string, unknown>) =>
  deal(at, { deal_id: id, currency: 'USD', principal: 1_000_000, start_date: '2026-03-01', maturity_date: null, ...noFlags, ...over });
const deals = [
  dealOf('DEP-STABLE', { deal_type: 'DEPOSIT', counterparty_id: 'CP-RET', counterparty_type: 'RETAIL', is_insured: true, has_relationship: true }),
  dealOf('DEP-LESS', { deal_type: 'DEPOSIT', counterparty_id: 'CP-RET', counterparty_type: 'RETAIL', maturity_date: '2026-04-15' }),
  dealOf('DEP-SME', { deal_type: 'DEPOSIT', counterparty_id: 'CP-SME', counterparty_type: 'SMALL_BUSINESS', is_insured: true }),
  dealOf('DEP-OPS', { deal_type: 'DEPOSIT', counterparty_id: 'CP-CORP', counterparty_type: 'NON_FINANCIAL_CORPORATE', is_operational: true }),
  dealOf('DEP-NOTICE', { deal_type: 'DEPOSIT', counterparty_id: 'CP-CORP', counterparty_type: 'NON_FINANCIAL_CORPORATE', notice_days: 35 }),
  dealOf('DEP-RECLASS', { deal_type: 'DEPOSIT', counterparty_id: 'CP-RECLASS', counterparty_type: 'NON_FINANCIAL_CORPORATE' }),
  dealOf('REPO-L1', { deal_type: 'REPO', counterparty_id: 'CP-BANK', counterparty_type: 'BANK', maturity_date: '2026-03-20', collateral_instrument_id: 'UST', collateral_nominal: 1_020_000, collateral_market_value: 1_015_000 }),
  dealOf('REPO-NONOMINAL', { deal_type: 'REPO', counterparty_id: 'CP-BANK', counterparty_type: 'BANK', maturity_date: '2026-03-20', principal: 400_000, collateral_instrument_id: 'CORP', collateral_nominal: null, collateral_market_value: 500_000 }),
  dealOf('REVREPO', { deal_type: 'REVERSE_REPO', counterparty_id: 'CP-BANK', counterparty_type: 'BANK', maturity_date: '2026-03-10', principal: 180_000, collateral_instrument_id: 'BANKBOND', collateral_nominal: 200_000, collateral_market_value: 199_000, collateral_rehypothecated: true }),
  dealOf('LOAN-CORP', { deal_type: 'LOAN', counterparty_id: 'CP-CORP', counterparty_type: 'NON_FINANCIAL_CORPORATE', maturity_date: '2026-03-25', is_operational: true }),
  dealOf('PLACE-OPS', { deal_type: 'PLACEMENT', counterparty_id: 'CP-BANK', counterparty_type: 'BANK', is_operational: true }),
  dealOf('FAC-CREDIT', { deal_type: 'CREDIT_FACILITY', counterparty_id: 'CP-CORP', counterparty_type: 'NON_FINANCIAL_CORPORATE', drawn_amount: 300_000, maturity_date: '2027-03-01' }),
  dealOf('FAC-LIQ', { deal_type: 'LIQUIDITY_FACILITY', counterparty_id: 'CP-SPE', counterparty_type: 'OTHER', principal: 500_000, drawn_amount: 0, maturity_date: '2027-03-01' }),
  dealOf('CBR', { deal_type: 'CB_RESERVES', counterparty_id: 'CP-FED', counterparty_type: 'CENTRAL_BANK' }),
  dealOf('CASH', { deal_type: 'CASH', counterparty_id: null, counterparty_type: null, principal: 50_000 }),
  dealOf('DEP-EUR', { deal_type: 'DEPOSIT', counterparty_id: 'CP-CORP', counterparty_type: 'NON_FINANCIAL_CORPORATE', currency: 'EUR', principal: 920_000 }),
  dealOf('DEP-JPY', { deal_type: 'DEPOSIT', counterparty_id: 'CP-CORP', counterparty_type: 'NON_FINANCIAL_CORPORATE', currency: 'JPY', principal: 15_120_000 }),
  dealOf('DEP-GBP-B', { legal_entity: 'BANK_B', deal_type: 'DEPOSIT', counterparty_id: 'CP-CORP', counterparty_type: 'NON_FINANCIAL_CORPORATE', currency: 'GBP', principal: 79_000 }),
  dealOf('MAT-ON-D', { deal_type: 'DEPOSIT', counterparty_id: 'CP-CORP', counterparty_type: 'NON_FINANCIAL_CORPORATE', maturity_date: '2026-03-03' }),
  dealOf('MAT-BEFORE', { deal_type: 'LOAN', counterparty_id: 'CP-CORP', counterparty_type: 'NON_FINANCIAL_CORPORATE', maturity_date: '2026-03-02' }),
  dealOf('FWD', { deal_type: 'DEPOSIT', counterparty_id: 'CP-CORP', counterparty_type: 'NON_FINANCIAL_CORPORATE', start_date: '2026-03-10' }),
  dealOf('REPO-RETAIL', { deal_type: 'REPO', counterparty_id: 'CP-RET', counterparty_type: 'RETAIL', maturity_date: '2026-03-20', collateral_instrument_id: 'UST', collateral_nominal: 100_000, collateral_market_value: 99_500 }),
  dealOf('DEP-NOCP', { deal_type: 'DEPOSIT', counterparty_id: null, counterparty_type: null }),
  dealOf('DEP-CHF', { deal_type: 'DEPOSIT', counterparty_id: 'CP-CORP', counterparty_type: 'NON_FINANCIAL_CORPORATE', currency: 'CHF' }),
  dealOf('CANCELLED', { deal_type: 'DEPOSIT', counterparty_id: 'CP-CORP', counterparty_type: 'NON_FINANCIAL_CORPORATE' }),
];
const cancel = deal('2026-03-02T12:00:00Z', { ...dealOf('CANCELLED', { deal_type: 'DEPOSIT', counterparty_id: 'CP-CORP', counterparty_type: 'NON_FINANCIAL_CORPORATE' }), event_id: 'cancel-1', event_time: '2026-03-02T12:00:00Z', version: 2, action: 'CANCEL' });

const directory = [
  ['CP-RET', 'RETAIL'], ['CP-SME', 'SMALL_BUSINESS'], ['CP-CORP', 'NON_FINANCIAL_CORPORATE'], ['CP-BANK', 'BANK'], ['CP-SPE', 'OTHER'],
  ['CP-FED', 'CENTRAL_BANK'], ['CP-RECLASS', 'BANK'],
].map(([id, type]) => counterparty(at, { counterparty_id: id, counterparty_type: type, lei: null }));

const instruments = [
  instrument(at, { instrument_id: 'UST', isin: null, price: 99.5 }),
  instrument(at, { instrument_id: 'CORP', isin: null, asset_class: 'CORPORATE_BOND', issuer_type: 'NON_FINANCIAL_CORPORATE', risk_weight: 1, rating: 'BBB', price: 95 }),
  instrument(at, { instrument_id: 'BANKBOND', isin: null, asset_class: 'CORPORATE_BOND', issuer_type: 'BANK', risk_weight: 0.5, rating: 'A', price: 100 }),
  instrument(at, { instrument_id: 'REDEEMED', isin: null, maturity_date: '2026-03-01', price: 100 }),
];
const holding = (entity: string, instrumentId: string, quantity: number, book = 'B1') =>
  position(at, quantity, { position_id: `${entity}|${book}|${instrumentId}`, legal_entity: entity, book_id: book, instrument_id: instrumentId, after: { quantity, cost: 0, currency: 'USD', trade_count: 1 } });
const holdings = [
  // Two live repos pledge 11,200 units of UST (1,120,000 face): taken from B1 first, then B2.
  holding('BANK_A', 'UST', 8_000, 'B1'), holding('BANK_A', 'UST', 7_000, 'B2'),
  holding('BANK_A', 'CORP', 3_000), holding('BANK_A', 'BANKBOND', -100), holding('BANK_A', 'GHOST', 10), holding('BANK_A', 'REDEEMED', 10),
  holding('BANK_A', 'FLAT', 0), holding('BANK_B', 'UST', 1_000),
];

const rates: [string, string, number, string][] = [
  ['EUR', '2026-03-01', 0.9, at], ['EUR', '2026-03-02', 0.92, at], ['GBP', '2026-03-02', 0.79, at],
  ['JPY', '2026-02-27', 151.2, at], ['JPY', '2026-03-04', 150, '2026-03-04T06:00:00Z'],
  // Dated D but published after knownAt: not known then.
  ['EUR', '2026-03-03', 0.8, '2026-03-04T06:00:00Z'],
];

let lake: TestLake;
let built: Exposures;
beforeAll(async () => {
  lake = await TestLake.create();
  await lake.land([
    ...instruments.map((v) => record('ref.instruments', String(v.instrument_id), v, at)),
    ...directory.map((v) => record('ref.counterparties', String(v.counterparty_id), v, at)),
    ...holdings.map((v) => record('positions', String(v.position_id), v, at)),
    ...deals.map((v) => record('treasury.deals', String(v.deal_id), v, at)),
    record('treasury.deals', 'CANCELLED', cancel, '2026-03-02T12:00:00Z'),
    ...rates.map(([ccy, date, rate, arrived]) => record('ref.fx_rates', ccy, fxRate(arrived, { rate_date: date, quote_currency: ccy, rate }), arrived)),
  ]);
  const build = await lake.build({ businessDate: '2026-03-04' });
  expect(build.checks.filter((c) => !c.ok)).toEqual([]);
  expect(await lake.query('SELECT topic, rule, reason FROM silver.quarantine')).toEqual([]);
  built = await exposuresOf(lake, { asOfDate, knownAt });
}, 120_000);
afterAll(async () => {
  await lake.close();
});

const row = (id: string): Row | undefined => built.exposures.find((r) => r.exposure_id === id);
const money = (n: string) => `${n}.0000000000`;
const none = { collateral_class: null, collateral_value: null, is_operational: false, is_insured: false, is_stable: false, is_encumbered: false };

describe('deal types to products', () => {
  it('maps an insured retail deposit with a relationship to a stable RETAIL_DEPOSIT outflow', () => {
    expect(row('DEP-STABLE')).toEqual({
      as_of_date: '2026-03-03', legal_entity: 'BANK_A', reporting_currency: 'USD', currency: 'USD', exposure_id: 'DEP-STABLE', product: 'RETAIL_DEPOSIT',
      direction: 'outflow', counterparty_type: 'RETAIL', amount: money('1000000'), maturity_date: null, ...none, is_insured: true, is_stable: true,
    });
  });

  it('makes a retail deposit less stable when uninsured or without a relationship, and counts small businesses as retail', () => {
    expect(row('DEP-LESS')).toMatchObject({ product: 'RETAIL_DEPOSIT', is_insured: false, is_stable: false, maturity_date: '2026-04-15' });
    expect(row('DEP-SME')).toMatchObject({ product: 'RETAIL_DEPOSIT', counterparty_type: 'SMALL_BUSINESS', is_insured: true, is_stable: false });
  });

  it('maps a corporate deposit to UNSECURED_WHOLESALE_FUNDING, carrying is_operational', () => {
    expect(row('DEP-OPS')).toMatchObject({ product: 'UNSECURED_WHOLESALE_FUNDING', direction: 'outflow', counterparty_type: 'NON_FINANCIAL_CORPORATE', is_operational: true, is_stable: false });
  });

  it('dates an open deposit with a notice period at the business date plus the notice', () => {
    expect(row('DEP-NOTICE')).toMatchObject({ product: 'UNSECURED_WHOLESALE_FUNDING', maturity_date: '2026-04-07' });
  });

  it("takes the counterparty type from the directory on the business date over the deal's booked type", () => {
    expect(row('DEP-RECLASS')).toMatchObject({ product: 'UNSECURED_WHOLESALE_FUNDING', counterparty_type: 'BANK' });
  });

  it('maps a repo to SECURED_FUNDING with its collateral class and the collateral at market value', () => {
    // 1,020,000 face = 10,200 units x 99.5
    expect(row('REPO-L1')).toEqual({
      as_of_date: '2026-03-03', legal_entity: 'BANK_A', reporting_currency: 'USD', currency: 'USD', exposure_id: 'REPO-L1', product: 'SECURED_FUNDING',
      direction: 'outflow', counterparty_type: 'BANK', amount: money('1000000'), maturity_date: '2026-03-20', ...none, collateral_class: 'L1', collateral_value: money('1014900'),
    });
  });

  it("values a repo's collateral at the deal's collateral_market_value when the nominal is unknown", () => {
    expect(row('REPO-NONOMINAL')).toMatchObject({ product: 'SECURED_FUNDING', amount: money('400000'), collateral_class: 'L2B', collateral_value: money('500000') });
  });

  it('maps a reverse repo to SECURED_LENDING, encumbered when the collateral received was re-used', () => {
    expect(row('REVREPO')).toMatchObject({ product: 'SECURED_LENDING', direction: 'inflow', counterparty_type: 'BANK', amount: money('180000'), collateral_class: 'NON_HQLA', collateral_value: money('200000'), is_encumbered: true, maturity_date: '2026-03-10' });
  });

  it('maps loans and placements to UNSECURED_LENDING, operational only for a balance held at a bank', () => {
    expect(row('LOAN-CORP')).toMatchObject({ product: 'UNSECURED_LENDING', direction: 'inflow', counterparty_type: 'NON_FINANCIAL_CORPORATE', is_operational: false, maturity_date: '2026-03-25' });
    expect(row('PLACE-OPS')).toMatchObject({ product: 'UNSECURED_LENDING', direction: 'inflow', counterparty_type: 'BANK', is_operational: true, maturity_date: null });
  });

  it('maps committed facilities to their undrawn amount', () => {
    expect(row('FAC-CREDIT')).toMatchObject({ product: 'COMMITTED_CREDIT_FACILITY', direction: 'outflow', counterparty_type: 'NON_FINANCIAL_CORPORATE', amount: money('700000'), ...none });
    expect(row('FAC-LIQ')).toMatchObject({ product: 'COMMITTED_LIQUIDITY_FACILITY', direction: 'outflow', counterparty_type: 'OTHER', amount: money('500000') });
  });

  it('maps central-bank reserves and cash to Level 1 assets with no counterparty type', () => {
    expect(row('CBR')).toMatchObject({ product: 'CB_RESERVES', direction: 'asset', counterparty_type: null, collateral_class: 'L1', collateral_value: null });
    expect(row('CASH')).toMatchObject({ product: 'CASH', direction: 'asset', counterparty_type: null, collateral_class: 'L1', amount: money('50000') });
  });
});

describe('holdings', () => {
  it('values positions at quantity x price and splits off the units pledged to live repos as encumbered, in position order', () => {
    const sec = built.exposures.filter((r) => r.product === 'SECURITY' && r.legal_entity === 'BANK_A').map((r) => [r.exposure_id, r.amount, r.is_encumbered, r.collateral_class]);
    expect(sec).toEqual([
      ['SEC:BANK_A|B1|CORP:ENCUMBERED', money('285000'), true, 'L2B'], // the repo's nominal is unknown: the whole holding
      // 10,200 units pledged to REPO-L1 and 1,000 to REPO-RETAIL (left out of the exposures, yet its collateral is pledged)
      ['SEC:BANK_A|B1|UST:ENCUMBERED', money('796000'), true, 'L1'], // all 8,000 of B1
      ['SEC:BANK_A|B2|UST', money('378100'), false, 'L1'], // 3,800 free
      ['SEC:BANK_A|B2|UST:ENCUMBERED', money('318400'), true, 'L1'], // 3,200
    ]);
    expect(row('SEC:BANK_A|B1|UST')).toBeUndefined();
    expect(row('SEC:BANK_A|B2|UST')).toMatchObject({ counterparty_type: null, maturity_date: '2030-05-15', collateral_value: null, is_operational: false, is_insured: false, is_stable: false });
  });

  it('leaves out short positions, instruments unknown on the date and redeemed bonds, saying why; flat positions are not exposures', () => {
    const positions = built.leftOut.filter((r) => r.source === 'position').map((r) => [r.source_id, r.reason]);
    expect(positions).toEqual([['BANK_A|B1|BANKBOND', 'short_position'], ['BANK_A|B1|GHOST', 'instrument_unknown'], ['BANK_A|B1|REDEEMED', 'instrument_matured']]);
    expect(built.exposures.some((r) => String(r.exposure_id).includes('FLAT'))).toBe(false);
  });
});

describe('conversion into the reporting currency', () => {
  it('converts with the latest rate on or before the business date that was known, USD-based', () => {
    // 920,000 EUR / 0.92 (the 2026-03-02 rate; the 2026-03-03 one arrived after knownAt)
    expect(row('DEP-EUR')).toMatchObject({ currency: 'EUR', reporting_currency: 'USD', amount: money('1000000') });
    // 15,120,000 JPY / 151.2 (dated 2026-02-27: the latest on or before the date; 2026-03-04 is after it)
    expect(row('DEP-JPY')).toMatchObject({ currency: 'JPY', amount: money('100000') });
  });

  it('crosses two non-USD currencies through USD, and converts holdings too', () => {
    // 79,000 GBP / 0.79 x 0.92 = 92,000 EUR
    expect(row('DEP-GBP-B')).toMatchObject({ legal_entity: 'BANK_B', reporting_currency: 'EUR', currency: 'GBP', amount: money('92000') });
    // 1,000 x 99.5 USD x 0.92 = 91,540 EUR
    expect(row('SEC:BANK_B|B1|UST')).toMatchObject({ reporting_currency: 'EUR', currency: 'USD', amount: money('91540') });
  });

  it('leaves out a deal in a currency without any rate', () => {
    expect(row('DEP-CHF')).toBeUndefined();
    expect(built.leftOut.find((r) => r.source_id === 'DEP-CHF')).toMatchObject({ reason: 'no_fx_rate' });
  });
});

describe('deals not in force or not reportable', () => {
  it('leaves out a deal maturing on the business date or before, and a cancelled deal', () => {
    for (const id of ['MAT-ON-D', 'MAT-BEFORE', 'CANCELLED']) {
      expect(row(id), id).toBeUndefined();
      expect(built.leftOut.find((r) => r.source_id === id), id).toBeUndefined();
    }
  });

  it('lists forward-starting deals, retail repos and deals without a counterparty type as left out, with the reason', () => {
    const deals = Object.fromEntries(built.leftOut.filter((r) => r.source === 'deal').map((r) => [r.source_id, r.reason]));
    expect(deals).toEqual({ FWD: 'not_started', 'REPO-RETAIL': 'retail_secured_out_of_scope', 'DEP-NOCP': 'no_counterparty_type', 'DEP-CHF': 'no_fx_rate' });
    expect(built.result.leftOut).toEqual({ instrument_matured: 1, instrument_unknown: 1, no_counterparty_type: 1, no_fx_rate: 1, not_started: 1, retail_secured_out_of_scope: 1, short_position: 1 });
  });

  it('has unique exposure ids and the section D columns, typed', () => {
    expect(new Set(built.exposures.map((r) => r.exposure_id)).size).toBe(built.exposures.length);
    expect(built.result.rows).toBe(built.exposures.length);
    expect(Object.keys(built.exposures[0])).toEqual([
      'as_of_date', 'legal_entity', 'reporting_currency', 'currency', 'exposure_id', 'product', 'direction', 'counterparty_type', 'amount', 'maturity_date',
      'collateral_class', 'collateral_value', 'is_operational', 'is_insured', 'is_stable', 'is_encumbered',
    ]);
  });
});
