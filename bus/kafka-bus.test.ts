/**
 * The Kafka adapter's own promises, against librdkafka's mock broker: group rebalances, the supervisor that
 * recreates crashed consumers, and clear errors for what the cluster does not have or cannot do.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createRequire } from 'node:module';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { RecordBatch, TopicPartition } from './event-bus.js';
import { KafkaBus } from './kafka-bus.js';
import { decodeRecordBatch, kafkajsRecordBatchDecoderPath } from './kafka-record-batch.js';
import { startKafkaMock, type KafkaMock } from '../test/kafka-mock.js';
import { text, waitFor } from './test-fixtures/bus-helpers.js';

const timings = { sessionTimeoutMs: 3_000, heartbeatIntervalMs: 300, maxWaitTimeMs: 500 };

/** A logger whose lines the test can read. */
function capturingLogger(): { logger: pino.Logger; messages: string[] } {
  const messages: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line) messages.push((JSON.parse(line) as { msg: string }).msg);
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), messages };
}

const sorted = (a: TopicPartition[]): string[] => a.map((x) => `${x.topic}/${x.partition}`).sort();

describe('KafkaBus on the mock broker', () => {
  let mock: KafkaMock;
  let bus: KafkaBus;
  const capture = capturingLogger();
  beforeAll(async () => {
    mock = await startKafkaMock({ binary: inject('kafkaMockBinary'), topics: { split: 4, restart: 3, other: 1 } });
    bus = new KafkaBus({ brokers: mock.brokers, clientId: 'kafka-bus-test', logger: capture.logger });
  });
  afterAll(async () => {
    await bus?.close();
    await mock?.stop();
  });

  it('splits the partitions between two members of a group, and gives all to the one left when the other stops', async () => {
    const a = bus.consumer({ groupId: 'pair', topics: ['split'], ...timings });
    const b = bus.consumer({ groupId: 'pair', topics: ['split'], ...timings });
    const runA = a.run(async () => {});
    const runB = b.run(async () => {});
    const all = ['split/0', 'split/1', 'split/2', 'split/3'];
    // A late follower's SyncGroup may crash it on the mock: the supervisor rejoins it, so wait rather than assert once.
    await waitFor(() => a.assignment().length > 0 && b.assignment().length > 0
      && sorted([...a.assignment(), ...b.assignment()]).join() === all.join(), 'both members to share the partitions', 45_000);
    expect(sorted(a.assignment()).filter((p) => sorted(b.assignment()).includes(p))).toEqual([]);
    await b.stop();
    await runB;
    await waitFor(() => sorted(a.assignment()).join() === all.join(), 'the remaining member to get every partition', 45_000);
    await a.stop();
    await runA;
  });

  it('keeps consuming after the broker restarts, recreating the consumer kafkajs gave up on', async () => {
    const producer = await bus.producer();
    const consumer = bus.consumer({ groupId: 'survivor', topics: ['restart'], ...timings });
    const values: string[] = [];
    const run = consumer.run(async (batch: RecordBatch) => { for (const r of batch.records) values.push(text(r.value)!); });
    await producer.send([{ topic: 'restart', key: 'k', value: 'before' }]);
    await waitFor(() => values.includes('before'), 'the first record', 30_000);

    await mock.restart();
    let n = 0;
    // The restarted broker is empty; produce until the recreated (or recovered) consumer sees new records.
    await waitFor(async () => {
      await producer.send([{ topic: 'restart', key: 'k', value: `after-${n++}` }]).catch(() => {});
      return values.some((v) => v.startsWith('after-'));
    }, 'a record produced after the restart', 60_000, 500);
    // The restarted broker answers the old group's heartbeats GROUP_ID_NOT_FOUND, on which kafkajs gives up.
    expect(capture.messages).toContain('recreating the consumer');
    await consumer.stop();
    await run;
    await producer.close();
  }, 90_000);

  it('keeps its membership while onBatch blocks for longer than the session timeout', async () => {
    const producer = await bus.producer();
    await producer.send([{ topic: 'other', key: 'slow', value: 'back-pressure' }]);
    await producer.close();
    const consumer = bus.consumer({ groupId: 'slow', topics: ['other'], ...timings });
    let committed = false;
    const run = consumer.run(async (batch) => {
      await new Promise((r) => setTimeout(r, 2.5 * timings.sessionTimeoutMs));
      // A member the coordinator had expired would be refused here (UNKNOWN_MEMBER_ID / rebalance).
      await consumer.commit([{ topic: batch.topic, partition: batch.partition, offset: String(Number(batch.records.at(-1)!.offset) + 1) }]);
      committed = true;
    });
    await waitFor(() => committed, 'the slow batch to commit', 30_000);
    await consumer.stop();
    await run;
    expect(await bus.committedOffsets('slow', ['other'])).toEqual([{ topic: 'other', partition: 0, offset: '1' }]);
  });

  it('rejects run() naming a subscribed topic that does not exist', async () => {
    const consumer = bus.consumer({ groupId: 'lost', topics: ['other', 'no-such-topic'], ...timings });
    await expect(consumer.run(async () => {})).rejects.toThrow(/topic no-such-topic does not exist/);
  });

  it('rejects a send to a topic that does not exist, naming it', async () => {
    const producer = await bus.producer();
    await expect(producer.send([{ topic: 'nowhere', key: null, value: 'x' }])).rejects.toThrow(/topic nowhere does not exist/);
    await producer.close();
  });

  it('says clearly that the mock cannot create topics, and skips topics that exist', async () => {
    await expect(bus.createTopics([{ topic: 'other', partitions: 1 }])).resolves.toBeUndefined();
    await expect(bus.createTopics([{ topic: 'brand-new', partitions: 2 }])).rejects.toThrow(/creating topics \(brand-new\) is not supported by this cluster/);
    expect(await bus.listTopics()).toEqual(['other', 'restart', 'split']);
  });

  it('has kafkajs decode fetched records with the lakehouse\'s record-batch decoder', () => {
    // The tests above fetched records; kafkajs looked its decoder up then, and found the one KafkaBus put in place.
    expect(createRequire(import.meta.url).cache[kafkajsRecordBatchDecoderPath]?.exports).toBe(decodeRecordBatch);
  });
});
