/**
 * Each legal entity's reporting currency: the currency its LCR is stated in (LCR.md section D). Silver carries no
 * entity master, so gold is told; these are the simulated bank's entities (oms-ems/sim/universe.ts).
 */
export const defaultReportingCurrencies: Readonly<Record<string, string>> = {
  BANK_A: 'USD',
  BANK_B: 'EUR',
  BANK_C: 'GBP',
};
