/**
 * The metrics.* schema of the analysts' catalog: metrics.runs (the run log as a table, filled when the catalog opens)
 * and the views over it, one SQL file each in sql/metrics/, created in this order.
 */
import type { ObjectStore } from '../store/object-store.js';
import { sqlFile, type DuckDBConnection } from '../lib/duckdb.js';
import type { Logger } from '../lib/log.js';
import { readRuns } from './read-runs.js';

export const metricsViews = ['runs', 'last_runs'] as const;

export async function createMetricsViews(connection: DuckDBConnection, store: ObjectStore, logger?: Logger): Promise<void> {
  const runs = await readRuns(store, { logger });
  await connection.run('CREATE SCHEMA IF NOT EXISTS metrics');
  await connection.run(sqlFile('metrics/runs'), { runs: JSON.stringify(runs) });
  for (const view of metricsViews.slice(1)) await connection.run(sqlFile(`metrics/${view}`));
}
