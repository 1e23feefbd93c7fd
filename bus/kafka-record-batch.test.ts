/**
 * The fast record-batch decoder against kafkajs's own, on record batches encoded by kafkajs's encoder: the two must give
 * the same objects, field for field, and stop at the same place on a partial batch.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { decodeRecordBatch, installFastRecordBatchDecoder, kafkajsRecordBatchDecoderPath, mirroredKafkajsVersion } from './kafka-record-batch.js';

const require = createRequire(import.meta.url);
type Decoder = { buffer: Buffer; offset: number; canReadBytes(n: number): boolean };
const DecoderClass = require('kafkajs/src/protocol/decoder.js') as new (buffer: Buffer) => Decoder;
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js') as {
  RecordBatch(options: Record<string, unknown>): Promise<{ buffer: Buffer }>;
};
const Record = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (options: Record<string, unknown>) => unknown;
const { Types: Compression } = require('kafkajs/src/protocol/message/compression/index.js') as { Types: { GZIP: number } };

/** kafkajs's own decoder, loaded from its file whatever is in the module cache. */
function stockDecoder(): (decoder: Decoder) => Promise<unknown> {
  const saved = require.cache[kafkajsRecordBatchDecoderPath];
  delete require.cache[kafkajsRecordBatchDecoderPath];
  try {
    return require(kafkajsRecordBatchDecoderPath) as (decoder: Decoder) => Promise<unknown>;
  } finally {
    if (saved) require.cache[kafkajsRecordBatchDecoderPath] = saved;
    else delete require.cache[kafkajsRecordBatchDecoderPath];
  }
}

/** Decodes every batch in `buffer` the way kafkajs's fetch response does (decodeMessages), with `decode`. */
async function decodeAll(decode: (decoder: Decoder) => Promise<unknown>, buffer: Buffer): Promise<{ batches: unknown[]; stoppedAt: number }> {
  const decoder = new DecoderClass(buffer);
  const batches: unknown[] = [];
  while (decoder.canReadBytes(49)) {
    try {
      batches.push(await decode(decoder));
    } catch (e) {
      if ((e as Error).name === 'KafkaJSPartialMessageError') break;
      throw e;
    }
  }
  return { batches, stoppedAt: decoder.offset };
}

async function batch(options: Record<string, unknown>, records: Array<Record<string, unknown>>, attributes?: number): Promise<Buffer> {
  const encoded = Buffer.from((await RecordBatch({ ...options, records: records.map(Record) })).buffer);
  // Flags the encoder cannot set (control batch, log-append time): the attributes are 21 bytes in; kafkajs checks no CRC.
  if (attributes !== undefined) encoded.writeInt16BE(encoded.readInt16BE(21) | attributes, 21);
  return encoded;
}

const value = (i: number) => Buffer.from(JSON.stringify({ trade_id: `T${i}`, note: 'ü€😀'.repeat(i % 3) }));

async function sampleBatches(): Promise<Buffer[]> {
  return [
    await batch({ firstOffset: '0', firstTimestamp: 1772443800000, maxTimestamp: 1772443800009, lastOffsetDelta: 2 }, [
      { offsetDelta: 0, timestampDelta: 0, key: Buffer.from('T0'), value: value(0) },
      { offsetDelta: 1, timestampDelta: -5, key: null, value: value(1), headers: { source: 'oms', seq: ['1', '2'], trace: Buffer.alloc(0) } },
      { offsetDelta: 2, timestampDelta: 9, key: Buffer.alloc(0), value: null },
    ]),
    // offsets and timestamps past 2^53, and a timestamp delta that needs more than 7 varint bytes
    await batch({ firstOffset: '9007199254740990', firstTimestamp: '9007199254740000', maxTimestamp: '9007199254750000', lastOffsetDelta: 5 }, [
      { offsetDelta: 0, timestampDelta: 1, key: Buffer.from('a'), value: value(2) },
      { offsetDelta: 5, timestampDelta: 2 ** 52, key: Buffer.from('b'), value: value(3) },
      { offsetDelta: 3, timestampDelta: -(2 ** 50), key: Buffer.from('c'), value: value(4) },
    ]),
    await batch({ firstOffset: '12', firstTimestamp: 1, maxTimestamp: 2, compression: Compression.GZIP, lastOffsetDelta: 1 }, [
      { offsetDelta: 0, key: Buffer.from('z1'), value: value(5), headers: { h: 'x' } },
      { offsetDelta: 1, key: Buffer.from('z2'), value: value(6) },
    ]),
    await batch({ firstOffset: '20', firstTimestamp: 100, maxTimestamp: 200, transactional: true, producerId: '77', producerEpoch: 3, firstSequence: 9 }, [
      { offsetDelta: 0, timestampDelta: 50, key: Buffer.from('t'), value: value(7) },
    ]),
    await batch({ firstOffset: '21', firstTimestamp: 100, maxTimestamp: 200 }, [{ offsetDelta: 0, key: null, value: Buffer.from([0, 0, 0, 1]) }], 0x20),
    await batch({ firstOffset: '22', firstTimestamp: 100, maxTimestamp: 777 }, [{ offsetDelta: 0, timestampDelta: 3, key: null, value: value(8) }], 0x08),
    await batch({ firstOffset: '23', firstTimestamp: 100, maxTimestamp: 100 }, []),
  ];
}

describe('the fast record-batch decoder', () => {
  it('gives exactly what kafkajs decodes, batch by batch', async () => {
    const fetched = Buffer.concat(await sampleBatches());
    const fast = await decodeAll(decodeRecordBatch, fetched);
    const stock = await decodeAll(stockDecoder(), fetched);
    expect(fast.batches).toHaveLength(7);
    expect(fast).toEqual(stock);
    const offsets = (fast.batches as Array<{ records: Array<{ offset: string; timestamp: string }> }>).flatMap((b) => b.records.map((r) => [r.offset, r.timestamp]));
    expect(offsets.slice(3, 6)).toEqual([
      ['9007199254740990', '9007199254740001'], ['9007199254740995', String(9007199254740000n + 2n ** 52n)], ['9007199254740993', String(9007199254740000n - 2n ** 50n)],
    ]);
  });

  it('stops where kafkajs does on a batch cut off at the end of a fetch', async () => {
    const batches = await sampleBatches();
    const whole = Buffer.concat(batches.slice(0, 2));
    for (const cut of [whole.length - 1, whole.length - 40, batches[0].length + 60]) {
      const fetched = whole.subarray(0, cut);
      const fast = await decodeAll(decodeRecordBatch, fetched);
      expect(fast.batches).toHaveLength(1);
      expect(fast).toEqual(await decodeAll(stockDecoder(), fetched));
    }
  });

  it('mirrors the kafkajs release installed', () => {
    // A kafkajs upgrade must bring this decoder (and the comparison above) up to date, or KafkaBus keeps kafkajs's own.
    expect((require('kafkajs/package.json') as { version: string }).version).toBe(mirroredKafkajsVersion);
  });

  it('is installed in kafkajs only where kafkajs has not loaded its own', () => {
    const saved = require.cache[kafkajsRecordBatchDecoderPath];
    try {
      delete require.cache[kafkajsRecordBatchDecoderPath];
      expect(installFastRecordBatchDecoder()).toBeNull();
      expect(require(kafkajsRecordBatchDecoderPath)).toBe(decodeRecordBatch);
      expect(installFastRecordBatchDecoder()).toBeNull();
      delete require.cache[kafkajsRecordBatchDecoderPath];
      require(kafkajsRecordBatchDecoderPath);
      expect(installFastRecordBatchDecoder()).toMatch(/already loaded its own/);
    } finally {
      if (saved) require.cache[kafkajsRecordBatchDecoderPath] = saved;
      else delete require.cache[kafkajsRecordBatchDecoderPath];
    }
  });
});
