/**
 * The last step of the LCR, exact and pure: from one entity's sums (post-haircut stock, the stock after unwinding,
 * weighted outflows and inflows) to the cap adjustments, the HQLA stock, the capped inflows, the net cash outflows and
 * the ratio (LCR.md sections A and B). Nothing is rounded here.
 */
import type { Regime } from '../regime/regime.js';
import { Rational } from './rational.js';

export interface EntitySums {
  level1: Rational;
  level2a: Rational;
  level2b: Rational;
  adjusted_level1: Rational;
  adjusted_level2a: Rational;
  adjusted_level2b: Rational;
  outflows_total: Rational;
  inflows_total: Rational;
}

export interface CapAdjustments {
  adjustment_15pct_cap: Rational;
  adjustment_40pct_cap: Rational;
}

export interface LcrFigures extends EntitySums, CapAdjustments {
  unadjusted_adjustment_15pct_cap: Rational;
  unadjusted_adjustment_40pct_cap: Rational;
  hqla_total: Rational;
  inflows_capped: Rational;
  net_cash_outflows: Rational;
  /** Null when the net cash outflows are zero. */
  lcr: Rational | null;
}

type Caps = Regime['caps'];
const zero = Rational.zero;

/** Basel Annex 1: Adj15 = max(L2B − 15/85 (L1 + L2A), L2B − 15/60 L1, 0); Adj40 = max(L2A + L2B − Adj15 − 2/3 L1, 0). */
export function baselCapAdjustments(l1: Rational, l2a: Rational, l2b: Rational, caps: Caps): CapAdjustments {
  const f15of85 = Rational.of(caps.level2b_over_level1_and_level2a);
  const f15of60 = Rational.of(caps.level2b_over_level1 ?? '0');
  const f40of60 = Rational.of(caps.level2_over_level1);
  const adj15 = Rational.max(l2b.minus(f15of85.times(l1.plus(l2a))), l2b.minus(f15of60.times(l1)), zero);
  const adj40 = Rational.max(l2a.plus(l2b).minus(adj15).minus(f40of60.times(l1)), zero);
  return { adjustment_15pct_cap: adj15, adjustment_40pct_cap: adj40 };
}

/** 12 CFR 249.21: L2capExcess = max(0, L2A + L2B − c40 L1); L2BcapExcess = max(0, L2B − L2capExcess − c15 (L1 + L2A)). */
export function usCapExcess(l1: Rational, l2a: Rational, l2b: Rational, caps: Caps): CapAdjustments {
  const c40 = Rational.of(caps.level2_over_level1);
  const c15 = Rational.of(caps.level2b_over_level1_and_level2a);
  const l2Excess = Rational.max(zero, l2a.plus(l2b).minus(c40.times(l1)));
  const l2bExcess = Rational.max(zero, l2b.minus(l2Excess).minus(c15.times(l1.plus(l2a))));
  return { adjustment_15pct_cap: l2bExcess, adjustment_40pct_cap: l2Excess };
}

const total = (c: CapAdjustments) => c.adjustment_15pct_cap.plus(c.adjustment_40pct_cap);

export function lcrFigures(sums: EntitySums, regime: Pick<Regime, 'caps' | 'inflow_cap'>): LcrFigures {
  const { caps } = regime;
  const formula = caps.method === 'adjusted' ? baselCapAdjustments : usCapExcess;
  const unadjusted = formula(sums.level1, sums.level2a, sums.level2b, caps);
  const adjusted = formula(sums.adjusted_level1, sums.adjusted_level2a, sums.adjusted_level2b, caps);
  // Basel caps the stock as it would be after the unwind; the US takes whichever excess is larger.
  const applied = caps.method === 'us_max_excess' && total(unadjusted).compare(total(adjusted)) > 0 ? unadjusted : adjusted;
  const hqla = sums.level1.plus(sums.level2a).plus(sums.level2b).minus(total(applied));
  const inflowsCapped = Rational.min(sums.inflows_total, Rational.of(regime.inflow_cap.share_of_outflows).times(sums.outflows_total));
  const nco = sums.outflows_total.minus(inflowsCapped);
  return {
    ...sums,
    ...applied,
    unadjusted_adjustment_15pct_cap: unadjusted.adjustment_15pct_cap,
    unadjusted_adjustment_40pct_cap: unadjusted.adjustment_40pct_cap,
    hqla_total: hqla,
    inflows_capped: inflowsCapped,
    net_cash_outflows: nco,
    lcr: nco.isZero() ? null : hqla.dividedBy(nco),
  };
}
