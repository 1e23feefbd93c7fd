/**
 * Test fixture: a small book whose facts since 2026-03-02 06:00 are corrected on 2026-03-05 10:00 (a back-dated
 * correction): a corporate bond held by BANK_A, its rating AA- then BBB, and a corporate deposit, 1.0m then 1.2m.
 */
import { deal, instrument, position, record } from '../../silver/entities/test-events.js';
import type { TestLake } from '../../silver/test-fixtures/lake.js';

export const at = '2026-03-02T06:00:00Z';
export const corrected = '2026-03-05T10:00:00Z';
export const asOfDate = '2026-03-03';

export const bond = (rating: string) => instrument(at, { instrument_id: 'CORP1', isin: null, asset_class: 'CORPORATE_BOND', issuer_type: 'NON_FINANCIAL_CORPORATE', risk_weight: 1, rating, price: 98 });
export const deposit = (version: number, principal: number, over: Record<string, unknown> = {}) =>
  deal(at, { deal_id: 'DEP1', version, action: version === 1 ? 'NEW' : 'AMEND', counterparty_type: 'NON_FINANCIAL_CORPORATE', currency: 'USD', principal, start_date: '2026-03-01', is_insured: false, has_relationship: false, ...over });
export const holding = position(at, 1000, { position_id: 'BANK_A|B1|CORP1', instrument_id: 'CORP1', after: { quantity: 1000, cost: 98000, currency: 'USD', trade_count: 1 } });

/** Lands the corrections of what held since `at`, arriving at `corrected`: the rating was BBB, the balance 1.2m. */
export async function landCorrections(lake: TestLake, depositOf: typeof deposit = deposit): Promise<void> {
  await lake.land([
    record('ref.instruments', 'CORP1', bond('BBB'), corrected),
    record('treasury.deals', 'DEP1', depositOf(2, 1_200_000), corrected),
  ]);
}
