/** End to end: two simulated days of every topic, through a record file and the real ingest, into silver. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { topicSpecs } from '../../oms-ems/schemas/topics.js';
import { TestLake } from '../test-fixtures/lake.js';
import type { SimulationSummary } from '../../oms-ems/sim/simulator.js';
import { historyEntities } from './entity-topics.js';

let lake: TestLake;
let summary: SimulationSummary;
beforeAll(async () => {
  lake = await TestLake.create();
  const simulated = await lake.simulateFile({ seed: 11, tradesPerDay: 500, days: 2, startDate: '2026-03-02' });
  summary = simulated.summary;
  await lake.landFile(simulated.path);
});
afterAll(async () => {
  await lake.close();
});

it('validates every topic of two simulated days: records = accepted + quarantined, checks pass, current keys unique', async () => {
  const build = await lake.build({ businessDate: '2026-03-03' });
  expect(build.published).toBe(true);
  expect(build.checks.filter((c) => !c.ok)).toEqual([]);
  const landed = Object.fromEntries((await lake.query('SELECT topic, count(*) AS n FROM bronze.records GROUP BY topic')).map((r) => [r.topic, Number(r.n)]));
  for (const { topic } of topicSpecs) {
    const n = build.counts[topic];
    expect(n, topic).toBeDefined();
    expect(n.records, topic).toBe(landed[topic] ?? 0);
    expect(n.records, topic).toBe(n.accepted + n.quarantined);
    expect(n.records, topic).toBe(summary.events[topic] ?? 0);
  }
  // The simulator damages ~1% of records on the wire; each damaged one is quarantined or (out of order) accepted.
  const quarantined = Object.values(build.counts).reduce((a, c) => a + c.quarantined, 0);
  expect(quarantined).toBeGreaterThanOrEqual(summary.bad.malformed + summary.bad.duplicate);
  const [q] = await lake.query('SELECT count(*) AS n, count(DISTINCT topic) AS topics FROM silver.quarantine');
  expect(Number(q.n)).toBe(quarantined);
  for (const e of historyEntities) {
    const [c] = await lake.query(`SELECT count(*) AS n, count(DISTINCT ${e.key}) AS keys FROM silver.${e.entity}_current`);
    expect(Number(c.n), e.entity).toBeGreaterThan(0);
    expect(c.keys, e.entity).toBe(c.n);
  }
  const [facts] = await lake.query('SELECT (SELECT count(*) FROM silver.orders) AS orders, (SELECT count(*) FROM silver.executions) AS executions, (SELECT count(*) FROM silver.fx_rates) AS fx');
  expect(Number(facts.orders)).toBe(build.counts.orders.accepted);
  expect(Number(facts.executions)).toBe(build.counts.executions.accepted);
  expect(Number(facts.fx)).toBeGreaterThan(0);
});
