/**
 * A faster decoder for Kafka record batches (magic 2), put in place of kafkajs 2.2.4's own
 * (`kafkajs/src/protocol/recordBatch/v0/decoder.js`) and giving the same objects.
 *
 * Why: kafkajs decodes every record with a decoder object of its own and BigInt-backed Long arithmetic (the offset and
 * the timestamp of each record are `Long.fromValue(string).add(delta).toString()`). A CPU profile of the ingest showed
 * that work, and the garbage it leaves, as the largest share of the consumer thread, the thread the ingest is bound by
 * on two cores. Here a record is read straight off the batch's buffer with plain numbers: offsets and timestamps below
 * 2^53 (all of them, in practice) never touch a BigInt, and larger ones fall back to BigInt and stay exact.
 *
 * Same results as kafkajs's decoder, field for field (bus/kafka-record-batch.test.ts compares the two on batches that
 * cover every branch: compression, headers repeated and null, null keys and values, control and transactional batches,
 * log-append time, offsets and timestamps past 2^53, partial batches at the end of a fetch). kafkajs requires the
 * decoder lazily, on the first fetch that returns records, which is what lets installFastRecordBatchDecoder() put this
 * one in its module cache before kafkajs first looks for it.
 */
import { Module, createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The kafkajs decoder this one replaces, by its resolved file name. */
export const kafkajsRecordBatchDecoderPath = require.resolve('kafkajs/src/protocol/recordBatch/v0/decoder.js');

interface KafkajsDecoder { buffer: Buffer; offset: number }
interface Codec { decompress(buffer: Buffer): Promise<Buffer> }

const { KafkaJSPartialMessageError } = require('kafkajs/src/errors.js') as { KafkaJSPartialMessageError: new (message: string) => Error };
const { lookupCodecByAttributes } = require('kafkajs/src/protocol/message/compression/index.js') as { lookupCodecByAttributes(attributes: number): Codec | null };
const TimestampTypes = require('kafkajs/src/protocol/timestampTypes.js') as { CREATE_TIME: number; LOG_APPEND_TIME: number };

const TIMESTAMP_TYPE_FLAG_MASK = 0x8;
const TRANSACTIONAL_FLAG_MASK = 0x10;
const CONTROL_FLAG_MASK = 0x20;
/** FirstOffset (8) and Length (4) precede the rest of the batch; the fixed part after them is 49 bytes. */
const BATCH_PREFIX = 12;

interface RecordContext {
  firstOffset: string;
  firstTimestamp: string;
  partitionLeaderEpoch: number;
  inTransaction: boolean;
  isControlBatch: boolean;
  lastOffsetDelta: number;
  producerId: string;
  producerEpoch: number;
  firstSequence: number;
  maxTimestamp: string;
  timestampType: number;
  magicByte?: number;
}

type Headers = Record<string, Buffer | null | Array<Buffer | null>>;

/** One record as kafkajs gives it to eachBatch / eachMessage. */
export interface DecodedRecord {
  magicByte: number;
  attributes: number;
  timestamp: string;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Headers;
  isControlRecord: boolean;
  batchContext: RecordContext;
}

/** Reads records off one buffer, keeping the position in a field rather than in a decoder object per record. */
class RecordReader {
  pos = 0;
  constructor(readonly buf: Buffer) {}

  /** A zig-zag varint, as kafkajs reads it (at most 32 bits). */
  varInt(): number {
    const buf = this.buf;
    let byte: number;
    let result = 0;
    let shift = 0;
    do {
      byte = buf[this.pos++];
      result += (byte & 0x7f) << shift;
      shift += 7;
    } while (byte >= 0x80);
    return (result >>> 1) ^ -(result & 1);
  }

  /** A zig-zag varlong as a number while it fits in 53 bits, else as a bigint. */
  varLong(): number | bigint {
    const buf = this.buf;
    const start = this.pos;
    let byte: number;
    let result = 0;
    let scale = 1;
    do {
      byte = buf[this.pos++];
      result += (byte & 0x7f) * scale;
      scale *= 128;
    } while (byte >= 0x80 && scale < 2 ** 49);
    // Seven groups of 7 bits at most here: below 2^49, exact as a number. Longer ones are read again as a bigint.
    if (byte >= 0x80) return this.bigVarLong(start);
    return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
  }

  private bigVarLong(start: number): bigint {
    const buf = this.buf;
    this.pos = start;
    let byte: number;
    let result = 0n;
    let shift = 0n;
    do {
      if (shift > 63n) throw new Error('Invalid Long, must contain 9 bytes or less');
      byte = buf[this.pos++];
      result += BigInt(byte & 0x7f) << shift;
      shift += 7n;
    } while (byte >= 0x80);
    result = BigInt.asUintN(64, result);
    return BigInt.asIntN(64, (result >> 1n) ^ -(result & 1n));
  }

  bytes(): Buffer | null {
    const length = this.varInt();
    if (length === -1) return null;
    const out = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  string(): string | null {
    const length = this.varInt();
    if (length === -1) return null;
    const out = this.buf.toString('utf8', this.pos, this.pos + length);
    this.pos += length;
    return out;
  }
}

/** `base + delta` as a decimal string, exact at any size. */
function addToString(base: string, baseNumber: number, delta: number | bigint): string {
  if (typeof delta === 'number' && Number.isSafeInteger(baseNumber)) {
    const sum = baseNumber + delta;
    if (Number.isSafeInteger(sum)) return String(sum);
  }
  return (BigInt(base) + BigInt(delta)).toString();
}

function readRecord(reader: RecordReader, context: RecordContext, firstOffset: number, firstTimestamp: number, magicByte: number,
  useMaxTimestamp: boolean): DecodedRecord {
  const length = reader.varInt();
  const end = reader.pos + length;
  const attributes = reader.buf.readInt8(reader.pos++);
  const timestampDelta = reader.varLong();
  const timestamp = useMaxTimestamp ? context.maxTimestamp : addToString(context.firstTimestamp, firstTimestamp, timestampDelta);
  const offsetDelta = reader.varInt();
  const offset = addToString(context.firstOffset, firstOffset, offsetDelta);
  const key = reader.bytes();
  const value = reader.bytes();
  const headerCount = reader.varInt();
  const headers: Headers = {};
  for (let i = 0; i < headerCount; i++) {
    const name = reader.string() as string; // a null name becomes the key "null", as in kafkajs
    const headerValue = reader.bytes();
    const seen = headers[name];
    headers[name] = seen === undefined ? headerValue : Array.isArray(seen) ? seen.concat([headerValue]) : [seen, headerValue];
  }
  reader.pos = end;
  return { magicByte, attributes, timestamp, offset, key, value, headers, isControlRecord: context.isControlBatch, batchContext: context };
}

/** Decodes one record batch at the fetch decoder's position and moves it past the batch, as kafkajs's decoder does. */
export async function decodeRecordBatch(fetchDecoder: KafkajsDecoder): Promise<RecordContext & { records: DecodedRecord[] }> {
  const buf = fetchDecoder.buffer;
  const at = fetchDecoder.offset;
  const firstOffset = buf.readBigInt64BE(at).toString();
  const length = buf.readInt32BE(at + 8);
  fetchDecoder.offset = at + BATCH_PREFIX + length;
  const start = at + BATCH_PREFIX;
  const remainingBytes = Math.max(0, Math.min(buf.length, start + length) - start);
  if (remainingBytes < length) {
    throw new KafkaJSPartialMessageError(`Tried to decode a partial record batch: remainingBytes(${remainingBytes}) < recordBatchLength(${length})`);
  }
  const partitionLeaderEpoch = buf.readInt32BE(start);
  const magicByte = buf.readInt8(start + 4);
  // start + 5: the CRC, which kafkajs does not check either
  const attributes = buf.readInt16BE(start + 9);
  const lastOffsetDelta = buf.readInt32BE(start + 11);
  const firstTimestamp = buf.readBigInt64BE(start + 15).toString();
  const maxTimestamp = buf.readBigInt64BE(start + 23).toString();
  const producerId = buf.readBigInt64BE(start + 31).toString();
  const producerEpoch = buf.readInt16BE(start + 39);
  const firstSequence = buf.readInt32BE(start + 41);
  const timestampType = (attributes & TIMESTAMP_TYPE_FLAG_MASK) > 0 ? TimestampTypes.LOG_APPEND_TIME : TimestampTypes.CREATE_TIME;
  const recordContext: RecordContext = {
    firstOffset, firstTimestamp, partitionLeaderEpoch, inTransaction: (attributes & TRANSACTIONAL_FLAG_MASK) > 0,
    isControlBatch: (attributes & CONTROL_FLAG_MASK) > 0, lastOffsetDelta, producerId, producerEpoch, firstSequence, maxTimestamp, timestampType,
  };
  const context: RecordContext = { ...recordContext, magicByte };
  const count = buf.readInt32BE(start + 45);
  let reader: RecordReader;
  const codec = lookupCodecByAttributes(attributes);
  if (!codec) {
    if (count === -1) return { ...recordContext, records: [] };
    reader = new RecordReader(buf.subarray(start + 49, start + length));
  } else {
    if (count <= 0) return { ...recordContext, records: [] };
    reader = new RecordReader(await codec.decompress(buf.subarray(start + 49, start + length)));
  }
  const records = new Array<DecodedRecord>(count);
  const useMaxTimestamp = timestampType === TimestampTypes.LOG_APPEND_TIME && Boolean(maxTimestamp);
  const offsetNumber = Number(firstOffset);
  const timestampNumber = Number(firstTimestamp);
  for (let i = 0; i < count; i++) records[i] = readRecord(reader, context, offsetNumber, timestampNumber, magicByte, useMaxTimestamp);
  return { ...recordContext, records };
}

/** The kafkajs release whose decoder this one mirrors; another release keeps its own decoder. */
export const mirroredKafkajsVersion = '2.2.4';

/**
 * Puts decodeRecordBatch in kafkajs's module cache in place of its own decoder. Returns null when it is in place (now
 * or before), else why not: kafkajs had already loaded its own decoder in this process, or it is another release
 * than the one this decoder mirrors. kafkajs's own decoder then stays in use, which is slower but correct.
 */
export function installFastRecordBatchDecoder(): string | null {
  const { version } = require('kafkajs/package.json') as { version: string };
  if (version !== mirroredKafkajsVersion) return `kafkajs ${version} is not ${mirroredKafkajsVersion}, whose record-batch decoder this one mirrors`;
  const cached = require.cache[kafkajsRecordBatchDecoderPath];
  if (cached) return cached.exports === decodeRecordBatch ? null : 'kafkajs had already loaded its own record-batch decoder in this process';
  const module = new Module(kafkajsRecordBatchDecoderPath);
  module.filename = kafkajsRecordBatchDecoderPath;
  module.loaded = true;
  module.exports = decodeRecordBatch;
  require.cache[kafkajsRecordBatchDecoderPath] = module;
  return null;
}
