/**
 * Incremental silver builds: two simulated days landed in four parts, a build after each part, must give exactly the
 * tables that one build from all of bronze (--full-refresh) gives, while each incremental build works only on the new
 * records and the records it already held of the keys they touch.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { silverViewTables } from './manifest.js';
import { TestLake } from './test-fixtures/lake.js';
import type { SilverBuildResult } from './build-silver.js';

let lake: TestLake;
let parts: string[];

beforeAll(async () => {
  lake = await TestLake.create();
  const { path } = await lake.simulateFile({ seed: 7, tradesPerDay: 300, days: 2, startDate: '2026-03-02' });
  const lines = (await readFile(path, 'utf8')).split('\n').filter((l) => l !== '');
  // Uneven parts, cut anywhere: a key's versions straddle builds.
  const cuts = [0, Math.floor(lines.length * 0.3), Math.floor(lines.length * 0.55), Math.floor(lines.length * 0.8), lines.length];
  parts = [];
  for (let i = 0; i < 4; i++) {
    const part = join(lake.dir, `part-${i}.jsonl`);
    await writeFile(part, `${lines.slice(cuts[i], cuts[i + 1]).join('\n')}\n`);
    parts.push(part);
  }
}, 120_000);
afterAll(async () => {
  await lake.close();
});

async function snapshot(): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const table of silverViewTables) out[table] = await lake.query(`SELECT * FROM silver.${table} ORDER BY ALL`);
  return out;
}

it('gives the tables of a full rebuild, working only on what is new and the keys it touches', async () => {
  const builds: SilverBuildResult[] = [];
  for (const [i, part] of parts.entries()) {
    await lake.landFile(part);
    builds.push(await lake.build({ businessDate: i < 2 ? '2026-03-02' : '2026-03-03' }));
  }
  expect(builds.map((b) => [b.published, b.incremental])).toEqual([[true, false], [true, true], [true, true], [true, true]]);
  for (const b of builds) expect(b.checks.filter((c) => !c.ok)).toEqual([]);
  const last = builds[3];
  // The last build worked on its new records plus some already held, far fewer than all of them; per topic, what it
  // worked on reconciles.
  const worked = Object.values(last.run.counts).reduce((n, c) => n + c.records, 0);
  const fresh = Object.values(last.run.newRecords).reduce((n, c) => n + c, 0);
  const held = Object.values(last.counts).reduce((n, c) => n + c.records, 0);
  expect(fresh).toBeGreaterThan(0);
  expect(worked).toBeGreaterThanOrEqual(fresh);
  expect(worked).toBeLessThan(held);
  for (const [topic, c] of Object.entries(last.run.counts)) expect(c.records, topic).toBe(c.accepted + c.quarantined);
  const incremental = await snapshot();

  const again = await lake.build({ businessDate: '2026-03-03' });
  expect(again).toMatchObject({ published: false, reason: 'nothing new' });

  const full = await lake.build({ businessDate: '2026-03-03', fullRefresh: true });
  expect(full).toMatchObject({ published: true, incremental: false });
  const held3 = (counts: SilverBuildResult['counts']) => Object.fromEntries(Object.entries(counts).map(([t, c]) => [t, [c.records, c.accepted, c.quarantined]]));
  expect(held3(full.counts)).toEqual(held3(last.counts));
  const rebuilt = await snapshot();
  for (const table of silverViewTables) {
    expect(incremental[table].length, table).toBeGreaterThan(0);
    expect(rebuilt[table], table).toEqual(incremental[table]);
  }
}, 300_000);
