/**
 * Trades built incrementally (silver/trades.ts) against a full rebuild, on records made to hit every path: versions
 * arriving in order and out of order across builds (late records with earlier timestamps, so trades worked on whole),
 * back-dated corrections (open rows closed in valid time), same-version replacements, redeliveries, stale versions,
 * schema failures and matured trades; two buckets, so that a bucket collects more segments than it keeps and merges.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { silverLog } from './manifest.js';
import { baseTrade, landingOrder, TestLake, type TradeRecord } from './test-fixtures/lake.js';

let lake: TestLake;
beforeEach(async () => {
  lake = await TestLake.create();
});
afterEach(async () => {
  await lake.close();
});

/** Trade records in the order they are landed: in timestamp order but for `late` of them, landed anywhere later. */
function records(seed: number, late: number): TradeRecord[] {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
  const out: TradeRecord[] = [];
  const day = (d: number) => `2026-03-${String(2 + d).padStart(2, '0')}`;
  for (let t = 0; t < 40; t++) {
    const id = `T${t}`;
    let version = 1;
    const events: string[] = [];
    const n = 1 + Math.floor(rand() * 6);
    for (let i = 0; i < n; i++) {
      const kind = rand();
      // Mostly the next version (same or a back-dated trade date), sometimes the same one again, a stale one, a broken one.
      if (kind < 0.6) version += 1;
      else if (kind < 0.7) version = Math.max(1, version - 1);
      const value: Record<string, unknown> = {
        ...baseTrade, trade_id: id, version, price: Math.round(rand() * 10000) / 100, trade_date: day(pick([0, 1, 2, 3])),
        // A redelivery now and then: an event id this trade had already.
        event_id: events.length > 0 && rand() < 0.1 ? pick(events) : `e-${id}-${i}`,
      };
      events.push(String(value.event_id));
      if (rand() < 0.05) value.quantity = -5;
      if (rand() < 0.05) value.maturity_date = '2026-03-01';
      const minute = Math.floor(rand() * 600);
      out.push({ value, at: `${day(Math.floor(rand() * 4))}T${String(8 + Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}:00Z` });
    }
  }
  out.push({ value: '{"trade_id": "broken', at: '2026-03-03T09:00:00Z', key: 'X' });
  return landingOrder(out.map((r, i) => ({ r, k: Date.parse(r.at) + i / 1000 })), late, rand);
}

async function trades(): Promise<Record<string, unknown[]>> {
  return {
    history: await lake.query('SELECT * FROM silver.trades_history ORDER BY ALL'),
    current: await lake.query('SELECT * FROM silver.trades_current ORDER BY ALL'),
    quarantine: await lake.query("SELECT * FROM silver.quarantine WHERE topic = 'trades' ORDER BY ALL"),
  };
}

it.each([
  ['in order', 3, 0],
  ['mostly in order, some late', 5, 0.15],
  ['in any order', 7, 1],
])('gives the trades tables of a full rebuild, build after build: records %s', async (_, seed, late) => {
  const all = records(seed, late);
  const batches = 12;
  const builds = await lake.landInBatches(all, batches, { businessDate: '2026-03-05', buckets: 2 });
  expect(builds.map((b) => b.incremental)).toEqual([false, ...Array(batches - 1).fill(true)]);
  for (const b of builds) expect(b.checks.filter((c) => !c.ok)).toEqual([]);
  // Builds work on held records again only for trades with a late record.
  expect(builds.some((b, i) => i > 0 && b.run.counts.trades.records > b.run.newRecords.trades)).toBe(late > 0);
  // Segmented parts merge their segments: no bucket keeps more than maxSegments of them.
  const tables = (await silverLog(lake.store).latest())!.manifest.tables;
  for (const files of [tables.trades_index!, ...(['closed', 'current', 'open', 'deletes'] as const).map((p) => tables.trades_history!.filter((f) => f.part === p))]) {
    for (const b of [0, 1]) expect(files.filter((f) => f.bucket === b).length).toBeLessThanOrEqual(8);
  }
  const incremental = await trades();
  const full = await lake.build({ businessDate: '2026-03-05', buckets: 2, fullRefresh: true });
  expect(full.counts.trades).toEqual(builds.at(-1)!.counts.trades);
  const rebuilt = await trades();
  expect(incremental.history.length).toBeGreaterThan(50);
  expect(incremental.quarantine.length).toBeGreaterThan(5);
  expect(rebuilt).toEqual(incremental);
}, 300_000);
