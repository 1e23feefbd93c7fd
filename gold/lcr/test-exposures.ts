/** Test support: a typed exposure table (LCR.md section D) from a few rows written as the CSV would have them. */
import { quotedString, type DuckDBConnection } from '../../lib/duckdb.js';
import { productDirections, type ExposureColumn, type Product } from './exposure-schema.js';

export type ExposureRow = Partial<Record<ExposureColumn, string | boolean | null>> & { product: Product };

const types: Record<ExposureColumn, string> = {
  as_of_date: 'DATE', legal_entity: 'VARCHAR', reporting_currency: 'VARCHAR', currency: 'VARCHAR', exposure_id: 'VARCHAR',
  product: 'VARCHAR', direction: 'VARCHAR', counterparty_type: 'VARCHAR', amount: 'DECIMAL(38,10)', maturity_date: 'DATE',
  collateral_class: 'VARCHAR', collateral_value: 'DECIMAL(38,10)', is_operational: 'BOOLEAN', is_insured: 'BOOLEAN',
  is_stable: 'BOOLEAN', is_encumbered: 'BOOLEAN',
};

export const asOfDate = '2025-06-30';

/** Fills as_of_date, legal_entity BANK_A, USD, exposure_id E<n> and the product's direction when a row leaves them out. */
export function withDefaults(rows: ExposureRow[]): Record<ExposureColumn, string | boolean | null>[] {
  return rows.map((row, i) => ({
    as_of_date: asOfDate, legal_entity: 'BANK_A', reporting_currency: 'USD', currency: 'USD', exposure_id: `E${i + 1}`,
    direction: productDirections[row.product], counterparty_type: null, amount: '0', maturity_date: null, collateral_class: null,
    collateral_value: null, is_operational: null, is_insured: null, is_stable: null, is_encumbered: null,
    ...row,
  }));
}

export async function createExposureTable(db: DuckDBConnection, rows: ExposureRow[], name = 'exposures'): Promise<string> {
  const columns = Object.keys(types) as ExposureColumn[];
  await db.run(`CREATE OR REPLACE TEMP TABLE ${name} (${columns.map((c) => `${c} ${types[c]}`).join(', ')})`);
  const full = withDefaults(rows);
  if (full.length > 0) {
    const literal = (v: string | boolean | null, c: ExposureColumn) => (v === null ? 'NULL' : `CAST(${quotedString(String(v))} AS ${types[c]})`);
    await db.run(`INSERT INTO ${name} VALUES ${full.map((row) => `(${columns.map((c) => literal(row[c], c)).join(', ')})`).join(',\n')}`);
  }
  return name;
}

/** The same rows as CSV text with a header row, as `lakehouse lcr --exposures` reads it. */
export function exposureCsv(rows: ExposureRow[]): string {
  const columns = Object.keys(types) as ExposureColumn[];
  const lines = withDefaults(rows).map((row) => columns.map((c) => (row[c] === null ? '' : String(row[c]))).join(','));
  return `${columns.join(',')}\n${lines.join('\n')}\n`;
}
