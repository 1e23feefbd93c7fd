/**
 * Ingest lag per partition, on the embedded event log and on Kafka (librdkafka's mock cluster): records produced,
 * some of them ingested into bronze by the real bus ingest, the rest counted as lag; a group that never committed
 * lags by everything. And the lag as /metrics shows it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { EventBus, ProduceRecord } from '../bus/event-bus.js';
import { EventLog } from '../bus/event-log.js';
import { KafkaBus } from '../bus/kafka-bus.js';
import { BronzeWriter } from '../bronze/bronze-writer.js';
import { ingestBus } from '../ingest/bus-ingest.js';
import { LocalObjectStore } from '../store/local-store.js';
import { startKafkaMock, type KafkaMock } from '../test/kafka-mock.js';
import { busLagProvider, openIngestLagProvider } from './ingest-lag.js';
import { renderMetrics } from './prometheus.js';
import { parseExposition, sampleValue } from './test-fixtures/exposition.js';

const timings = { sessionTimeoutMs: 3_000, heartbeatIntervalMs: 300, maxWaitTimeMs: 200 };

/** `perPartition[p]` records into partition p of the topic. */
async function produce(bus: EventBus, topic: string, perPartition: number[], from = 0): Promise<void> {
  const producer = await bus.producer();
  try {
    const records: ProduceRecord[] = perPartition.flatMap((n, partition) => Array.from({ length: n }, (_, i) => ({
      topic, partition, key: `K${partition}-${from + i}`, value: { trade_id: `T${partition}-${from + i}`, version: 1 }, timestamp: 1772443800000 + i,
    })));
    await producer.send(records);
  } finally {
    await producer.close();
  }
}

async function ingestAll(bus: EventBus, store: LocalObjectStore, topics: string[]): Promise<number> {
  const writer = await BronzeWriter.open({ store });
  try {
    return (await ingestBus({ bus, writer, topics, flushIntervalMs: 100, caughtUpCheckMs: 100, ...timings })).landed;
  } finally {
    writer.close();
  }
}

const lagOf = (lag: { topic: string; partition: number; lag: number }[]) => lag.map((p) => `${p.topic}/${p.partition}=${p.lag}`);

let dir: string;
let store: LocalObjectStore;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ingest-lag-'));
  store = new LocalObjectStore({ root: join(dir, 'lake') });
});
afterAll(async () => {
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('ingest lag on the embedded event log', () => {
  it('is what the ingest group has not committed, per partition, after producing records and ingesting some', async () => {
    const eventLogDir = join(dir, 'eventlog');
    const bus = new EventLog({ dir: eventLogDir });
    await bus.createTopics([{ topic: 'trades', partitions: 2 }, { topic: 'positions', partitions: 1 }]);
    await produce(bus, 'trades', [10, 5]);
    await produce(bus, 'positions', [3]);
    const provider = openIngestLagProvider({ eventLogDir });
    try {
      expect(lagOf(await provider.lag())).toEqual(['positions/0=3', 'trades/0=10', 'trades/1=5']);
      expect(await ingestAll(bus, store, ['trades', 'positions'])).toBe(18);
      expect(lagOf(await provider.lag())).toEqual(['positions/0=0', 'trades/0=0', 'trades/1=0']);
      await produce(bus, 'trades', [4, 2], 100);
      const lag = await provider.lag();
      expect(lagOf(lag)).toEqual(['positions/0=0', 'trades/0=4', 'trades/1=2']);
      expect(lag.find((p) => p.topic === 'trades' && p.partition === 0)).toMatchObject({ endOffset: '14', committedOffset: '10' });
      expect(provider.source).toMatchObject({ kind: 'eventlog', groupId: 'lakehouse-bronze' });

      const other = busLagProvider({ bus, groupId: 'never-ran', topics: ['trades'] });
      expect((await other.lag()).map((p) => [p.partition, p.lag, p.committedOffset])).toEqual([[0, 14, null], [1, 7, null]]);

      const m = parseExposition(await renderMetrics({ store, lag: provider }));
      expect(sampleValue(m, 'lakehouse_ingest_lag_records', { topic: 'trades', partition: '0' })).toBe(4);
      expect(sampleValue(m, 'lakehouse_ingest_lag_records', { topic: 'trades', partition: '1' })).toBe(2);
      expect(sampleValue(m, 'lakehouse_ingest_end_offset', { topic: 'trades', partition: '0' })).toBe(14);
      expect(sampleValue(m, 'lakehouse_metrics_source_up', { source: 'ingest_lag' })).toBe(1);
    } finally {
      await provider.close();
      await bus.close();
    }
  });

  it('reports a lag that fails or hangs as a source down, and the rest of the metrics still', async () => {
    const failing = { source: { bus: 'x', kind: 'kafka' as const, groupId: 'g' }, lag: async () => { throw new Error('broker down'); }, close: async () => {} };
    const m = parseExposition(await renderMetrics({ store, lag: failing }));
    expect(sampleValue(m, 'lakehouse_metrics_source_up', { source: 'ingest_lag' })).toBe(0);
    expect(sampleValue(m, 'lakehouse_metrics_source_up', { source: 'lake' })).toBe(1);
    expect(sampleValue(m, 'lakehouse_table_version', { layer: 'bronze' })).toBeGreaterThan(0);
    const hanging = { ...failing, lag: () => new Promise<never>(() => {}) };
    const started = Date.now();
    const slow = parseExposition(await renderMetrics({ store, lag: hanging, lagTimeoutMs: 100 }));
    expect(sampleValue(slow, 'lakehouse_metrics_source_up', { source: 'ingest_lag' })).toBe(0);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('ingest lag on Kafka', () => {
  let mock: KafkaMock;
  beforeAll(async () => {
    mock = await startKafkaMock({ binary: inject('kafkaMockBinary'), topics: { trades: 3 } });
  });
  afterAll(async () => {
    await mock?.stop();
  });

  it('compares the group\'s committed offsets with the high watermarks, per partition', async () => {
    const bus = new KafkaBus({ brokers: mock.brokers, clientId: 'ingest-lag-test' });
    const kafkaStore = new LocalObjectStore({ root: join(dir, 'kafka-lake') });
    const provider = openIngestLagProvider({ kafkaBrokers: mock.brokers, eventLogDir: join(dir, 'unused'), topics: ['trades'] });
    try {
      await produce(bus, 'trades', [10, 20, 30]);
      expect(lagOf(await provider.lag())).toEqual(['trades/0=10', 'trades/1=20', 'trades/2=30']);
      expect(await ingestAll(bus, kafkaStore, ['trades'])).toBe(60);
      expect(lagOf(await provider.lag())).toEqual(['trades/0=0', 'trades/1=0', 'trades/2=0']);
      await produce(bus, 'trades', [3, 0, 7], 100);
      expect(lagOf(await provider.lag())).toEqual(['trades/0=3', 'trades/1=0', 'trades/2=7']);
      expect(provider.source.kind).toBe('kafka');
      expect((await busLagProvider({ bus, groupId: 'never-ran', topics: ['trades'] }).lag()).map((p) => p.lag)).toEqual([13, 20, 37]);
    } finally {
      await provider.close();
      await bus.close();
      await kafkaStore.close();
    }
  });
});
