/** Test helper: builds the exposures of a TestLake's silver for a date and reads back the three tables. */
import { openCatalog } from '../../sql/catalog.js';
import type { TestLake } from '../../silver/test-fixtures/lake.js';
import { buildExposures, type BuildExposuresOptions, type BuildExposuresResult } from './build-exposures.js';

export type Row = Record<string, unknown>;

export interface Exposures {
  result: BuildExposuresResult;
  exposures: Row[];
  classification: Row[];
  leftOut: Row[];
  /** The answer of one more query over the catalog, run before it closed (e.g. a rule check over `exposures`). */
  extra: Row[];
}

export async function exposuresOf(lake: TestLake, options: Omit<BuildExposuresOptions, 'into'>, extraSql?: string): Promise<Exposures> {
  const catalog = await openCatalog({ store: lake.store });
  try {
    const db = catalog.db.connection;
    const read = async (sql: string) => (await db.runAndReadAll(sql)).getRowObjectsJson() as Row[];
    const result = await buildExposures(db, { ...options, into: 'exposures' });
    return {
      result,
      exposures: await read('SELECT * FROM exposures ORDER BY exposure_id'),
      classification: await read('SELECT * FROM exposures_classification ORDER BY instrument_id, reporting_currency'),
      leftOut: await read('SELECT * FROM exposures_left_out ORDER BY exposure_id'),
      extra: extraSql === undefined ? [] : await read(extraSql),
    };
  } finally {
    catalog.close();
  }
}
