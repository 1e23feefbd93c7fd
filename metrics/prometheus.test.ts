/**
 * /metrics over a real lake: two simulated days ingested, built by silver and gold, each run through the run log.
 * The text parses (our strict reader and Prometheus' own Python parser agree), and its figures are the lake's: the
 * LCR gauges are gold.lcr's, the record counts are bronze's and silver's and reconcile with the run log, quarantined
 * per rule is silver.quarantine's, freshness is now minus the newest record time gold could know. A failing run
 * turns its layer's last-run status to 0 and shows in metrics.runs with its error; the next good run turns it back.
 */
import { appendFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestLake } from '../silver/test-fixtures/lake.js';
import { BronzeWriter } from '../bronze/bronze-writer.js';
import { ingestFile } from '../ingest/file-ingest.js';
import { buildSilver } from '../silver/build-silver.js';
import { buildGold } from '../gold/build-gold.js';
import { withRunLog } from './run-log.js';
import { goldRunOutcome, ingestRunOutcome, silverRunOutcome } from './run-outcomes.js';
import { renderMetrics } from './prometheus.js';
import { metricsHandler } from './handler.js';
import { parseExposition, parseWithPrometheusClient, sampleValue, samplesOf, type ParsedExposition } from './test-fixtures/exposition.js';

const days = ['2026-03-02', '2026-03-03'];
const knownAt = '2026-03-04T00:00:00Z';
const now = Date.parse('2026-03-04T06:00:00Z');

let lake: TestLake;
beforeAll(async () => {
  lake = await TestLake.create();
  const { store } = lake;
  const { path } = await lake.simulateFile({ seed: 11, tradesPerDay: 150, days: 2, startDate: days[0] });
  // Lines that cannot be decoded, as replay files have them: bronze dead-letters them.
  await appendFile(path, 'not json\n{"key":"T1","value":{}}\n');
  const writer = await BronzeWriter.open({ store });
  try {
    const before = writer.version;
    await withRunLog(store, { layer: 'ingest', trigger: 'cli', businessDate: days[1] }, () => ingestFile({ path, writer }),
      (s) => ingestRunOutcome(s, { source: 'file', bronzeBefore: before, bronzeAfter: writer.version }));
  } finally {
    writer.close();
  }
  await withRunLog(store, { layer: 'silver', trigger: 'cli', businessDate: days[1] }, () => buildSilver({ store, businessDate: days[1] }), silverRunOutcome(store));
  for (const day of days) {
    await withRunLog(store, { layer: 'gold', trigger: 'cli', businessDate: day }, () => buildGold({ store, businessDate: day, knownAt }), goldRunOutcome);
  }
}, 300_000);
afterAll(async () => {
  await lake?.close();
});

async function scrape(): Promise<ParsedExposition> {
  return parseExposition(await renderMetrics({ store: lake.store, now }));
}

const byKey = <T extends Record<string, unknown>>(rows: T[], key: (r: T) => string, value: (r: T) => number) => Object.fromEntries(rows.map((r) => [key(r), value(r)]));

describe('renderMetrics on a real lake', () => {
  it('writes text that our strict reader and Prometheus\' own parser read alike', async () => {
    const text = await renderMetrics({ store: lake.store, now });
    const ours = parseExposition(text);
    const theirs = await parseWithPrometheusClient(text);
    expect(theirs.map(({ name, labels, value }) => ({ name, labels, value }))).toEqual(ours.samples);
    for (const [name, family] of ours.families) {
      expect(family.help, name).not.toBe('');
      expect(name).toMatch(/^lakehouse_/);
      if (family.type === 'counter') expect(name).toMatch(/_total$/);
    }
    expect(sampleValue(ours, 'lakehouse_metrics_source_up', { source: 'lake' })).toBe(1);
    expect(sampleValue(ours, 'lakehouse_metrics_source_up', { source: 'run_log' })).toBe(1);
  });

  it('gives each entity\'s LCR on the latest date as gold.lcr has it, and whether it is under each limit', async () => {
    const m = await scrape();
    const lcr = await lake.query(`SELECT legal_entity, reporting_currency, lcr, hqla_total, net_cash_outflows, below_minimum, below_internal_limit
      FROM gold.lcr WHERE as_of_date = (SELECT max(as_of_date) FROM gold.lcr) ORDER BY legal_entity`);
    expect(lcr.map((r) => r.legal_entity)).toEqual(['BANK_A', 'BANK_B', 'BANK_C']);
    expect(samplesOf(m, 'lakehouse_lcr_ratio')).toHaveLength(3);
    for (const row of lcr) {
      const entity = { legal_entity: String(row.legal_entity), reporting_currency: String(row.reporting_currency) };
      expect(sampleValue(m, 'lakehouse_lcr_ratio', entity)).toBe(Number(row.lcr));
      expect(sampleValue(m, 'lakehouse_lcr_hqla', entity)).toBe(Number(row.hqla_total));
      expect(sampleValue(m, 'lakehouse_lcr_net_cash_outflows', entity)).toBe(Number(row.net_cash_outflows));
      expect(sampleValue(m, 'lakehouse_lcr_below_limit', { legal_entity: entity.legal_entity, limit: 'minimum' })).toBe(row.below_minimum ? 1 : 0);
      expect(sampleValue(m, 'lakehouse_lcr_below_limit', { legal_entity: entity.legal_entity, limit: 'internal' })).toBe(row.below_internal_limit ? 1 : 0);
      expect(sampleValue(m, 'lakehouse_lcr_limit_ratio', { legal_entity: entity.legal_entity, limit: 'internal' })).toBe(1.1);
    }
    expect(sampleValue(m, 'lakehouse_lcr_as_of_timestamp_seconds')).toBe(Date.parse(`${days[1]}T00:00:00Z`) / 1000);
  });

  it('counts records per layer, topic and outcome as bronze and silver hold them: landed = accepted + quarantined', async () => {
    const m = await scrape();
    const landed = byKey(await lake.query('SELECT topic, count(*) AS n FROM bronze.records GROUP BY ALL'), (r) => String(r.topic), (r) => Number(r.n));
    const dead = byKey(await lake.query("SELECT coalesce(topic, 'unknown') AS topic, count(*) AS n FROM bronze.dead_letter GROUP BY ALL"), (r) => String(r.topic), (r) => Number(r.n));
    const quarantined = byKey(await lake.query('SELECT topic, count(*) AS n FROM silver.quarantine GROUP BY ALL'), (r) => String(r.topic), (r) => Number(r.n));
    const metric = (layer: string, outcome: string) => byKey(samplesOf(m, 'lakehouse_records_total', { layer, outcome }), (s) => s.labels.topic, (s) => s.value);
    expect(metric('bronze', 'landed')).toEqual(landed);
    expect(Object.keys(dead).length).toBeGreaterThan(0);
    expect(metric('bronze', 'dead_lettered')).toEqual(dead);
    const accepted = metric('silver', 'accepted');
    expect(Object.keys(accepted)).toEqual(expect.arrayContaining(Object.keys(landed)));
    for (const topic of Object.keys(accepted)) {
      expect(metric('silver', 'quarantined')[topic] ?? 0, topic).toBe(quarantined[topic] ?? 0);
      expect(accepted[topic] + (quarantined[topic] ?? 0), topic).toBe(landed[topic] ?? 0);
      expect(sampleValue(m, 'lakehouse_silver_backlog_records', { topic })).toBe(0);
    }
  });

  it('counts quarantined records per topic and rule as silver.quarantine has them', async () => {
    const m = await scrape();
    const rows = await lake.query('SELECT topic, rule, count(*) AS n FROM silver.quarantine GROUP BY ALL');
    expect(rows.length).toBeGreaterThan(1);
    expect(byKey(samplesOf(m, 'lakehouse_quarantined_total'), (s) => `${s.labels.topic} ${s.labels.rule}`, (s) => s.value))
      .toEqual(byKey(rows, (r) => `${String(r.topic)} ${String(r.rule)}`, (r) => Number(r.n)));
  });

  it('reconciles the run log with the tables: rows landed and dead-lettered, and silver\'s rows with what it holds', async () => {
    const m = await scrape();
    const rows = (layer: string, direction: string) => sampleValue(m, 'lakehouse_run_rows_total', { layer, direction });
    const total = (layer: string, outcome: string) => samplesOf(m, 'lakehouse_records_total', { layer, outcome }).reduce((a, s) => a + s.value, 0);
    expect(rows('ingest', 'out')).toBe(total('bronze', 'landed'));
    expect(rows('ingest', 'rejected')).toBe(total('bronze', 'dead_lettered'));
    expect(rows('ingest', 'in')).toBe(total('bronze', 'landed') + total('bronze', 'dead_lettered'));
    expect(rows('silver', 'out')).toBe(total('silver', 'accepted'));
    expect(rows('silver', 'rejected')).toBe(total('silver', 'quarantined'));
    const exposures = await lake.query('SELECT count(*) AS n FROM gold.liquidity_exposures');
    expect(rows('gold', 'out')).toBe(Number(exposures[0].n));
    const runs = await lake.query('SELECT layer, status, count(*) AS n FROM metrics.runs GROUP BY ALL');
    for (const r of runs) expect(sampleValue(m, 'lakehouse_runs_total', { layer: String(r.layer), status: String(r.status) })).toBe(Number(r.n));
    expect(runs.reduce((a, r) => a + Number(r.n), 0)).toBe(4);
  });

  it('reports freshness as now minus the newest record time gold could know, and build durations from the run log', async () => {
    const m = await scrape();
    const [newest] = await lake.query(`SELECT epoch_ms(max(t)) AS ms FROM (
      SELECT recorded_from AS t FROM silver.positions_history UNION ALL SELECT recorded_from FROM silver.treasury_deals_history
      UNION ALL SELECT recorded_from FROM silver.instruments_history UNION ALL SELECT recorded_from FROM silver.counterparties_history
      UNION ALL SELECT recorded_at FROM silver.fx_rates) WHERE t <= TIMESTAMPTZ '${knownAt}'`);
    expect(Number(newest.ms)).toBeGreaterThan(Date.parse(`${days[1]}T00:00:00Z`));
    expect(sampleValue(m, 'lakehouse_gold_newest_event_timestamp_seconds')).toBe(Number(newest.ms) / 1000);
    expect(sampleValue(m, 'lakehouse_gold_freshness_seconds')).toBeCloseTo((now - Number(newest.ms)) / 1000, 6);
    const last = await lake.query('SELECT layer, duration_s FROM metrics.last_runs');
    expect(last).toHaveLength(3);
    for (const r of last) {
      expect(sampleValue(m, 'lakehouse_build_duration_seconds', { layer: String(r.layer) })).toBe(r.duration_s);
      expect(sampleValue(m, 'lakehouse_run_duration_seconds_count', { layer: String(r.layer) })).toBe(r.layer === 'gold' ? 2 : 1);
      expect(sampleValue(m, 'lakehouse_last_run_status', { layer: String(r.layer) })).toBe(1);
    }
  });
});

describe('a failing run', () => {
  it('is alerted (last run status 0, one failure) and logged in metrics.runs with its error, until the next good run', async () => {
    const { store } = lake;
    const failing = withRunLog(store, { layer: 'gold', trigger: 'schedule', businessDate: '2026-02-30' }, () => buildGold({ store, businessDate: '2026-02-30', knownAt }), goldRunOutcome);
    await expect(failing).rejects.toThrow(/businessDate/);
    let m = await scrape();
    expect(sampleValue(m, 'lakehouse_last_run_status', { layer: 'gold' })).toBe(0);
    expect(sampleValue(m, 'lakehouse_run_failures_total', { layer: 'gold' })).toBe(1);
    expect(sampleValue(m, 'lakehouse_last_run_status', { layer: 'silver' })).toBe(1);
    expect(sampleValue(m, 'lakehouse_last_success_timestamp_seconds', { layer: 'gold' })).toBeLessThan(sampleValue(m, 'lakehouse_last_run_timestamp_seconds', { layer: 'gold' }));
    const [failed] = await lake.query("SELECT layer, \"trigger\", status, business_date, detail, error FROM metrics.runs WHERE status = 'failed'");
    expect(failed).toMatchObject({ layer: 'gold', trigger: 'schedule', status: 'failed', business_date: null, detail: 'UsageError' });
    expect(String(failed.error)).toMatch(/^run gold: businessDate: /);
    expect(await lake.query("SELECT layer, ok FROM metrics.last_runs WHERE layer = 'gold'")).toEqual([{ layer: 'gold', ok: false }]);

    await withRunLog(store, { layer: 'gold', trigger: 'schedule', businessDate: days[1] }, () => buildGold({ store, businessDate: days[1], knownAt }), goldRunOutcome);
    m = await scrape();
    expect(sampleValue(m, 'lakehouse_last_run_status', { layer: 'gold' })).toBe(1);
    expect(sampleValue(m, 'lakehouse_run_failures_total', { layer: 'gold' })).toBe(1);
    expect(sampleValue(m, 'lakehouse_runs_total', { layer: 'gold', status: 'unchanged' })).toBe(1);
  });
});

describe('GET /metrics', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    const handle = metricsHandler({ store: lake.store, clock: () => now });
    server = createServer((req, res) => {
      if ((req.url ?? '').split('?')[0] === '/metrics') void handle(req, res);
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('serves the metrics as Prometheus text to GET, and refuses other methods', async () => {
    const [a, b] = await Promise.all([fetch(`${base}/metrics`), fetch(`${base}/metrics?x=1`)]);
    expect(a.status).toBe(200);
    expect(a.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await a.text();
    expect(await b.text()).toBe(text);
    expect(sampleValue(parseExposition(text), 'lakehouse_table_version', { layer: 'gold' })).toBeGreaterThan(0);
    expect((await fetch(`${base}/metrics`, { method: 'HEAD' })).headers.get('content-length')).toBe(String(Buffer.byteLength(text)));
    expect((await fetch(`${base}/metrics`, { method: 'POST' })).status).toBe(405);
  });
});
