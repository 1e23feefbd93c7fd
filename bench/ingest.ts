/**
 * `npm run bench -- ingest`: Kafka -> bronze ingest rate next to the raw kafkajs consume rate, measured in the same run
 * against the same broker (librdkafka's mock cluster) and the same records, and their ratio (target >= 0.7).
 * 1,000,000 records of ~500 bytes over 128 partitions: the mock keeps only 5 MiB per partition.
 * Rates count from the first record received to the last one handled, so group joins are left out of both.
 * Both run with the Node flags of the process (`npm run bench` passes the command's, bin/lakehouse.js): kafkajs alone
 * gains more from them than the ingest does, so the ratio is lower with them than under Node's defaults.
 * Options: BENCH_RECORDS (default 1000000), BENCH_PARTITIONS (default 128), BENCH_BATCH_ROWS (default 25000),
 * BENCH_DUCKDB_THREADS (default: the writer's, one fewer than the cores), BENCH_MAX_BYTES / BENCH_MAX_BYTES_PP (ingest
 * fetch sizes, default 64 MiB / 4 MiB), BENCH_LOG (a pino level, e.g. debug).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { buildKafkaMock, startKafkaMock } from '../test/kafka-mock.js';
import { KafkaBus } from '../bus/kafka-bus.js';
import type { ProduceRecord } from '../bus/event-bus.js';
import { BronzeWriter } from '../bronze/bronze-writer.js';
import { ingestBus } from '../ingest/bus-ingest.js';
import { openStore } from '../store/open-store.js';
import { openCatalog } from '../sql/catalog.js';
import { mulberry32 } from '../oms-ems/sample-trades.js';
import { createLogger, silentLogger } from '../lib/log.js';

const logger = process.env.BENCH_LOG ? createLogger({ level: process.env.BENCH_LOG }) : silentLogger;

const records = Number(process.env.BENCH_RECORDS ?? 1_000_000);
const partitions = Number(process.env.BENCH_PARTITIONS ?? 128);
const topic = 'trades';

function tradeJson(i: number, rand: () => number): string {
  const id = `T${String(i).padStart(9, '0')}`;
  return JSON.stringify({
    trade_id: id, version: 1 + Math.floor(rand() * 3), counterparty_id: `CP${String(Math.floor(rand() * 5000)).padStart(5, '0')}`,
    book_id: `BOOK-${Math.floor(rand() * 40)}`, legal_entity: ['BANK_A', 'BANK_B', 'BANK_C'][i % 3], instrument_id: `US91282${String(Math.floor(rand() * 1e5)).padStart(5, '0')}`,
    asset_class: ['GOVT_BOND', 'CORPORATE_BOND', 'EQUITY', 'REPO', 'DEPOSIT'][i % 5], side: rand() < 0.5 ? 'BUY' : 'SELL',
    quantity: Math.floor(rand() * 1e7), price: Math.round(rand() * 1e6) / 1e4, currency: ['USD', 'EUR', 'GBP'][i % 3],
    trade_date: '2026-03-02', settlement_date: '2026-03-04', maturity_date: '2031-03-02', created_date: '2026-03-02',
    event_id: `evt-${i}-${Math.floor(rand() * 1e9)}`, source: 'oms', schema_version: 1, trader: `trader${i % 50}`, desk: 'rates-emea', venue: `VENUE${i % 4}`,
  });
}

async function produce(brokers: string[]): Promise<number> {
  const bus = new KafkaBus({ brokers });
  const producer = await bus.producer();
  const rand = mulberry32(1);
  let bytes = 0;
  const started = Date.now();
  for (let from = 0; from < records; from += 10_000) {
    const batch: ProduceRecord[] = [];
    for (let i = from; i < Math.min(from + 10_000, records); i++) {
      const value = tradeJson(i, rand);
      bytes += value.length;
      batch.push({ topic, key: `T${i}`, value, timestamp: 1772443800000 + i });
    }
    await producer.send(batch);
  }
  await producer.close();
  await bus.close();
  console.log(`produced ${records} records, ${(bytes / records).toFixed(0)} bytes each on average, in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return bytes;
}

/** kafkajs alone: eachBatch, values untouched, nothing committed. */
async function rawConsume(brokers: string[], groupId: string): Promise<number> {
  const kafka = new Kafka({ clientId: 'bench-raw', brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000, maxWaitTimeInMs: 500, maxBytes: 64 << 20, maxBytesPerPartition: 4 << 20 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let seen = 0;
  let first = 0;
  let last = 0;
  await new Promise<void>((resolve) => {
    void consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        if (first === 0) first = Date.now();
        seen += batch.messages.length;
        if (seen >= records) {
          last = Date.now();
          resolve();
        }
      },
    });
  });
  await consumer.disconnect();
  return (last - first) / 1000;
}

/** CPU seconds of this process (all its threads, DuckDB's included) and of the mock broker process. */
function cpuSeconds(): { self: number; broker: number } {
  const u = process.cpuUsage();
  let broker = 0;
  try {
    for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
      let cmd = '';
      try { cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8'); } catch { continue; }
      if (!cmd.includes('kafka-mock')) continue;
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      broker += (Number(fields[11]) + Number(fields[12])) / 100;
    }
  } catch { /* not Linux: report 0 */ }
  return { self: (u.user + u.system) / 1e6, broker };
}

function cpuSince(before: { self: number; broker: number }, seconds: number): string {
  const now = cpuSeconds();
  return `cpu: this process ${(now.self - before.self).toFixed(1)} s, broker ${(now.broker - before.broker).toFixed(1)} s, over ${seconds.toFixed(1)} s wall`;
}

async function main(): Promise<void> {
  const mock = await startKafkaMock({ binary: await buildKafkaMock(), topics: { [topic]: partitions } });
  const dir = mkdtempSync(join(tmpdir(), 'bench-'));
  try {
    await produce(mock.brokers);
    console.log(`node flags: ${process.execArgv.join(' ') || '(none)'}`);
    let cpu = cpuSeconds();
    let wall = Date.now();
    const raw1 = await rawConsume(mock.brokers, 'bench-raw-1');
    console.log(`raw kafkajs consume: ${(records / raw1 / 1000).toFixed(0)}k records/s (${raw1.toFixed(2)} s); ${cpuSince(cpu, (Date.now() - wall) / 1000)}`);

    const store = openStore(join(dir, 'lake'));
    const writer = await BronzeWriter.open({ store, logger, duckdbThreads: process.env.BENCH_DUCKDB_THREADS ? Number(process.env.BENCH_DUCKDB_THREADS) : undefined });
    const bus = new KafkaBus({ brokers: mock.brokers, maxBytes: Number(process.env.BENCH_MAX_BYTES ?? 64 << 20), maxBytesPerPartition: Number(process.env.BENCH_MAX_BYTES_PP ?? 4 << 20), logger });
    cpu = cpuSeconds();
    wall = Date.now();
    const summary = await ingestBus({ bus, writer, topics: [topic], groupId: 'bench-ingest', maxBatchRows: Number(process.env.BENCH_BATCH_ROWS ?? 25_000), flushIntervalMs: 1_000, logger });
    await bus.close();
    writer.close();
    const ingestRate = summary.landed / summary.consume_seconds;
    console.log(`kafka -> bronze ingest: ${(ingestRate / 1000).toFixed(0)}k records/s (${summary.consume_seconds.toFixed(2)} s, ${summary.batches} batches, ${summary.landed} landed); ${cpuSince(cpu, (Date.now() - wall) / 1000)}`);

    const raw2 = await rawConsume(mock.brokers, 'bench-raw-2');
    console.log(`raw kafkajs consume again: ${(records / raw2 / 1000).toFixed(0)}k records/s (${raw2.toFixed(2)} s)`);
    const rawRate = (2 * records) / (raw1 + raw2);
    console.log(`ratio ingest / raw consume: ${(ingestRate / rawRate).toFixed(2)} (target >= 0.7)`);

    const catalog = await openCatalog({ store });
    const check = await catalog.db.connection.runAndReadAll('SELECT count(*)::INTEGER AS n, count(DISTINCT ("partition", "offset"))::INTEGER AS d FROM bronze.records');
    console.log(`bronze check: ${JSON.stringify(check.getRowObjectsJson()[0])}`);
    catalog.close();
  } finally {
    await mock.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
process.exit(0);
