/**
 * One consumer of the ingest bench, in a process of its own:
 *   node ingest-consumer.js <brokers> <topic> <groupId> <records> stock|fast|ingest [lakeDir]
 * with BENCH_WARMUP_TOPIC / BENCH_WARMUP_RECORDS: the same consumer runs over that topic first, untimed.
 * - stock: kafkajs alone (eachBatch, values untouched, nothing committed), as kafkajs ships;
 * - fast: the same with the lakehouse's record-batch decoder (bus/kafka-record-batch.ts) in place of kafkajs's;
 * - ingest: the Kafka -> bronze ingest (ingestBus through KafkaBus, which installs that decoder) into lakeDir.
 * Prints JSON: the seconds from the first record received to the last one handled, and the process's CPU seconds.
 * Each in a fresh process because kafkajs loads its decoder once per process. Each warms up first, so that all three
 * are measured in the steady state a long-running consumer is in: measured cold, stock kafkajs ran ~20% slower than
 * in a process that had consumed before, enough to flatter the ratio.
 */
import { join } from 'node:path';
import { installFastRecordBatchDecoder } from '../bus/kafka-record-batch.js';
import { processCpuSeconds, rawConsume } from './raw-kafkajs.js';
import { KafkaBus } from '../bus/kafka-bus.js';
import { BronzeWriter } from '../bronze/bronze-writer.js';
import { ingestBus } from '../ingest/bus-ingest.js';
import { openStore } from '../store/open-store.js';
import { createLogger, silentLogger } from '../lib/log.js';

const [brokerList, topic, groupId, count, mode, lakeDir] = process.argv.slice(2);
const records = Number(count);
if (!brokerList || !topic || !groupId || !Number.isInteger(records) || records <= 0 || !['stock', 'fast', 'ingest'].includes(mode) || (mode === 'ingest' && !lakeDir)) {
  console.error('usage: ingest-consumer.js <brokers> <topic> <groupId> <records> stock|fast|ingest [lakeDir]');
  process.exit(2);
}
const brokers = brokerList.split(',');

const warmupTopic = process.env.BENCH_WARMUP_TOPIC;
const warmupRecords = Number(process.env.BENCH_WARMUP_RECORDS ?? 0);

async function raw(): Promise<{ seconds: number; cpuSeconds: number }> {
  const notInstalled = mode === 'fast' ? installFastRecordBatchDecoder() : null;
  if (notInstalled !== null) throw new Error(`the fast decoder is not in place: ${notInstalled}`);
  if (warmupTopic) await rawConsume(brokers, warmupTopic, `${groupId}-warmup`, warmupRecords);
  return rawConsume(brokers, topic, groupId, records);
}

async function ingest(): Promise<Record<string, number>> {
  const logger = process.env.BENCH_LOG ? createLogger({ level: process.env.BENCH_LOG }) : silentLogger;
  const writer = await BronzeWriter.open({ store: openStore(join(lakeDir, 'lake')), logger, duckdbThreads: process.env.BENCH_DUCKDB_THREADS ? Number(process.env.BENCH_DUCKDB_THREADS) : undefined });
  const bus = new KafkaBus({ brokers, maxBytes: Number(process.env.BENCH_MAX_BYTES ?? 64 << 20), maxBytesPerPartition: Number(process.env.BENCH_MAX_BYTES_PP ?? 4 << 20), logger });
  const options = { maxBatchRows: Number(process.env.BENCH_BATCH_ROWS ?? 25_000), flushIntervalMs: 1_000, logger };
  if (warmupTopic) await ingestBus({ bus, writer, topics: [warmupTopic], groupId: `${groupId}-warmup`, ...options });
  const cpuBefore = processCpuSeconds();
  const summary = await ingestBus({ bus, writer, topics: [topic], groupId, ...options });
  const cpu = processCpuSeconds() - cpuBefore;
  await bus.close();
  writer.close();
  return { seconds: summary.consume_seconds, cpuSeconds: cpu, landed: summary.landed, batches: summary.batches };
}

console.log(JSON.stringify(mode === 'ingest' ? await ingest() : await raw()));
process.exit(0);
