/**
 * Reproducibility: the exposures of a past business date as known at a past time stay what they were, whatever
 * arrives later; a back-dated correction changes them only when known-at is after it arrived.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestLake } from '../../silver/test-fixtures/lake.js';
import { record } from '../../silver/entities/test-events.js';
import { asOfDate, at, bond, deposit, holding, landCorrections } from '../test-fixtures/back-dated-correction.js';
import { exposuresOf, type Exposures } from './exposure-lake.js';

const before = '2026-03-04T00:00:00Z';
const after = '2026-03-06T00:00:00Z';

const facts = (e: Exposures) => e.exposures.map((r) => [r.exposure_id, r.amount, r.collateral_class]);

let lake: TestLake;
let reportedThen: Exposures;
beforeAll(async () => {
  lake = await TestLake.create();
  await lake.land([
    record('ref.instruments', 'CORP1', bond('AA-'), at),
    record('positions', 'BANK_A|B1|CORP1', holding, at),
    record('treasury.deals', 'DEP1', deposit(1, 1_000_000), at),
  ]);
  await lake.build({ businessDate: '2026-03-04' });
  reportedThen = await exposuresOf(lake, { asOfDate, knownAt: before });
  await landCorrections(lake);
  await lake.build({ businessDate: '2026-03-05' });
}, 120_000);
afterAll(async () => {
  await lake.close();
});

describe('exposures as of a date, as known at a time', () => {
  it('gives the exposures reported before the corrections arrived', () => {
    expect(facts(reportedThen)).toEqual([
      ['DEP1', '1000000.0000000000', null],
      ['SEC:BANK_A|B1|CORP1', '98000.0000000000', 'L2A'],
    ]);
  });

  it('reproduces them exactly after the corrections arrived, when known-at is before the corrections', async () => {
    const again = await exposuresOf(lake, { asOfDate, knownAt: before });
    expect(again.exposures).toEqual(reportedThen.exposures);
    expect(again.classification).toEqual(reportedThen.classification);
  });

  it('applies the back-dated corrections to the earlier date when known-at is after them', async () => {
    const now = await exposuresOf(lake, { asOfDate, knownAt: after });
    expect(facts(now)).toEqual([
      ['DEP1', '1200000.0000000000', null],
      ['SEC:BANK_A|B1|CORP1', '98000.0000000000', 'L2B'],
    ]);
    expect(now.classification.find((r) => r.instrument_id === 'CORP1' && r.reporting_currency === 'USD')).toMatchObject({ rating: 'BBB', rule: 'level2b_corporate' });
  });

  it('knows everything by default (known-at = now, from the clock)', async () => {
    const byDefault = await exposuresOf(lake, { asOfDate, clock: () => Date.parse('2026-03-07T00:00:00Z') });
    expect(byDefault.result.knownAt).toBe('2026-03-07T00:00:00.000Z');
    expect(facts(byDefault)).toEqual([
      ['DEP1', '1200000.0000000000', null],
      ['SEC:BANK_A|B1|CORP1', '98000.0000000000', 'L2B'],
    ]);
  });

  it('has nothing for a date before the facts held', async () => {
    const earlier = await exposuresOf(lake, { asOfDate: '2026-03-01', knownAt: after });
    expect(earlier.exposures).toEqual([]);
  });

  it('refuses a malformed date and an entity without a reporting currency, naming them', async () => {
    await expect(exposuresOf(lake, { asOfDate: '2026-3-3' })).rejects.toThrow(/asOfDate/);
    await expect(exposuresOf(lake, { asOfDate, knownAt: after, reportingCurrencies: { BANK_B: 'EUR' } })).rejects.toThrow(/BANK_A/);
  });
});
