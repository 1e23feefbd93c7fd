/**
 * Gold's liquidity exposures (LCR.md section D) for one business date, from silver's history as of the close of that
 * date as known at a given time, so an exposure set once reported can be reproduced later. Set-based SQL in
 * sql/gold/exposures/, one statement per file, run in a connection whose catalog has the silver views (openCatalog).
 * Besides the exposure table it writes two diagnostic tables: each instrument's HQLA class with the rule and paragraph
 * that decided it, and the positions and deals in force that yield no exposure, with the reason.
 */
import { z } from 'zod';
import { quotedIdentifier, sqlFile, type DuckDBConnection } from '../../lib/duckdb.js';
import { TerminalError } from '../../lib/errors.js';
import { silentLogger, type Logger } from '../../lib/log.js';
import { currencyPattern, defaultReportingCurrencies, legalEntityPattern } from './reporting-currencies.js';

export interface BuildExposuresOptions {
  /** The business date D (YYYY-MM-DD): exposures at the close of D (23:59:59.999999 UTC). */
  asOfDate: string;
  /** What silver knew at this time (ISO-8601 with offset); default now, from `clock`. */
  knownAt?: string;
  /** The exposure table to create or replace: `name` or `schema.name`. */
  into: string;
  /** Default `<into>_classification`. */
  classificationInto?: string;
  /** Default `<into>_left_out`. */
  leftOutInto?: string;
  /** Legal entity -> ISO 4217 reporting currency (default defaultReportingCurrencies; given, it replaces them). */
  reportingCurrencies?: Readonly<Record<string, string>>;
  logger?: Logger;
  clock?: () => number;
}

export interface BuildExposuresResult {
  asOfDate: string;
  knownAt: string;
  rows: number;
  /** Positions and deals in force that yield no exposure, by reason. */
  leftOut: Record<string, number>;
  tables: { exposures: string; classification: string; leftOut: string };
}

const optionsSchema = z.object({
  asOfDate: z.iso.date(),
  knownAt: z.iso.datetime({ offset: true }).optional(),
  into: z.string().regex(/^[A-Za-z_]\w*(\.[A-Za-z_]\w*)?$/, 'a table name: name or schema.name'),
  classificationInto: z.string().regex(/^[A-Za-z_]\w*(\.[A-Za-z_]\w*)?$/).optional(),
  leftOutInto: z.string().regex(/^[A-Za-z_]\w*(\.[A-Za-z_]\w*)?$/).optional(),
  reportingCurrencies: z.record(z.string().regex(legalEntityPattern), z.string().regex(currencyPattern)).optional(),
});

/** Staging tables, in build order; each sql/gold/exposures/<name>.sql makes the table of that name. */
const staging = ['exposure_entities', 'exposure_fx_rates', 'hqla_classification', 'deal_exposures', 'security_exposures'] as const;

export async function buildExposures(connection: DuckDBConnection, options: BuildExposuresOptions): Promise<BuildExposuresResult> {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new TerminalError(`buildExposures: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, { asOfDate: options.asOfDate, knownAt: options.knownAt, into: options.into });
  }
  const log = (options.logger ?? silentLogger).child({ module: 'gold.exposures' });
  const { asOfDate, into } = options;
  const knownAt = options.knownAt ?? new Date((options.clock ?? Date.now)()).toISOString();
  const tables = { exposures: into, classification: options.classificationInto ?? `${into}_classification`, leftOut: options.leftOutInto ?? `${into}_left_out` };
  const params: Record<string, string> = {
    as_of_date: asOfDate,
    close_at: `${asOfDate} 23:59:59.999999+00`,
    known_at: knownAt,
    entities: JSON.stringify(options.reportingCurrencies ?? defaultReportingCurrencies),
  };
  const run = async (name: string, fragments: Record<string, string> = {}) => {
    const sql = sqlFile(`gold/exposures/${name}`, fragments);
    return connection.runAndReadAll(sql, usedParams(sql, params));
  };
  try {
    await run('fx_convert');
    await run('exposure_entities');
    const unmapped = (await run('unmapped_entities')).getRowObjectsJson().map((r) => String(r.legal_entity));
    if (unmapped.length > 0) {
      throw new TerminalError(`no reporting currency for legal entit${unmapped.length === 1 ? 'y' : 'ies'} ${unmapped.join(', ')}: `
        + `give ${unmapped.length === 1 ? 'it' : 'each'} one with --reporting-currencies ${unmapped.map((e) => `${e}=CCY`).join(',')} (env REPORTING_CURRENCIES)`, { asOfDate, entities: unmapped });
    }
    for (const name of staging.filter((s) => s !== 'exposure_entities')) await run(name);
    for (const table of Object.values(tables)) {
      const schema = table.includes('.') ? table.slice(0, table.indexOf('.')) : null;
      if (schema !== null) await connection.run(`CREATE SCHEMA IF NOT EXISTS ${quotedIdentifier(schema)}`);
    }
    await run('liquidity_exposures', { into: qualified(tables.exposures) });
    await run('liquidity_exposures_classification', { into: qualified(tables.classification) });
    await run('liquidity_exposures_left_out', { into: qualified(tables.leftOut) });
    const [count] = (await connection.runAndReadAll(`SELECT count(*) AS n FROM ${qualified(tables.exposures)}`)).getRowObjectsJson();
    const reasons = (await connection.runAndReadAll(`SELECT reason, count(*) AS n FROM ${qualified(tables.leftOut)} GROUP BY reason ORDER BY reason`)).getRowObjectsJson();
    const result: BuildExposuresResult = {
      asOfDate, knownAt, rows: Number(count.n), leftOut: Object.fromEntries(reasons.map((r) => [String(r.reason), Number(r.n)])), tables,
    };
    log.info({ asOfDate, knownAt, rows: result.rows, leftOut: result.leftOut }, 'liquidity exposures built');
    return result;
  } finally {
    for (const name of staging) await connection.run(`DROP TABLE IF EXISTS temp.main.${name}`);
  }
}

function qualified(table: string): string {
  return table.split('.').map(quotedIdentifier).join('.');
}

/** The named parameters a statement uses (`$name` outside comments): DuckDB refuses values it has no place for. */
function usedParams(sql: string, params: Record<string, string>): Record<string, string> {
  const code = sql.replace(/--.*$/gm, '');
  const names = new Set([...code.matchAll(/\$([a-z_]+)\b/g)].map((m) => m[1]));
  return Object.fromEntries(Object.entries(params).filter(([name]) => names.has(name)));
}
