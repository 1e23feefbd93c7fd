/** End to end: two simulated days of every topic, through a record file and the real ingest, into silver. */
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BronzeWriter } from '../../bronze/bronze-writer.js';
import { ingestFile } from '../../ingest/file-ingest.js';
import { RecordFileSink } from '../../oms-ems/sim/event-sink.js';
import { simulate, type SimulationSummary } from '../../oms-ems/sim/simulator.js';
import { topicSpecs } from '../../oms-ems/schemas/topics.js';
import { TestLake } from '../test-fixtures/lake.js';
import { historyEntities } from './entity-topics.js';

let lake: TestLake;
let summary: SimulationSummary;
beforeAll(async () => {
  lake = await TestLake.create();
  const path = join(lake.dir, 'simulated.jsonl');
  const sink = new RecordFileSink(path);
  summary = await simulate({ seed: 11, tradesPerDay: 500, days: 2, startDate: '2026-03-02', sink });
  await sink.close();
  const writer = await BronzeWriter.open({ store: lake.store });
  try {
    await ingestFile({ path, writer });
  } finally {
    writer.close();
  }
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
