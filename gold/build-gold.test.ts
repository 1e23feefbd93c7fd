/**
 * The gold build end to end on two simulated days: gold.lcr per date and entity, its breakdowns, the consistency of
 * CONTRACT.md section 4 (gold.liquidity_exposures exported to CSV and run through `lakehouse lcr` gives gold.lcr's
 * figures), and a rerun that finds nothing new publishes nothing.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestLake } from '../silver/test-fixtures/lake.js';
import { formatRows } from '../sql/format-rows.js';
import { openCatalog } from '../sql/catalog.js';
import { runCli } from '../test/cli.js';
import { buildGold, type GoldBuildResult } from './build-gold.js';

const days = ['2026-03-02', '2026-03-03'];
const knownAt = '2026-03-04T00:00:00Z';
const contractColumns = [
  'as_of_date', 'legal_entity', 'reporting_currency', 'level1', 'level2a', 'level2b', 'adjustment_15pct_cap', 'adjustment_40pct_cap',
  'hqla_total', 'outflows_total', 'inflows_total', 'inflows_capped', 'net_cash_outflows', 'lcr',
];

let lake: TestLake;
const built: GoldBuildResult[] = [];
beforeAll(async () => {
  lake = await TestLake.create();
  await lake.landFile((await lake.simulateFile({ seed: 11, tradesPerDay: 300, days: 2, startDate: days[0] })).path);
  await lake.build({ businessDate: days[1] });
  for (const day of days) built.push(await buildGold({ store: lake.store, businessDate: day, knownAt }));
}, 300_000);
afterAll(async () => {
  await lake.close();
});

async function query(sql: string): Promise<Record<string, unknown>[]> {
  return lake.query(sql);
}

describe('lakehouse run gold', () => {
  it('publishes one version per date, with each entity\'s LCR', async () => {
    expect(built.map((b) => [b.published, b.version, b.reason])).toEqual([[true, 1, 'built'], [true, 2, 'built']]);
    const lcr = await query('SELECT * FROM gold.lcr ORDER BY as_of_date, legal_entity');
    expect(Object.keys(lcr[0]).slice(0, contractColumns.length)).toEqual(contractColumns);
    expect(lcr.map((r) => [r.as_of_date, r.legal_entity, r.reporting_currency])).toEqual(days.flatMap((d) => [[d, 'BANK_A', 'USD'], [d, 'BANK_B', 'EUR'], [d, 'BANK_C', 'GBP']]));
    for (const row of lcr) {
      const run = built.find((b) => b.run.asOfDate === row.as_of_date)!.run;
      expect(row.lcr).toBe(run.entities[String(row.legal_entity)].lcr);
      expect(Number(row.lcr)).toBeGreaterThan(0);
      expect(row.gold_version).toBe(run.version);
      expect(row.known_at).toBe('2026-03-04 00:00:00+00');
    }
  });

  it('gives the calculator\'s figures for an export of gold.liquidity_exposures (one code path)', async () => {
    for (const day of days) {
      const catalog = await openCatalog({ store: lake.store });
      let csv: string;
      let lcr: Record<string, unknown>[];
      try {
        const reader = await catalog.db.connection.runAndReadAll(`SELECT * FROM gold.liquidity_exposures WHERE as_of_date = DATE '${day}' ORDER BY exposure_id`);
        const columns = reader.columnNames().map((name, i) => ({ name, type: reader.columnTypes()[i].toString() }));
        csv = formatRows(columns, reader.getRowObjectsJson() as Record<string, unknown>[], 'csv');
        lcr = (await catalog.db.connection.runAndReadAll(`SELECT ${contractColumns.join(', ')} FROM gold.lcr WHERE as_of_date = DATE '${day}' ORDER BY legal_entity`)).getRowObjectsJson() as Record<string, unknown>[];
      } finally {
        catalog.close();
      }
      const file = join(lake.dir, `exposures-${day}.csv`);
      await writeFile(file, csv);
      const r = await runCli(['lcr', '--exposures', file, '--format', 'json']);
      expect(r.code, r.stderr).toBe(0);
      const calculated = JSON.parse(r.stdout) as { as_of_date: string; entities: Record<string, Record<string, unknown>> };
      expect(calculated.as_of_date).toBe(day);
      const fromCalculator = Object.entries(calculated.entities).map(([entity, e]) => ({
        as_of_date: day, legal_entity: entity, ...Object.fromEntries(contractColumns.slice(2).map((c) => [c, e[c]])),
      }));
      expect(lcr).toEqual(fromCalculator);
    }
  });

  it('breaks HQLA down by level: the levels after caps add up to the HQLA stock', async () => {
    const levels = await query(`SELECT h.as_of_date, h.legal_entity, sum(h.after_caps) AS after_caps, any_value(l.hqla_total) AS hqla_total,
        bool_and(h.market_value >= h.after_haircut) AS haircuts_cut
      FROM gold.hqla_by_level h JOIN gold.lcr l USING (as_of_date, legal_entity) GROUP BY ALL ORDER BY ALL`);
    expect(levels).toHaveLength(6);
    for (const l of levels) {
      expect(Math.abs(Number(l.after_caps) - Number(l.hqla_total))).toBeLessThanOrEqual(0.02);
      expect(l.haircuts_cut).toBe(true);
    }
  });

  it('breaks outflows and inflows down by product and counterparty type, summing to the totals', async () => {
    const flows = await query(`SELECT f.as_of_date, f.legal_entity, f.flow, sum(f.weighted_amount) AS weighted,
        any_value(CASE f.flow WHEN 'outflow' THEN l.outflows_total ELSE l.inflows_total END) AS total, count(DISTINCT f.product) AS products
      FROM gold.lcr_flows f JOIN gold.lcr l USING (as_of_date, legal_entity) GROUP BY ALL ORDER BY ALL`);
    expect(flows).toHaveLength(12);
    for (const f of flows) {
      expect(Math.abs(Number(f.weighted) - Number(f.total)), JSON.stringify(f)).toBeLessThanOrEqual(0.01 * 20);
      expect(Number(f.products)).toBeGreaterThanOrEqual(2);
    }
  });

  it('shows the buffer and headroom against 100% and the internal limit', async () => {
    const buffer = await query('SELECT b.*, l.buffer FROM gold.lcr_buffer b JOIN gold.lcr l USING (as_of_date, legal_entity) ORDER BY as_of_date, legal_entity');
    expect(buffer).toHaveLength(6);
    for (const b of buffer) {
      expect(b.internal_limit).toBe('1.1000');
      expect(b.headroom_to_minimum).toBe(b.buffer);
      expect(Number(b.headroom_to_internal_limit)).toBeCloseTo(Number(b.hqla_total) - 1.1 * Number(b.net_cash_outflows), 1);
      expect(b.below_minimum).toBe(Number(b.lcr) < 1);
      expect(b.below_internal_limit).toBe(Number(b.lcr) < 1.1);
    }
  });

  it('explains the day-over-day change by its drivers', async () => {
    const change = await query("SELECT * FROM gold.lcr_change WHERE as_of_date = DATE '2026-03-03' ORDER BY legal_entity");
    expect(change.map((c) => [c.legal_entity, c.previous_date])).toEqual([['BANK_A', days[0]], ['BANK_B', days[0]], ['BANK_C', days[0]]]);
    const drivers = await query("SELECT * FROM gold.lcr_drivers WHERE as_of_date = DATE '2026-03-03' AND rank <= 3 ORDER BY legal_entity, rank");
    expect(drivers).toHaveLength(9);
    // The buffer's change is the sum of every component's effect on it.
    const effects = await query(`SELECT d.legal_entity, sum(d.buffer_effect) AS effect, any_value(l.buffer) - any_value(p.buffer) AS buffer_change
      FROM gold.lcr_drivers d JOIN gold.lcr l USING (as_of_date, legal_entity) JOIN gold.lcr p ON p.legal_entity = d.legal_entity AND p.as_of_date = d.previous_date
      WHERE d.as_of_date = DATE '2026-03-03' GROUP BY ALL ORDER BY ALL`);
    for (const e of effects) expect(Math.abs(Number(e.effect) - Number(e.buffer_change)), JSON.stringify(e)).toBeLessThanOrEqual(0.5);
  });

  it('publishes nothing when a rerun finds the same figures', async () => {
    const again = await buildGold({ store: lake.store, businessDate: days[1], knownAt: '2026-03-04T06:00:00Z' });
    expect([again.published, again.reason, again.version, again.run.version]).toEqual([false, 'unchanged', 2, 2]);
    expect(await query('SELECT gold_version, as_of_date, is_current FROM gold.runs ORDER BY gold_version')).toEqual([
      { gold_version: 1, as_of_date: days[0], is_current: true },
      { gold_version: 2, as_of_date: days[1], is_current: true },
    ]);
  });

  it('runs from the command line: lakehouse run gold, with clear errors', async () => {
    const lakeArgs = ['--lake', join(lake.dir, 'lake')];
    const again = await runCli(['run', 'gold', '--business-date', days[1], '--known-at', '2026-03-05T00:00:00Z', '--format', 'json', ...lakeArgs]);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ layer: 'gold', published: false, reason: 'unchanged', version: 2 });
    const table = await runCli(['run', 'gold', '--business-date', days[1], '--known-at', '2026-03-05T00:00:00Z', ...lakeArgs]);
    expect(table.stdout).toMatch(/^gold unchanged at version 2: the figures are those of run 2, for 2026-03-03 as known at 2026-03-04T00:00:00.000Z \(silver version 1, \d+ exposures, regime basel v1\)/);
    expect(table.stdout).toMatch(/\n {2}BANK_A: LCR \d+\.\d% = HQLA \d+\.\d{2} \/ NCO \d+\.\d{2} USD\n/);
    const empty = await TestLake.create();
    try {
      const cases: [string[], number, string][] = [
        [['run', 'gold', '--business-date', days[1], '--known-at', 'noon', ...lakeArgs], 2, '--known-at: "noon" is not an ISO-8601 time'],
        [['run', 'gold', '--business-date', days[1], '--internal-limit', '110%', ...lakeArgs], 2, '--internal-limit: "110%" is not a ratio'],
        [['run', 'gold', '--business-date', days[1], '--regime', 'eba', ...lakeArgs], 2, '--regime: unknown regime "eba"'],
        [['run', 'gold', '--business-date', days[1], '--lake', join(empty.dir, 'lake')], 1, 'silver has no version yet: run silver first'],
      ];
      for (const [args, code, message] of cases) {
        const r = await runCli(args);
        expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(code);
        expect(r.stderr).toContain(message);
      }
    } finally {
      await empty.close();
    }
  });

  it('refuses to run before silver exists, and a bad date or known-at', async () => {
    const empty = await TestLake.create();
    try {
      await expect(buildGold({ store: empty.store, businessDate: days[0] })).rejects.toThrow('silver has no version yet: run silver first');
    } finally {
      await empty.close();
    }
    await expect(buildGold({ store: lake.store, businessDate: '2026-02-30' })).rejects.toThrow('businessDate');
    await expect(buildGold({ store: lake.store, businessDate: days[0], knownAt: 'yesterday' })).rejects.toThrow('knownAt');
  });
});
