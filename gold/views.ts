/**
 * The gold.* views of the analysts' catalog over one gold version: the current run's files of each date, and every
 * run's files for the *_versions views. One SQL file per view in sql/gold/views/, created in this order.
 */
import { quotedList, quotedString, sqlFile } from '../lib/duckdb.js';
import { mapLimited } from '../lib/concurrency.js';
import { goldRunTables, type GoldManifest } from './manifest.js';

export const goldViews = [
  'money', 'liquidity_exposures', 'liquidity_exposures_versions', 'lcr', 'lcr_versions', 'lcr_as_known', 'lcr_sums',
  'lcr_flows', 'hqla_by_level', 'lcr_buffer', 'lcr_change', 'lcr_drivers', 'runs',
] as const;

/** The statements that create schema gold and its views; `local` maps a gold file path to a path DuckDB can read. */
export async function goldViewsSql(manifest: GoldManifest, local: (path: string) => Promise<string>): Promise<string[]> {
  const currentVersions = new Set(Object.values(manifest.current));
  const fragments: Record<string, string> = {
    current_versions: [...currentVersions].join(', ') || 'NULL',
    runs: manifest.runs.map((r) => `(${[
      r.version, `DATE ${quotedString(r.asOfDate)}`, `TIMESTAMPTZ ${quotedString(r.knownAt)}`, r.knownAtGiven,
      `TIMESTAMPTZ ${quotedString(r.computedAt)}`, r.seconds, r.silverVersion, quotedString(r.regime.id),
      quotedString(r.regime.version), `CAST(${quotedString(r.internalLimit)} AS DECIMAL(9,4))`, r.exposures, r.restates ?? 'NULL',
      currentVersions.has(r.version),
    ].join(', ')})`).join(', '),
  };
  for (const table of goldRunTables) {
    const all = await mapLimited(manifest.runs, 8, (r) => local(r.files[table].path));
    const current = manifest.runs.flatMap((r, i) => (currentVersions.has(r.version) ? [all[i]] : []));
    fragments[`all_${table}`] = quotedList(all);
    fragments[`current_${table}`] = quotedList(current);
  }
  return ['CREATE SCHEMA IF NOT EXISTS gold', ...goldViews.map((view) => sqlFile(`gold/views/${view}`, fragments))];
}
