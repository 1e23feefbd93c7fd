/**
 * kafkajs alone, for the ingest bench: a consumer group reading `records` records of a topic from the beginning with
 * eachBatch, values untouched, nothing committed. Whichever record-batch decoder kafkajs has loaded in this process.
 */
import { Kafka, logLevel } from 'kafkajs';

/** CPU seconds of this process, all threads. */
export function processCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** Seconds from the first record received to the last, and the CPU seconds spent meanwhile. */
export async function rawConsume(brokers: string[], topic: string, groupId: string, records: number): Promise<{ seconds: number; cpuSeconds: number }> {
  const kafka = new Kafka({ clientId: 'bench-raw', brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000, maxWaitTimeInMs: 500, maxBytes: 64 << 20, maxBytesPerPartition: 4 << 20 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let seen = 0;
  let first = 0;
  let last = 0;
  let cpuAtFirst = 0;
  await new Promise<void>((resolve) => {
    void consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        if (first === 0) {
          first = performance.now();
          cpuAtFirst = processCpuSeconds();
        }
        seen += batch.messages.length;
        if (seen >= records) {
          last = performance.now();
          resolve();
        }
      },
    });
  });
  const cpu = processCpuSeconds() - cpuAtFirst;
  await consumer.disconnect();
  return { seconds: (last - first) / 1000, cpuSeconds: cpu };
}
