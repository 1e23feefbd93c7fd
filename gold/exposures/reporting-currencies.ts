/**
 * Each legal entity's reporting currency: the currency its LCR is stated in (LCR.md section D). Silver carries no
 * entity master, so gold is told: the defaults are the simulated bank's entities (oms-ems/sim/universe.ts), and
 * `--reporting-currencies ENTITY=CCY,...` (env REPORTING_CURRENCIES) adds or overrides entities (cli/args.ts).
 */
export const defaultReportingCurrencies: Readonly<Record<string, string>> = {
  BANK_A: 'USD',
  BANK_B: 'EUR',
  BANK_C: 'GBP',
};

/** A legal entity id as gold accepts it, and an ISO 4217 code. */
export const legalEntityPattern = /^[A-Z][A-Z0-9_]{1,31}$/;
export const currencyPattern = /^[A-Z]{3}$/;

/** The defaults with `given` over them (an entity in both takes the given currency). */
export function reportingCurrenciesWith(given: Readonly<Record<string, string>> | undefined): Record<string, string> {
  return { ...defaultReportingCurrencies, ...given };
}
