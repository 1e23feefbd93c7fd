/**
 * The audit of one entity's two-timeline history (sql/silver/entity_history.sql) and current table: one current row
 * per key, current-knowledge validity intervals that neither overlap nor leave a gap, and one open row per key.
 */
import type { DuckDBConnection } from '../../lib/duckdb.js';
import type { SilverManifest } from '../manifest.js';
import { rows } from './rows.js';

export interface HistoryCheckTarget {
  entity: string;
  key: string;
  noun: string;
}

/** `tables`: the relations to check when they are not `<entity>_history` and `<entity>_current` (the names in messages stay those). */
export async function historyChecks(db: DuckDBConnection, { entity, key, noun }: HistoryCheckTarget, tables?: { history: string; current: string }): Promise<SilverManifest['checks']> {
  const history = `${entity}_history`;
  const current = `${entity}_current`;
  const historyRel = tables?.history ?? history;
  const currentRel = tables?.current ?? current;
  const [dup] = await rows(db, `SELECT count(*) - count(DISTINCT ${key}) AS n FROM ${currentRel}`);
  const [overlap] = await rows(db, `SELECT count(*) AS n FROM (
      SELECT ${key}, valid_from, lead(valid_from) OVER (PARTITION BY ${key} ORDER BY valid_from) AS next_from, valid_to
      FROM ${historyRel} WHERE recorded_to IS NULL)
    WHERE next_from IS NOT NULL AND (valid_to IS NULL OR valid_to <> next_from)`);
  const [open] = await rows(db, `SELECT count(*) AS n FROM (SELECT ${key} FROM ${historyRel} WHERE recorded_to IS NULL AND valid_to IS NULL GROUP BY ${key} HAVING count(*) <> 1)`);
  return [
    { name: `${current}.unique_${key}`, ok: Number(dup.n) === 0, detail: `${dup.n} duplicate ${key}(s)` },
    { name: `${history}.no_overlap_or_gap`, ok: Number(overlap.n) === 0, detail: `${overlap.n} current-knowledge interval(s) that overlap or leave a gap` },
    { name: `${history}.one_open_row`, ok: Number(open.n) === 0, detail: `${open.n} ${noun}(s) without exactly one open row` },
  ];
}
