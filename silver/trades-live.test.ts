/**
 * trades_history's live rows merged on read (silver/trades-live.ts): builds append segments and deletes files instead
 * of writing a bucket's live rows again; small segments merge once a part has too many; a bucket whose deletes pass a
 * quarter of its rows is written again whole. Whatever the files, the views are those of a full rebuild.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { silverLog, type SilverFile } from './manifest.js';
import { baseTrade, TestLake, type TradeRecord } from './test-fixtures/lake.js';
import { maxSegments } from './table-writer.js';

let lake: TestLake;
beforeEach(async () => {
  lake = await TestLake.create();
});
afterEach(async () => {
  await lake.close();
});

const trade = (id: number, version: number, day: number, at: string): TradeRecord => ({
  value: { ...baseTrade, trade_id: `T${id}`, version, trade_date: `2026-03-${String(2 + day).padStart(2, '0')}`, event_id: `e-${id}-${version}`, price: 90 + version },
  at,
});

async function liveFiles(): Promise<Record<'current' | 'open' | 'deletes', SilverFile[]>> {
  const files = (await silverLog(lake.store).latest())!.manifest.tables.trades_history!;
  return { current: files.filter((f) => f.part === 'current'), open: files.filter((f) => f.part === 'open'), deletes: files.filter((f) => f.part === 'deletes') };
}

async function views() {
  return {
    history: await lake.query('SELECT * FROM silver.trades_history ORDER BY ALL'),
    current: await lake.query('SELECT * FROM silver.trades_current ORDER BY ALL'),
  };
}

it('appends segments and deletes, merges small segments, rewrites a bucket whose deletes pass a quarter, and reads as a full rebuild', async () => {
  const options = { businessDate: '2026-03-20', buckets: 1 };
  await lake.land(Array.from({ length: 120 }, (_, i) => trade(i, 1, 0, '2026-03-02T08:00:00Z')));
  await lake.build(options);
  expect(await liveFiles()).toMatchObject({ current: [{ rows: 120, seg: 1 }], open: [], deletes: [] });

  // Builds that each change two trades (the next version, valid from a later day: an open row each), then one new trade.
  const seen: { current: number; open: number; deletes: number; deleted: number }[] = [];
  for (let b = 0; b < 12; b++) {
    const at = `2026-03-03T${String(8 + b).padStart(2, '0')}:00:00Z`;
    await lake.land([trade(2 * b, 2, 1, at), trade(2 * b + 1, 2, 1, at), trade(1000 + b, 1, 1, at)]);
    const build = await lake.build(options);
    expect(build.checks.filter((c) => !c.ok)).toEqual([]);
    const f = await liveFiles();
    seen.push({ current: f.current.length, open: f.open.length, deletes: f.deletes.length, deleted: f.deletes.reduce((n, d) => n + d.rows, 0) });
    for (const part of [f.current, f.open, f.deletes]) expect(part.length).toBeLessThanOrEqual(maxSegments);
  }
  // Build 1: a segment of 3 current rows and 2 open ones beside the first, and a delete per changed trade.
  expect(seen[0]).toEqual({ current: 2, open: 1, deletes: 1, deleted: 2 });
  // Segments and deletes files pile up to maxSegments, then the small ones merge (deleted rows dropped).
  expect(seen.map((s) => s.current)).toEqual([2, 3, 4, 5, 6, 7, 8, 2, 3, 4, 5, 6]);
  expect(seen.map((s) => s.deletes)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4]);
  const incremental = await views();
  expect(incremental.current).toHaveLength(132);
  expect(incremental.history.filter((r) => r.recorded_to === null && r.valid_to !== null)).toHaveLength(24);

  // A build changing more than a quarter of the rows: the bucket is written again whole, without deletes.
  await lake.land(Array.from({ length: 60 }, (_, i) => trade(40 + i, 2, 2, '2026-03-04T08:00:00Z')));
  await lake.build(options);
  expect(await liveFiles()).toMatchObject({ current: [{ rows: 132 }], open: [{ rows: 84 }], deletes: [] });
  const compacted = await views();

  await lake.build({ ...options, fullRefresh: true });
  expect(await liveFiles()).toMatchObject({ current: [{ rows: 132 }], open: [{ rows: 84 }], deletes: [] });
  expect(await views()).toEqual(compacted);
  expect(compacted.current).toHaveLength(132);
}, 120_000);

it('hides a trade changed twice from every older segment, and the trade worked on whole after a late record', async () => {
  const options = { businessDate: '2026-03-20', buckets: 1 };
  await lake.land([trade(1, 1, 0, '2026-03-02T08:00:00Z'), trade(2, 1, 0, '2026-03-02T08:00:00Z'), ...Array.from({ length: 20 }, (_, i) => trade(100 + i, 1, 0, '2026-03-02T08:00:00Z'))]);
  await lake.build(options);
  await lake.land([trade(1, 2, 1, '2026-03-03T08:00:00Z')]);
  await lake.build(options);
  await lake.land([trade(1, 3, 2, '2026-03-04T08:00:00Z')]);
  await lake.build(options);
  // T2's version 2 arrives with a record time before the ones silver holds of it: T2 is worked on whole.
  await lake.land([trade(2, 3, 2, '2026-03-04T09:00:00Z'), trade(2, 2, 1, '2026-03-01T08:00:00Z')]);
  await lake.build(options);
  expect((await liveFiles()).deletes.length).toBe(3);
  const current = await lake.query("SELECT trade_id, version FROM silver.trades_current WHERE trade_id IN ('T1', 'T2') ORDER BY trade_id");
  expect(current).toEqual([{ trade_id: 'T1', version: 3 }, { trade_id: 'T2', version: 3 }]);
  const incremental = await views();
  await lake.build({ ...options, fullRefresh: true });
  expect(await views()).toEqual(incremental);
}, 120_000);
