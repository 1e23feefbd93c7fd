/**
 * Test support: exposures that give CONTRACT.md section 5's figures, checked by hand.
 *   Level 1: CB reserves 800 + cash 100 = 900; Level 2A: 200 x 0.85 = 170; Level 2B: 100 x 0.50 = 50.
 *   A central-bank repo (0% run-off) raised 338.25 cash on 300 of Level 2A, pledged (the encumbered security):
 *   unwound, AdjL1 = 900 - 338.25 = 561.75, AdjL2A = 170 + 300 x 0.85 = 425, AdjL2B = 50.
 *   Adj15 = max(50 - 15/85 x 986.75, 50 - 15/60 x 561.75, 0) = 0; Adj40 = max(475 - 2/3 x 561.75, 0) = 475 - 374.5 = 100.50.
 *   Without the unwind: max(220 - 600, 0) = 0. HQLA = 1120 - 100.50 = 1019.50.
 *   Outflows: 2000 x 5% + 1000 x 10% = 200 retail; 1000 x 25% + 500 x 40% = 450 wholesale; 450 x 10% = 45 facility: 695.
 *   Inflows: 45 x 100% (bank) + 100 x 50% (corporate) = 95; cap 0.75 x 695 = 521.25 does not bind. NCO = 600.
 *   LCR = 1019.50 / 600 = 1.6991666... -> 1.699167.
 */
import type { ExposureRow } from './test-exposures.js';

export const workedExample: ExposureRow[] = [
  { exposure_id: 'CBR1', product: 'CB_RESERVES', amount: '800' },
  { exposure_id: 'CASH1', product: 'CASH', amount: '100' },
  { exposure_id: 'SEC_L2A', product: 'SECURITY', amount: '200', collateral_class: 'L2A' },
  { exposure_id: 'SEC_L2B', product: 'SECURITY', amount: '100', collateral_class: 'L2B' },
  { exposure_id: 'SEC_PLEDGED', product: 'SECURITY', amount: '300', collateral_class: 'L2A', is_encumbered: true },
  { exposure_id: 'REPO1', product: 'SECURED_FUNDING', counterparty_type: 'CENTRAL_BANK', amount: '338.25', maturity_date: '2025-07-07', collateral_class: 'L2A', collateral_value: '300' },
  { exposure_id: 'RD_STABLE', product: 'RETAIL_DEPOSIT', counterparty_type: 'RETAIL', amount: '2000', is_insured: true, is_stable: true },
  { exposure_id: 'RD_LESS', product: 'RETAIL_DEPOSIT', counterparty_type: 'SMALL_BUSINESS', amount: '1000' },
  { exposure_id: 'UWF_OP', product: 'UNSECURED_WHOLESALE_FUNDING', counterparty_type: 'BANK', amount: '1000', is_operational: true },
  { exposure_id: 'UWF_NFC', product: 'UNSECURED_WHOLESALE_FUNDING', counterparty_type: 'NON_FINANCIAL_CORPORATE', amount: '500', maturity_date: '2025-07-30' },
  { exposure_id: 'X', product: 'UNSECURED_WHOLESALE_FUNDING', counterparty_type: 'NON_FINANCIAL_CORPORATE', amount: '700', maturity_date: '2025-07-31' },
  { exposure_id: 'CCF1', product: 'COMMITTED_CREDIT_FACILITY', counterparty_type: 'NON_FINANCIAL_CORPORATE', amount: '450', maturity_date: '2026-06-30' },
  { exposure_id: 'UL_BANK', product: 'UNSECURED_LENDING', counterparty_type: 'BANK', amount: '45', maturity_date: '2025-07-15' },
  { exposure_id: 'UL_NFC', product: 'UNSECURED_LENDING', counterparty_type: 'NON_FINANCIAL_CORPORATE', amount: '100', maturity_date: '2025-07-30' },
  { exposure_id: 'UL_OPEN', product: 'UNSECURED_LENDING', counterparty_type: 'RETAIL', amount: '80' },
  { exposure_id: 'SEC_JUNK', product: 'SECURITY', amount: '60', collateral_class: 'NON_HQLA', maturity_date: '2027-01-01' },
];

const none = {
  CASH: '0.00', CB_RESERVES: '0.00', SECURITY: '0.00', RETAIL_DEPOSIT: '0.00', UNSECURED_WHOLESALE_FUNDING: '0.00', SECURED_FUNDING: '0.00',
  COMMITTED_CREDIT_FACILITY: '0.00', COMMITTED_LIQUIDITY_FACILITY: '0.00', SECURED_LENDING: '0.00', UNSECURED_LENDING: '0.00',
};

export const expectedWorkedExample = {
  as_of_date: '2025-06-30',
  horizon_days: 30,
  entities: {
    BANK_A: {
      reporting_currency: 'USD',
      level1: '900.00', level2a: '170.00', level2b: '50.00',
      adjusted_level1: '561.75', adjusted_level2a: '425.00', adjusted_level2b: '50.00',
      adjustment_15pct_cap: '0.00', adjustment_40pct_cap: '100.50',
      unadjusted_adjustment_15pct_cap: '0.00', unadjusted_adjustment_40pct_cap: '0.00',
      hqla_total: '1019.50', outflows_total: '695.00', inflows_total: '95.00', inflows_capped: '95.00', net_cash_outflows: '600.00',
      lcr: '1.699167',
      outflows_by_product: { ...none, RETAIL_DEPOSIT: '200.00', UNSECURED_WHOLESALE_FUNDING: '450.00', COMMITTED_CREDIT_FACILITY: '45.00' },
      inflows_by_product: { ...none, UNSECURED_LENDING: '95.00' },
      excluded: [
        { exposure_id: 'X', reason: 'beyond_30d' },
        { exposure_id: 'SEC_PLEDGED', reason: 'encumbered' },
        { exposure_id: 'SEC_JUNK', reason: 'non_hqla_asset' },
        { exposure_id: 'UL_OPEN', reason: 'open_inflow' },
      ],
    },
  },
};
