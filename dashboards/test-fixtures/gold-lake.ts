/** A local lake with three simulated days in silver and gold published for the first two (versions 1 and 2). */
import { buildGold } from '../../gold/build-gold.js';
import { TestLake } from '../../silver/test-fixtures/lake.js';

export const days = ['2026-03-02', '2026-03-03', '2026-03-04'] as const;
export const knownAt = '2026-03-05T00:00:00Z';

export async function goldLake(): Promise<TestLake> {
  const lake = await TestLake.create();
  try {
    await lake.landFile((await lake.simulateFile({ seed: 11, tradesPerDay: 300, days: days.length, startDate: days[0] })).path);
    await lake.build({ businessDate: days[2] });
    for (const day of days.slice(0, 2)) await buildGold({ store: lake.store, businessDate: day, knownAt });
    return lake;
  } catch (err) {
    await lake.close();
    throw err;
  }
}

/** Each entity's row of gold.lcr on its latest date. */
export async function latestLcr(lake: TestLake): Promise<Record<string, unknown>[]> {
  return lake.query('SELECT legal_entity, as_of_date, lcr, internal_limit, below_internal_limit FROM gold.lcr QUALIFY as_of_date = max(as_of_date) OVER (PARTITION BY legal_entity) ORDER BY legal_entity');
}
