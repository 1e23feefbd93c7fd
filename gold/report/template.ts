/**
 * The Basel LCR common disclosure template (LCR1, BCBS "Revised Pillar 3 disclosure requirements", 2015) filled from
 * one entity's exact figures: rows 1-23, unweighted and weighted values, rounded once here (half to even). Rows the
 * lakehouse has no exposures for (unsecured debt, derivative outflows, other contingent funding) are reported as zero;
 * cells the template shades (row 1, 9, 16 and 21-23 unweighted) stay empty. Row 1 is the stock after haircuts,
 * before the caps; row 21 after them.
 */
import type { LcrFigures } from '../lcr/lcr-figures.js';
import { moneyDigits, ratioDigits } from '../lcr/lcr-report.js';
import { Rational } from '../lcr/rational.js';

export interface TemplateRow {
  row: number;
  item: string;
  /** Indent level in the layout (0 = heading row, 1 = "of which"). */
  depth: number;
  unweighted: string | null;
  weighted: string | null;
}

export interface FlowSums {
  unweighted: Rational;
  weighted: Rational;
}

const rowItems: [row: number, item: string, depth: number][] = [
  [1, 'Total high-quality liquid assets (HQLA)', 0],
  [2, 'Retail deposits and deposits from small business customers, of which:', 0],
  [3, 'Stable deposits', 1],
  [4, 'Less stable deposits', 1],
  [5, 'Unsecured wholesale funding, of which:', 0],
  [6, 'Operational deposits (all counterparties) and deposits in networks of cooperative banks', 1],
  [7, 'Non-operational deposits (all counterparties)', 1],
  [8, 'Unsecured debt', 1],
  [9, 'Secured wholesale funding', 0],
  [10, 'Additional requirements, of which:', 0],
  [11, 'Outflows related to derivative exposures and other collateral requirements', 1],
  [12, 'Outflows related to loss of funding on debt products', 1],
  [13, 'Credit and liquidity facilities', 1],
  [14, 'Other contractual funding obligations', 0],
  [15, 'Other contingent funding obligations', 0],
  [16, 'TOTAL CASH OUTFLOWS', 0],
  [17, 'Secured lending (e.g. reverse repos)', 0],
  [18, 'Inflows from fully performing exposures', 0],
  [19, 'Other cash inflows', 0],
  [20, 'TOTAL CASH INFLOWS', 0],
  [21, 'TOTAL HQLA', 0],
  [22, 'TOTAL NET CASH OUTFLOWS', 0],
  [23, 'LIQUIDITY COVERAGE RATIO (%)', 0],
];

/** The section each row belongs to, for the layout. */
export const templateSections: [firstRow: number, title: string][] = [
  [1, 'High-quality liquid assets'], [2, 'Cash outflows'], [17, 'Cash inflows'], [21, 'Total adjusted value'],
];

export function templateRows(figures: LcrFigures, flows: Map<number, FlowSums>): TemplateRow[] {
  const zero: FlowSums = { unweighted: Rational.zero, weighted: Rational.zero };
  const flow = (...rows: number[]): FlowSums => rows.reduce((acc, r) => {
    const f = flows.get(r) ?? zero;
    return { unweighted: acc.unweighted.plus(f.unweighted), weighted: acc.weighted.plus(f.weighted) };
  }, zero);
  const known = new Set([3, 4, 6, 7, 9, 13, 17, 18, 19]);
  for (const row of flows.keys()) if (!known.has(row)) throw new RangeError(`no LCR1 row ${row} for flows`);
  const money = (r: Rational) => r.toFixed(moneyDigits);
  const both = (f: FlowSums): [string, string] => [money(f.unweighted), money(f.weighted)];
  const values = new Map<number, [string | null, string | null]>([
    [1, [null, money(figures.level1.plus(figures.level2a).plus(figures.level2b))]],
    [2, both(flow(3, 4))], [3, both(flow(3))], [4, both(flow(4))],
    [5, both(flow(6, 7))], [6, both(flow(6))], [7, both(flow(7))], [8, both(zero)],
    [9, [null, money(flow(9).weighted)]],
    [10, both(flow(13))], [11, both(zero)], [12, both(zero)], [13, both(flow(13))],
    [14, both(zero)], [15, both(zero)],
    [16, [null, money(figures.outflows_total)]],
    [17, both(flow(17))], [18, both(flow(18))], [19, both(flow(19))],
    [20, [money(flow(17, 18, 19).unweighted), money(figures.inflows_total)]],
    [21, [null, money(figures.hqla_total)]],
    [22, [null, money(figures.net_cash_outflows)]],
    [23, [null, figures.lcr === null ? null : figures.lcr.times(Rational.of('100')).toFixed(ratioDigits - 2)]],
  ]);
  return rowItems.map(([row, item, depth]) => {
    const [unweighted, weighted] = values.get(row)!;
    return { row, item, depth, unweighted, weighted };
  });
}
