import { describe, expect, it } from 'vitest';
import { loadRegime } from '../regime/regime.js';
import { lcrFigures, type EntitySums, type LcrFigures } from './lcr-figures.js';
import { Rational } from './rational.js';

const basel = loadRegime('basel');
const us = loadRegime('us');

function sums(values: Partial<Record<keyof EntitySums, string>>): EntitySums {
  const v = (k: keyof EntitySums, fallback: string) => Rational.of(values[k] ?? fallback);
  return {
    level1: v('level1', '0'), level2a: v('level2a', '0'), level2b: v('level2b', '0'),
    adjusted_level1: v('adjusted_level1', values.level1 ?? '0'), adjusted_level2a: v('adjusted_level2a', values.level2a ?? '0'),
    adjusted_level2b: v('adjusted_level2b', values.level2b ?? '0'),
    outflows_total: v('outflows_total', '100'), inflows_total: v('inflows_total', '0'),
  };
}

/** The figures as the output shows them: money to 2 decimals, the ratio to 6. */
function shown(f: LcrFigures): Record<string, string | null> {
  return Object.fromEntries(Object.entries(f).map(([k, v]) => [k, v === null ? null : (v as Rational).toFixed(k === 'lcr' ? 6 : 2)]));
}

describe('lcrFigures, Basel (Annex 1 with exact 2/3, 15/85, 15/60)', () => {
  it('leaves a stock inside both caps alone', () => {
    expect(shown(lcrFigures(sums({ level1: '100', level2a: '50', level2b: '10' }), basel))).toMatchObject({
      adjustment_15pct_cap: '0.00', adjustment_40pct_cap: '0.00', hqla_total: '160.00', lcr: '1.600000',
    });
  });

  it('caps Level 2 at 40% of the stock: Adj40 = L2A + L2B - Adj15 - 2/3 L1', () => {
    // 100 + 100 - 0 - 66.666... = 33.333...; the stock 166.666... holds 66.666... of Level 2 = 40%.
    const f = lcrFigures(sums({ level1: '100', level2a: '100' }), basel);
    expect(f.adjustment_40pct_cap.toString()).toBe('100/3');
    expect(shown(f)).toMatchObject({ adjustment_15pct_cap: '0.00', adjustment_40pct_cap: '33.33', hqla_total: '166.67', lcr: '1.666667' });
  });

  it('caps Level 2B at 15% through its 15/85 term when Level 2A is small', () => {
    // max(50 - 15/85 x 100, 50 - 15/60 x 100, 0) = max(32.35..., 25, 0) = 550/17; the stock 150 - 550/17 = 2000/17 holds 15% of 2B.
    const f = lcrFigures(sums({ level1: '100', level2b: '50' }), basel);
    expect(f.adjustment_15pct_cap.toString()).toBe('550/17');
    expect(f.adjustment_40pct_cap.isZero()).toBe(true);
    expect(Rational.of('50').minus(f.adjustment_15pct_cap).dividedBy(f.hqla_total).toString()).toBe('3/20');
    expect(shown(f)).toMatchObject({ adjustment_15pct_cap: '32.35', hqla_total: '117.65' });
  });

  it('caps Level 2B through its 15/60 term when the 40% cap binds too', () => {
    // 15/85 term: 30 - 15/85 x 160 = 1.76...; 15/60 term: 30 - 25 = 5 wins. Adj40 = 60 + 30 - 5 - 66.66... = 18.33...
    // The stock 166.66...: Level 1 is 60% of it, Level 2B (25) 15%.
    const f = lcrFigures(sums({ level1: '100', level2a: '60', level2b: '30' }), basel);
    expect(f.adjustment_15pct_cap.toString()).toBe('5');
    expect(f.adjustment_40pct_cap.toString()).toBe('55/3');
    expect(f.hqla_total.toString()).toBe('500/3');
    expect(shown(f)).toMatchObject({ adjustment_15pct_cap: '5.00', adjustment_40pct_cap: '18.33', hqla_total: '166.67' });
  });

  it('applies the caps to the unwound stock, and reports what they would be without the unwind', () => {
    // CONTRACT.md section 5: a repo of 338.25 cash against 300 of Level 2A, unwound: AdjL1 561.75, AdjL2A 425.
    const f = lcrFigures(sums({
      level1: '900', level2a: '170', level2b: '50', adjusted_level1: '561.75', adjusted_level2a: '425', adjusted_level2b: '50',
      outflows_total: '695', inflows_total: '95',
    }), basel);
    expect(shown(f)).toEqual({
      level1: '900.00', level2a: '170.00', level2b: '50.00', adjusted_level1: '561.75', adjusted_level2a: '425.00', adjusted_level2b: '50.00',
      adjustment_15pct_cap: '0.00', adjustment_40pct_cap: '100.50', unadjusted_adjustment_15pct_cap: '0.00', unadjusted_adjustment_40pct_cap: '0.00',
      hqla_total: '1019.50', outflows_total: '695.00', inflows_total: '95.00', inflows_capped: '95.00', net_cash_outflows: '600.00', lcr: '1.699167',
    });
  });

  it('caps inflows at 75% of outflows', () => {
    const f = lcrFigures(sums({ level1: '50', outflows_total: '100', inflows_total: '90' }), basel);
    expect(shown(f)).toMatchObject({ inflows_total: '90.00', inflows_capped: '75.00', net_cash_outflows: '25.00', lcr: '2.000000' });
  });

  it('has no ratio when net cash outflows are zero', () => {
    expect(lcrFigures(sums({ level1: '50', outflows_total: '0', inflows_total: '10' }), basel).lcr).toBeNull();
  });

  it('rounds once, at output, half to even', () => {
    // 1/3 of a cent accumulates nowhere: hqla 200/3 shows 66.67, lcr 2/3 shows 0.666667.
    const f = lcrFigures(sums({ level1: '100', level2a: '100', outflows_total: '250' }), basel);
    expect(shown(f)).toMatchObject({ hqla_total: '166.67', lcr: '0.666667' });
    expect(f.lcr!.toString()).toBe('2/3');
  });
});

describe('lcrFigures, US (12 CFR 249.21: the larger excess, constants 0.6667 and 0.1765)', () => {
  it('takes the unadjusted excess when it is larger than the adjusted one, where Basel takes the adjusted', () => {
    // A reverse repo unwound returns 50 of Level 2A collateral for cash: adjusted L1 150, L2A 50: no cap binds.
    const values = sums({ level1: '100', level2a: '100', adjusted_level1: '150', adjusted_level2a: '50', outflows_total: '100' });
    expect(shown(lcrFigures(values, basel))).toMatchObject({ adjustment_40pct_cap: '0.00', unadjusted_adjustment_40pct_cap: '33.33', hqla_total: '200.00' });
    // US: L2capExcess = 200 - 100 - 0.6667 x 100 = 33.33 exactly.
    expect(shown(lcrFigures(values, us))).toMatchObject({ adjustment_40pct_cap: '33.33', unadjusted_adjustment_40pct_cap: '33.33', hqla_total: '166.67' });
  });

  it('costs cents against the exact fractions through its rounded constants', () => {
    const values = sums({ level1: '300', level2a: '300', outflows_total: '100' });
    expect(lcrFigures(values, basel).adjustment_40pct_cap.toFixed(2)).toBe('100.00');
    expect(lcrFigures(values, us).adjustment_40pct_cap.toFixed(2)).toBe('99.99');
  });

  it('caps Level 2B after the Level 2 excess', () => {
    // L2capExcess = max(0, 0 + 50 - 66.67) = 0; L2BcapExcess = 50 - 0 - 0.1765 x 100 = 32.35.
    expect(shown(lcrFigures(sums({ level1: '100', level2b: '50' }), us))).toMatchObject({ adjustment_15pct_cap: '32.35', adjustment_40pct_cap: '0.00' });
  });
});
