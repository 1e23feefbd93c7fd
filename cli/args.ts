/** Command-line parsing on node:util parseArgs; every problem is a UsageError (exit 2) naming the flag. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../lib/errors.js';
import { currencyPattern, legalEntityPattern } from '../gold/exposures/reporting-currencies.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Options every command that touches the lakehouse accepts. */
export const commonOptions = {
  lake: { type: 'string' },
  'business-date': { type: 'string' },
  format: { type: 'string' },
  'log-level': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Options;

export const commonHelp = `Common options:
  --lake <uri>               local directory or s3://bucket/prefix (default ./lake, env LAKE_URI;
                             S3 credentials from AWS_* env, S3_ENDPOINT for S3-compatible servers)
  --business-date YYYY-MM-DD processing date (default today, UTC)
  --format table|csv|json    output format (default table)
  --log-level <level>        fatal|error|warn|info|debug|trace|silent (default info, env LOG_LEVEL); logs go to stderr
  -h, --help                 this help`;

export function parse<T extends Options>(argv: string[], options: T, allowPositionals = false) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message.replace(/\. To specify a positional.*$/s, ''));
  }
}

export function intOption(value: string | undefined, flag: string, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min) throw new UsageError(`${flag}: ${JSON.stringify(value)} must be an integer >= ${min}`);
  return Number(value);
}

export function listOption(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return value.split(',').map((s) => s.trim()).filter(Boolean);
}

/** An ISO-8601 time with a zone (what silver knew at), e.g. 2026-03-03T18:00:00Z. */
export function knownAtOption(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value) || Number.isNaN(Date.parse(value))) {
    throw new UsageError(`--known-at: ${JSON.stringify(value)} is not an ISO-8601 time with a zone, e.g. 2026-03-03T18:00:00Z`);
  }
  return value;
}

/** A rule set name: basel (default) or us. */
export function regimeOption(value: string | undefined): 'basel' | 'us' {
  const name = value ?? 'basel';
  if (name !== 'basel' && name !== 'us') throw new UsageError(`--regime: unknown regime ${JSON.stringify(name)} (regimes: basel, us)`);
  return name;
}

export const reportingCurrenciesHelp = `  --reporting-currencies <E=CCY,...>
                             gold: legal entities' reporting currencies, over the defaults BANK_A=USD,BANK_B=EUR,
                             BANK_C=GBP (env REPORTING_CURRENCIES), e.g. UK_PLC=GBP,US_IHC=USD`;

/**
 * --reporting-currencies ENTITY=CCY,... (else env REPORTING_CURRENCIES): legal entity -> ISO 4217 reporting currency,
 * or undefined when neither is set. Each pair is checked; an entity given twice with two currencies is refused.
 */
export function reportingCurrenciesOption(value: string | undefined, env: NodeJS.ProcessEnv = process.env): Record<string, string> | undefined {
  const origin = value !== undefined ? '--reporting-currencies' : 'REPORTING_CURRENCIES';
  const text = value ?? env.REPORTING_CURRENCIES;
  if (text === undefined || (value === undefined && text.trim() === '')) return undefined;
  const pairs = text.split(',').map((s) => s.trim()).filter(Boolean);
  if (pairs.length === 0) throw new UsageError(`${origin}: ${JSON.stringify(text)} names no ENTITY=CCY pair`);
  const currencies: Record<string, string> = {};
  for (const pair of pairs) {
    const [entity, currency, ...more] = pair.split('=').map((s) => s.trim());
    if (currency === undefined || more.length > 0 || !legalEntityPattern.test(entity) || !currencyPattern.test(currency)) {
      throw new UsageError(`${origin}: ${JSON.stringify(pair)} is not ENTITY=CCY (a legal entity id such as BANK_D: capitals, digits, _; an ISO 4217 code such as CHF)`);
    }
    if (currencies[entity] !== undefined && currencies[entity] !== currency) throw new UsageError(`${origin}: ${entity} is given twice, as ${currencies[entity]} and ${currency}`);
    currencies[entity] = currency;
  }
  return currencies;
}
