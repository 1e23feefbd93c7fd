/**
 * One suite for the event bus port, run against both adapters: the embedded log in a temp dir, and Kafka through
 * kafkajs against librdkafka's mock broker (a real wire-protocol broker process). Each adapter's own cases are in
 * event-log.test.ts and kafka-bus.test.ts.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventBus } from './event-bus.js';
import { EventLog } from './event-log.js';
import { KafkaBus } from './kafka-bus.js';
import { partitionForKey } from './murmur2.js';
import { startKafkaMock, type KafkaMock } from '../test/kafka-mock.js';
import { collect, headerText, text, waitFor, type Delivered } from './test-fixtures/bus-helpers.js';

/** What the shared suite needs from an adapter: a bus, and a fresh topic of 3 partitions for each test. */
interface BusHarness {
  bus(): EventBus;
  freshTopic(): Promise<string>;
  /** Consumer timings that keep group joins short on the mock broker. */
  consumerTimings: { sessionTimeoutMs?: number; heartbeatIntervalMs?: number; maxWaitTimeMs?: number };
}

function busContract(name: string, harness: () => BusHarness): void {
  describe(`event bus contract: ${name}`, () => {
    let groupSeq = 0;
    const group = (): string => `g-${name}-${process.pid}-${++groupSeq}`;

    it('round-trips key (including null), value bytes exactly, timestamp and headers', async () => {
      const h = harness();
      const topic = await h.freshTopic();
      const producer = await h.bus().producer();
      const tricky = 'line one\nline "two"\t\\ é€😀 \u2028 end';
      await producer.send([
        { topic, key: 'k-object', value: { id: 1, note: 'obj' }, timestamp: 1_767_225_600_123, headers: { source: 'oms', trace: 'a"b' } },
        { topic, key: null, value: tricky, timestamp: '2026-03-02T09:30:00.250Z' },
        { topic, key: Buffer.from('k-buffer'), value: Buffer.from('{"raw":true}'), timestamp: '1767225600999', headers: { empty: '' } },
      ]);
      await producer.close();
      const got = await collect(h.bus().consumer({ groupId: group(), topics: [topic], ...h.consumerTimings }), (g) => g.length >= 3);
      expect(got).toHaveLength(3);
      const byKey = new Map(got.map((r) => [text(r.key), r]));
      expect(text(byKey.get('k-object')!.value)).toBe('{"id":1,"note":"obj"}');
      expect(byKey.get('k-object')!.timestamp).toBe('1767225600123');
      expect(headerText(byKey.get('k-object')!.headers?.source)).toBe('oms');
      expect(headerText(byKey.get('k-object')!.headers?.trace)).toBe('a"b');
      expect(byKey.get(null)!.key).toBeNull();
      expect(byKey.get(null)!.value!.equals(Buffer.from(tricky))).toBe(true);
      expect(byKey.get(null)!.timestamp).toBe(String(Date.parse('2026-03-02T09:30:00.250Z')));
      expect(text(byKey.get('k-buffer')!.value)).toBe('{"raw":true}');
      expect(byKey.get('k-buffer')!.timestamp).toBe('1767225600999');
      expect(headerText(byKey.get('k-buffer')!.headers?.empty)).toBe('');
    });

    it('keeps offset order per partition and puts a key in the same partition every time', async () => {
      const h = harness();
      const topic = await h.freshTopic();
      const producer = await h.bus().producer();
      // One big send (batches larger than maxBatchRecords must be split), then smaller ones.
      await producer.send(Array.from({ length: 45 }, (_, i) => ({ topic, key: `key-${i % 5}`, value: { round: 0, i } })));
      for (let round = 1; round < 4; round++) {
        await producer.send(Array.from({ length: 5 }, (_, i) => ({ topic, key: `key-${i % 5}`, value: { round, i } })));
      }
      await producer.close();
      let largestBatch = 0;
      const consumer = h.bus().consumer({ groupId: group(), topics: [topic], maxBatchRecords: 7, ...h.consumerTimings });
      const got = await collect(consumer, (g) => g.length >= 60, 30_000, (b) => { largestBatch = Math.max(largestBatch, b.records.length); });
      expect(got).toHaveLength(60);
      expect(largestBatch).toBe(7);
      const partitionsOfKey = new Map<string, Set<number>>();
      for (const r of got) {
        const key = text(r.key)!;
        (partitionsOfKey.get(key) ?? partitionsOfKey.set(key, new Set()).get(key)!).add(r.partition);
      }
      for (const [key, partitions] of partitionsOfKey) {
        // Both adapters agree with Kafka's default partitioner.
        expect([...partitions]).toEqual([partitionForKey(key, 3)]);
      }
      for (let p = 0; p < 3; p++) {
        const offsets = got.filter((r) => r.partition === p).map((r) => Number(r.offset));
        expect(offsets).toEqual(offsets.map((_, i) => i));
        const order = got.filter((r) => r.partition === p).map((r) => JSON.parse(text(r.value)!) as { round: number; i: number });
        expect(order).toEqual([...order].sort((a, b) => a.round - b.round || a.i - b.i));
      }
    });

    it('resumes exactly after the committed offset, and reports end and committed offsets', async () => {
      const h = harness();
      const topic = await h.freshTopic();
      const groupId = group();
      const producer = await h.bus().producer();
      await producer.send(Array.from({ length: 30 }, (_, i) => ({ topic, key: `r${i}`, value: `first-${i}` })));
      const first = h.bus().consumer({ groupId, topics: [topic], ...h.consumerTimings });
      const firstGot: Delivered[] = [];
      const firstRun = first.run(async (b) => { for (const r of b.records) firstGot.push({ ...r, topic: b.topic, partition: b.partition }); });
      await waitFor(() => firstGot.length >= 30, '30 records');
      const committed = [0, 1, 2]
        .map((p) => ({ topic, partition: p, offset: String(Math.floor(firstGot.filter((r) => r.partition === p).length / 2)) }))
        .filter((c) => c.offset !== '0');
      await first.commit(committed);
      await first.stop();
      await firstRun;
      expect(await h.bus().committedOffsets(groupId, [topic])).toEqual(committed);

      await producer.send(Array.from({ length: 6 }, (_, i) => ({ topic, key: `s${i}`, value: `second-${i}` })));
      await producer.close();
      const ends = await h.bus().endOffsets([topic]);
      expect(ends.reduce((sum, e) => sum + Number(e.offset), 0)).toBe(36);

      const expected = ends.reduce((sum, e) => sum + Number(e.offset) - Number(committed.find((c) => c.partition === e.partition)?.offset ?? 0), 0);
      const second = await collect(h.bus().consumer({ groupId, topics: [topic], ...h.consumerTimings }), (g) => g.length >= expected);
      expect(second).toHaveLength(expected);
      for (const c of committed) {
        const firstOffset = second.filter((r) => r.partition === c.partition).map((r) => Number(r.offset))[0];
        expect(firstOffset).toBe(Number(c.offset));
      }
    });

    it('starts at the end of the log when fromBeginning is false and nothing is committed', async () => {
      const h = harness();
      const topic = await h.freshTopic();
      const producer = await h.bus().producer();
      await producer.send(Array.from({ length: 9 }, (_, i) => ({ topic, key: `o${i}`, value: `old-${i}` })));
      const consumer = h.bus().consumer({ groupId: group(), topics: [topic], fromBeginning: false, ...h.consumerTimings });
      let sent = 0;
      // The consumer picks "the end" once it has joined; keep producing until something new arrives.
      const feeding = setInterval(() => { void producer.send([{ topic, key: `n${sent}`, value: `new-${sent++}` }]); }, 300);
      try {
        const got = await collect(consumer, (g) => g.length >= 1);
        expect(got.every((r) => text(r.value)!.startsWith('new-'))).toBe(true);
      } finally {
        clearInterval(feeding);
        await producer.close();
      }
    });

    it('rejects run() with the error onBatch threw', async () => {
      const h = harness();
      const topic = await h.freshTopic();
      const producer = await h.bus().producer();
      await producer.send([{ topic, key: 'a', value: 'poison' }]);
      await producer.close();
      const consumer = h.bus().consumer({ groupId: group(), topics: [topic], ...h.consumerTimings });
      await expect(consumer.run(async () => { throw new Error('sink is full'); })).rejects.toThrow('sink is full');
      expect(consumer.assignment()).toEqual([]);
    });

    it('resolves run() when stop() is called, during a batch and when idle', async () => {
      const h = harness();
      const topic = await h.freshTopic();
      const producer = await h.bus().producer();
      await producer.send([{ topic, key: 'a', value: 'stop-me' }]);
      await producer.close();
      const busy = h.bus().consumer({ groupId: group(), topics: [topic], ...h.consumerTimings });
      let inBatch!: () => void;
      const entered = new Promise<void>((resolve) => { inBatch = resolve; });
      const run = busy.run(async () => {
        inBatch();
        await new Promise((r) => setTimeout(r, 500));
      });
      await entered;
      await busy.stop();
      await expect(run).resolves.toBeUndefined();

      const idle = h.bus().consumer({ groupId: group(), topics: [topic], fromBeginning: false, ...h.consumerTimings });
      const idleRun = idle.run(async () => {});
      await new Promise((r) => setTimeout(r, 1_000));
      await idle.stop();
      await expect(idleRun).resolves.toBeUndefined();
    });
  });
}

describe('EventLog', () => {
  let dir: string;
  let bus: EventLog;
  let topicSeq = 0;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'eventlog-'));
    bus = new EventLog({ dir, pollIntervalMs: 20 });
  });
  afterAll(async () => {
    await bus.close();
    await rm(dir, { recursive: true, force: true });
  });
  busContract('eventlog', () => ({
    bus: () => bus,
    freshTopic: async () => {
      const topic = `t${++topicSeq}`;
      await bus.createTopics([{ topic, partitions: 3 }]);
      return topic;
    },
    consumerTimings: {},
  }));
});

describe('KafkaBus', () => {
  const topics = Array.from({ length: 8 }, (_, i) => `t${i + 1}`);
  let mock: KafkaMock;
  let bus: KafkaBus;
  let topicSeq = 0;
  beforeAll(async () => {
    mock = await startKafkaMock({ binary: inject('kafkaMockBinary'), topics: Object.fromEntries(topics.map((t) => [t, 3])) });
    bus = new KafkaBus({ brokers: mock.brokers, clientId: 'bus-test' });
  });
  afterAll(async () => {
    await bus?.close();
    await mock?.stop();
  });
  busContract('kafka', () => ({
    bus: () => bus,
    freshTopic: async () => topics[topicSeq++],
    consumerTimings: { sessionTimeoutMs: 3_000, heartbeatIntervalMs: 300, maxWaitTimeMs: 500 },
  }));
});
