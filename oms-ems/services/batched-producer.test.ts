import { describe, expect, it } from 'vitest';
import type { ProduceRecord, Producer } from '../../bus/event-bus.js';
import { TransientError } from '../../lib/errors.js';
import { BatchedProducer } from './batched-producer.js';

/** A producer that fails its first `failures` sends and records the batches it took. */
function flakyProducer(failures: number): Producer & { batches: string[][] } {
  const batches: string[][] = [];
  return {
    batches,
    async send(records: ProduceRecord[]) {
      if (failures-- > 0) throw new TransientError('broker unavailable');
      batches.push(records.map((r) => String(r.key)));
    },
    async close() {},
  };
}

const record = (key: string): ProduceRecord => ({ topic: 'orders', key, value: { key } });

describe('BatchedProducer', () => {
  it('sends what was pushed within the flush interval, in order, in batches of at most maxBatchRecords', async () => {
    const producer = flakyProducer(0);
    const batched = new BatchedProducer(producer, { flushIntervalMs: 5, maxBatchRecords: 2 });
    for (const k of ['a', 'b', 'c']) batched.push(record(k));
    await new Promise((r) => setTimeout(r, 50));
    expect(producer.batches).toEqual([['a', 'b'], ['c']]);
    expect([batched.pending, batched.stats.sent]).toEqual([0, 3]);
  });

  it('retries a failed send with the same records first, so nothing is lost or reordered', async () => {
    const producer = flakyProducer(2);
    const batched = new BatchedProducer(producer, { flushIntervalMs: 1, retryDelayMs: 5 });
    batched.push(record('a'));
    await new Promise((r) => setTimeout(r, 3));
    batched.push(record('b'));
    expect(await batched.close(5_000)).toBe(0);
    expect(producer.batches.flat()).toEqual(['a', 'b']);
    expect(batched.stats.failedSends).toBe(2);
  });

  it('gives up at the close deadline and says how many records were not written', async () => {
    const batched = new BatchedProducer(flakyProducer(Number.POSITIVE_INFINITY), { retryDelayMs: 10 });
    batched.push(record('a'));
    batched.push(record('b'));
    expect(await batched.close(100)).toBe(2);
  });
});
