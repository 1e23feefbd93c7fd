/**
 * The entities with a history (treasury deals, positions) built incrementally against a full rebuild, on records made
 * to hit every path: keys whose new records arrive after those silver holds (their held records not worked on again:
 * the open history rows and the held event ids are all a build reads of them), keys with a late record (worked on
 * whole), stale versions, back-dated event times, cancels (tombstones), redeliveries of an event id held from an
 * earlier build, schema failures; two buckets, so that the append-only parts collect more segments than they keep.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { landingOrder, TestLake, type TradeRecord } from '../test-fixtures/lake.js';
import { deal, position, record } from './test-events.js';
import { silverLog } from '../manifest.js';

let lake: TestLake;
beforeEach(async () => {
  lake = await TestLake.create();
});
afterEach(async () => {
  await lake.close();
});

/** Deal and position records in the order they are landed: in timestamp order but for `late` of them, landed anywhere later. */
function records(seed: number, late: number): TradeRecord[] {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
  const at = (minute: number) => new Date(Date.UTC(2026, 2, 2, 8) + minute * 60_000).toISOString();
  const out: { r: TradeRecord; k: number }[] = [];
  for (let d = 0; d < 25; d++) {
    const id = `D${d}`;
    let version = 1;
    const events: string[] = [];
    for (let i = 0, n = 1 + Math.floor(rand() * 7); i < n; i++) {
      const kind = rand();
      if (kind < 0.6) version += 1;
      else if (kind < 0.7) version = Math.max(1, version - 1);
      const minute = Math.floor(rand() * 2000);
      // Business time mostly when it arrives, sometimes back-dated.
      const value: Record<string, unknown> = deal(at(rand() < 0.2 ? minute - Math.floor(rand() * 600) : minute), {
        deal_id: id, version, action: i === n - 1 && rand() < 0.15 ? 'CANCEL' : i === 0 ? 'NEW' : 'AMEND', principal: Math.round(rand() * 1e8) / 100,
      });
      if (events.length > 0 && rand() < 0.1) value.event_id = pick(events);
      events.push(String(value.event_id));
      if (rand() < 0.05) value.principal = 'lots';
      out.push({ r: record('treasury.deals', id, value, at(minute)), k: minute + out.length / 1e4 });
    }
  }
  for (let p = 0; p < 15; p++) {
    const id = `BANK_A|B1|I${p}`;
    const events: string[] = [];
    for (let i = 0, n = 1 + Math.floor(rand() * 7); i < n; i++) {
      const minute = Math.floor(rand() * 2000);
      const value: Record<string, unknown> = position(at(rand() < 0.15 ? minute - 300 : minute), Math.floor(rand() * 1000), { position_id: id, instrument_id: `I${p}` });
      if (events.length > 0 && rand() < 0.1) value.event_id = pick(events);
      events.push(String(value.event_id));
      out.push({ r: record('positions', id, value, at(minute)), k: minute + out.length / 1e4 });
    }
  }
  return landingOrder(out, late, rand);
}

async function tables(): Promise<Record<string, unknown[]>> {
  return {
    deals: await lake.query('SELECT * FROM silver.treasury_deals_history ORDER BY ALL'),
    dealsCurrent: await lake.query('SELECT * FROM silver.treasury_deals_current ORDER BY ALL'),
    positions: await lake.query('SELECT * FROM silver.positions_history ORDER BY ALL'),
    positionsCurrent: await lake.query('SELECT * FROM silver.positions_current ORDER BY ALL'),
    quarantine: await lake.query("SELECT * FROM silver.quarantine WHERE topic IN ('treasury.deals', 'positions') ORDER BY ALL"),
  };
}

it.each([
  ['in order', 3, 0],
  ['mostly in order, some late', 5, 0.15],
  ['in any order', 7, 1],
])('gives the deals and positions tables of a full rebuild, build after build: records %s', async (_, seed, late) => {
  const all = records(seed, late);
  const batches = 12;
  const builds = await lake.landInBatches(all, batches, { businessDate: '2026-03-05', buckets: 2 });
  expect(builds.map((b) => b.incremental)).toEqual([false, ...Array(batches - 1).fill(true)]);
  for (const b of builds) expect(b.checks.filter((c) => !c.ok)).toEqual([]);
  // Held records are worked on again only for keys with a late record.
  const reworked = builds.some((b, i) => i > 0 && b.run.counts['treasury.deals'].records + b.run.counts.positions.records > b.run.newRecords['treasury.deals'] + b.run.newRecords.positions);
  expect(reworked).toBe(late > 0);
  // Append-only parts merge their segments: no bucket keeps more than maxSegments of them.
  const manifest = (await silverLog(lake.store).latest())!.manifest.tables;
  for (const files of [manifest.treasury_deals_history!.filter((f) => f.part === 'closed'), manifest.treasury_deals_history!.filter((f) => f.part === 'open'), manifest.records!.filter((f) => f.topic === 'treasury.deals')]) {
    for (const b of [0, 1]) expect(files.filter((f) => f.bucket === b).length).toBeLessThanOrEqual(8);
  }
  const incremental = await tables();
  const full = await lake.build({ businessDate: '2026-03-05', buckets: 2, fullRefresh: true });
  for (const topic of ['treasury.deals', 'positions']) expect(full.counts[topic]).toEqual(builds.at(-1)!.counts[topic]);
  const rebuilt = await tables();
  expect(incremental.deals.length).toBeGreaterThan(60);
  expect(incremental.quarantine.length).toBeGreaterThan(3);
  expect(rebuilt).toEqual(incremental);
}, 300_000);
