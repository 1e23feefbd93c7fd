/**
 * The pipeline's metrics in Prometheus text format (GET /metrics, handler.ts): ingest lag per partition, records in
 * and out per layer and topic, quarantined per rule, build durations, run outcomes (the alert: a layer whose last run
 * failed), freshness of gold, and the LCR per entity. Everything comes from manifests, the run log and a few small
 * per-version reads (lake-facts.ts); a source that cannot be read is reported as down, the others still render.
 */
import type { ObjectStore } from '../store/object-store.js';
import { silentLogger, type Logger } from '../lib/log.js';
import { safeErrorMessage } from './run-log.js';
import type { IngestLagProvider, PartitionLag } from './ingest-lag.js';
import { lakeFacts, type LakeFacts } from './lake-facts.js';
import { runStats, type RunStats } from './run-stats.js';
import { runLayers } from './run-record.js';
import { renderFamilies, type MetricFamily, type Sample } from './prometheus-text.js';

export interface RenderMetricsOptions {
  store: ObjectStore;
  /** Epoch ms; default now. */
  now?: number;
  /** Ingest lag per partition (ingest-lag.ts); without it, no lag metrics. */
  lag?: IngestLagProvider;
  /** A lag that takes longer (a broker down, the client retrying) is reported as a source down; default 5000. */
  lagTimeoutMs?: number;
  logger?: Logger;
}

type Source = 'lake' | 'run_log' | 'ingest_lag';

export async function renderMetrics(options: RenderMetricsOptions): Promise<string> {
  const { store } = options;
  const now = options.now ?? Date.now();
  const log = (options.logger ?? silentLogger).child({ module: 'metrics' });
  const up: Record<Source, boolean> = { lake: true, run_log: true, ingest_lag: true };
  const attempt = async <T>(source: Source, read: () => Promise<T>): Promise<T | null> => {
    try {
      return await read();
    } catch (err) {
      up[source] = false;
      log.warn({ source, err: safeErrorMessage(err) }, 'metrics: a source could not be read; its metrics are left out');
      return null;
    }
  };
  const [lake, runs, lag] = await Promise.all([
    attempt('lake', () => lakeFacts(store)),
    attempt('run_log', () => runStats(store, log)),
    options.lag === undefined ? Promise.resolve(null) : attempt('ingest_lag', () => withTimeout(options.lag!.lag(), options.lagTimeoutMs ?? 5_000, 'ingest lag')),
  ]);
  const families: MetricFamily[] = [
    ...lagFamilies(lag),
    ...(lake === null ? [] : lakeFamilies(lake, now)),
    ...(runs === null ? [] : runFamilies(runs)),
    {
      name: 'lakehouse_metrics_source_up', type: 'gauge',
      help: 'Whether the source of a group of metrics could be read at this scrape (1) or not (0: its metrics are missing).',
      samples: (Object.keys(up) as Source[]).filter((s) => s !== 'ingest_lag' || options.lag !== undefined).map((source) => ({ labels: { source }, value: up[source] ? 1 : 0 })),
    },
  ];
  return renderFamilies(families);
}

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  work.catch(() => undefined); // settled after the timeout: nobody waits for it any more
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

function lagFamilies(lag: PartitionLag[] | null): MetricFamily[] {
  if (lag === null) return [];
  const samples = (value: (p: PartitionLag) => number | string) => lag.map((p) => ({ labels: { topic: p.topic, partition: p.partition }, value: value(p) }));
  return [
    { name: 'lakehouse_ingest_lag_records', type: 'gauge', help: 'Records on the bus the ingest consumer group has not committed yet, per topic partition.', samples: samples((p) => p.lag) },
    { name: 'lakehouse_ingest_end_offset', type: 'gauge', help: 'The next offset to be written, per topic partition.', samples: samples((p) => p.endOffset) },
  ];
}

const seconds = (iso: string) => Date.parse(iso) / 1000;

function lakeFamilies(lake: LakeFacts, now: number): MetricFamily[] {
  const records: Sample[] = [];
  for (const [topic, n] of lake.bronze.landed) records.push({ labels: { layer: 'bronze', topic, outcome: 'landed' }, value: n });
  for (const [topic, n] of lake.bronze.deadLettered) records.push({ labels: { layer: 'bronze', topic, outcome: 'dead_lettered' }, value: n });
  for (const [topic, c] of Object.entries(lake.silver?.counts ?? {})) {
    records.push({ labels: { layer: 'silver', topic, outcome: 'accepted' }, value: c.accepted }, { labels: { layer: 'silver', topic, outcome: 'quarantined' }, value: c.quarantined });
  }
  const gold = lake.gold;
  const lcr = gold?.lcr ?? [];
  const entity = (g: (typeof lcr)[number]) => ({ legal_entity: g.legal_entity, reporting_currency: g.reporting_currency });
  return [
    {
      name: 'lakehouse_records_total', type: 'counter',
      help: 'Records per layer, topic and outcome over everything the layer holds: bronze landed or dead-lettered, silver accepted or quarantined (landed = accepted + quarantined per topic once silver has caught up).',
      samples: records,
    },
    {
      name: 'lakehouse_quarantined_total', type: 'counter', help: 'Records silver quarantined, per topic and the first rule they broke.',
      samples: (lake.silver?.quarantinedByRule ?? []).map((q) => ({ labels: { topic: q.topic, rule: q.rule }, value: q.records })),
    },
    {
      name: 'lakehouse_silver_backlog_records', type: 'gauge', help: 'Records landed in bronze that silver has not taken yet, per topic silver reads.',
      samples: [...(lake.silver?.backlog ?? [])].map(([topic, n]) => ({ labels: { topic }, value: n })),
    },
    {
      name: 'lakehouse_table_version', type: 'gauge', help: 'The newest committed version of each layer\'s tables.',
      samples: Object.entries(lake.versions).flatMap(([layer, v]) => (v === null ? [] : [{ labels: { layer }, value: v }])),
    },
    {
      name: 'lakehouse_table_committed_timestamp_seconds', type: 'gauge', help: 'When each layer last committed a version (Unix time).',
      samples: [
        ...(lake.bronze.committedAt === null ? [] : [{ labels: { layer: 'bronze' }, value: seconds(lake.bronze.committedAt) }]),
        ...(lake.silver === null ? [] : [{ labels: { layer: 'silver' }, value: seconds(lake.silver.builtAt) }]),
        ...(gold === null ? [] : [{ labels: { layer: 'gold' }, value: seconds(gold.builtAt) }]),
      ],
    },
    {
      name: 'lakehouse_gold_newest_event_timestamp_seconds', type: 'gauge',
      help: 'The newest event time (record time) reflected in gold\'s current runs: among the silver records each read, as known at its knowledge time (Unix time).',
      samples: gold?.newestEventMs == null ? [] : [{ value: gold.newestEventMs / 1000 }],
    },
    {
      name: 'lakehouse_gold_freshness_seconds', type: 'gauge', help: 'Now minus the newest event time reflected in gold.',
      samples: gold?.newestEventMs == null ? [] : [{ value: (now - gold.newestEventMs) / 1000 }],
    },
    {
      name: 'lakehouse_lcr_as_of_timestamp_seconds', type: 'gauge', help: 'The as-of date of the LCR gauges: the latest date gold has a run for (Unix time of its start, UTC).',
      samples: gold === null ? [] : [{ value: seconds(`${gold.asOfDate}T00:00:00Z`) }],
    },
    {
      name: 'lakehouse_lcr_ratio', type: 'gauge', help: 'The Liquidity Coverage Ratio per legal entity on the latest as-of date, as gold.lcr has it (1 = 100%); absent without net cash outflows.',
      samples: lcr.filter((g) => g.lcr !== null).map((g) => ({ labels: entity(g), value: g.lcr! })),
    },
    {
      name: 'lakehouse_lcr_hqla', type: 'gauge', help: 'The stock of high-quality liquid assets after haircuts and caps, in the reporting currency, on the latest as-of date.',
      samples: lcr.map((g) => ({ labels: entity(g), value: g.hqla_total })),
    },
    {
      name: 'lakehouse_lcr_net_cash_outflows', type: 'gauge', help: 'Net cash outflows over the 30-day horizon, in the reporting currency, on the latest as-of date.',
      samples: lcr.map((g) => ({ labels: entity(g), value: g.net_cash_outflows })),
    },
    {
      name: 'lakehouse_lcr_limit_ratio', type: 'gauge', help: 'The limits the LCR is held against: the regulatory minimum and the internal limit.',
      samples: lcr.flatMap((g) => [{ labels: { legal_entity: g.legal_entity, limit: 'minimum' }, value: 1 }, { labels: { legal_entity: g.legal_entity, limit: 'internal' }, value: g.internal_limit }]),
    },
    {
      name: 'lakehouse_lcr_below_limit', type: 'gauge', help: 'Whether the LCR on the latest as-of date is under a limit (1) or not (0): the minimum of 100% or the internal limit.',
      samples: lcr.flatMap((g) => [{ labels: { legal_entity: g.legal_entity, limit: 'minimum' }, value: g.below_minimum ? 1 : 0 }, { labels: { legal_entity: g.legal_entity, limit: 'internal' }, value: g.below_internal_limit ? 1 : 0 }]),
    },
  ];
}

function runFamilies(runs: RunStats): MetricFamily[] {
  const perLayer = (value: (s: RunStats[keyof RunStats], layer: string) => Sample[]) => runLayers.flatMap((layer) => value(runs[layer], layer));
  return [
    {
      name: 'lakehouse_runs_total', type: 'counter', help: 'Job runs in the run log (metrics.runs), per layer and status.',
      samples: perLayer((s, layer) => Object.entries(s.runs).map(([status, n]) => ({ labels: { layer, status }, value: n }))),
    },
    {
      name: 'lakehouse_run_failures_total', type: 'counter', help: 'Job runs that failed, per layer.',
      samples: perLayer((s, layer) => [{ labels: { layer }, value: s.runs.failed }]),
    },
    {
      name: 'lakehouse_run_rows_total', type: 'counter',
      help: 'Rows the logged runs took in, wrote out and rejected, per layer (ingest: read, landed, dead-lettered; silver: new records, accepted, quarantined among those worked on; gold: exposures out).',
      samples: perLayer((s, layer) => [
        { labels: { layer, direction: 'in' }, value: s.rowsIn }, { labels: { layer, direction: 'out' }, value: s.rowsOut }, { labels: { layer, direction: 'rejected' }, value: s.rowsRejected },
      ]),
    },
    {
      name: 'lakehouse_last_run_status', type: 'gauge', help: 'Whether the latest run of a layer succeeded or had nothing to do (1) or failed (0): alert on 0.',
      samples: perLayer((s, layer) => (s.last === null ? [] : [{ labels: { layer }, value: s.last.status === 'failed' ? 0 : 1 }])),
    },
    {
      name: 'lakehouse_last_run_timestamp_seconds', type: 'gauge', help: 'When the latest run of a layer ended (Unix time).',
      samples: perLayer((s, layer) => (s.last === null ? [] : [{ labels: { layer }, value: seconds(s.last.ended_at) }])),
    },
    {
      name: 'lakehouse_last_success_timestamp_seconds', type: 'gauge', help: 'When the latest run of a layer that did not fail ended (Unix time).',
      samples: perLayer((s, layer) => (s.lastSuccess === null ? [] : [{ labels: { layer }, value: seconds(s.lastSuccess.ended_at) }])),
    },
    {
      name: 'lakehouse_build_duration_seconds', type: 'gauge', help: 'How long the latest run of a layer took.',
      samples: perLayer((s, layer) => (s.last === null ? [] : [{ labels: { layer }, value: s.last.duration_s }])),
    },
    {
      name: 'lakehouse_run_duration_seconds', type: 'histogram', help: 'How long the logged runs took, per layer.',
      samples: perLayer((s, layer) => (s.durations.count === 0 ? [] : s.durations.samples({ layer }))),
    },
  ];
}
