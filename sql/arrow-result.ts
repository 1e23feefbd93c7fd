/**
 * A query result as Arrow IPC (the stream format, `application/vnd.apache.arrow.stream`), for BI tools.
 * Exact where Arrow has the type: integers, floats, DECIMAL as Decimal128 with DuckDB's precision and scale,
 * DATE as days, TIMESTAMP / TIMESTAMPTZ (UTC) at DuckDB's resolution, TIME in microseconds, BOOLEAN, VARCHAR, BLOB.
 * Everything else (HUGEINT, INTERVAL, UUID, ENUM, LIST, STRUCT, MAP, ...) travels as text: DuckDB's JSON form.
 */
import {
  Binary, Bool, DateDay, Decimal, Field, Float32, Float64, Int16, Int32, Int64, Int8, RecordBatch, Schema, Struct, Table,
  TimeMicrosecond, TimestampMicrosecond, TimestampMillisecond, TimestampNanosecond, TimestampSecond, Uint16, Uint32,
  Uint64, Uint8, Utf8, makeBuilder, makeData, tableToIPC, type Data, type DataType,
} from 'apache-arrow';
import { DuckDBTypeId, JsonDuckDBValueConverter, type DuckDBDataChunk, type DuckDBDecimalType, type DuckDBType } from '@duckdb/node-api';
import type { ChunkSink, ResultColumn } from './read-only-query.js';

export const arrowStreamType = 'application/vnd.apache.arrow.stream';

type Kind = 'fixed' | 'builder' | 'text';

interface ColumnPlan {
  type: DataType;
  kind: Kind;
  /** For fixed-width columns: the typed array and how a DuckDB value becomes one element. */
  array?: { new (n: number): ArrayLike<number | bigint> & { [i: number]: number | bigint } };
  value?: (v: unknown) => number | bigint;
  stride?: number;
  words?: (v: unknown) => number[];
}

/** Collects a result's chunks as Arrow record batches; `ipc()` serialises them. */
export class ArrowSink implements ChunkSink {
  private plans: ColumnPlan[] = [];
  private schema = new Schema([]);
  private batches: RecordBatch[] = [];

  start(columns: ResultColumn[], types: DuckDBType[]): void {
    this.plans = types.map(planColumn);
    this.schema = new Schema(columns.map((c, i) => new Field(c.name, this.plans[i].type, true, new Map([['duckdb_type', c.type]]))));
  }

  chunk(chunk: DuckDBDataChunk): void {
    const n = chunk.rowCount;
    const children = this.plans.map((plan, i) => columnData(plan, chunk, i, n));
    const data = makeData({ type: new Struct(this.schema.fields), length: n, nullCount: 0, children });
    this.batches.push(new RecordBatch(this.schema, data));
  }

  /** The Arrow IPC stream; `metadata` goes on the schema (e.g. whether the result was cut at the row limit). */
  ipc(metadata: Record<string, string> = {}): Uint8Array {
    const schema = new Schema(this.schema.fields, new Map(Object.entries(metadata)));
    const batches = this.batches.map((b) => new RecordBatch(schema, b.data));
    return tableToIPC(new Table(schema, batches), 'stream');
  }
}

function planColumn(t: DuckDBType): ColumnPlan {
  const big = (v: unknown) => BigInt(v as bigint | number);
  const num = (v: unknown) => Number(v);
  switch (t.typeId) {
    case DuckDBTypeId.BOOLEAN: return { type: new Bool(), kind: 'builder' };
    case DuckDBTypeId.TINYINT: return { type: new Int8(), kind: 'fixed', array: Int8Array, value: num };
    case DuckDBTypeId.SMALLINT: return { type: new Int16(), kind: 'fixed', array: Int16Array, value: num };
    case DuckDBTypeId.INTEGER: return { type: new Int32(), kind: 'fixed', array: Int32Array, value: num };
    case DuckDBTypeId.BIGINT: return { type: new Int64(), kind: 'fixed', array: BigInt64Array, value: big };
    case DuckDBTypeId.UTINYINT: return { type: new Uint8(), kind: 'fixed', array: Uint8Array, value: num };
    case DuckDBTypeId.USMALLINT: return { type: new Uint16(), kind: 'fixed', array: Uint16Array, value: num };
    case DuckDBTypeId.UINTEGER: return { type: new Uint32(), kind: 'fixed', array: Uint32Array, value: num };
    case DuckDBTypeId.UBIGINT: return { type: new Uint64(), kind: 'fixed', array: BigUint64Array, value: big };
    case DuckDBTypeId.FLOAT: return { type: new Float32(), kind: 'fixed', array: Float32Array, value: num };
    case DuckDBTypeId.DOUBLE: return { type: new Float64(), kind: 'fixed', array: Float64Array, value: num };
    case DuckDBTypeId.DECIMAL: {
      const d = t as DuckDBDecimalType;
      return { type: new Decimal(d.scale, d.width, 128), kind: 'fixed', array: Uint32Array, stride: 4, words: (v) => int128Words((v as { value: bigint }).value) };
    }
    case DuckDBTypeId.DATE: return { type: new DateDay(), kind: 'fixed', array: Int32Array, value: (v) => (v as { days: number }).days };
    case DuckDBTypeId.TIMESTAMP: return { type: new TimestampMicrosecond(), kind: 'fixed', array: BigInt64Array, value: (v) => (v as { micros: bigint }).micros };
    case DuckDBTypeId.TIMESTAMP_TZ: return { type: new TimestampMicrosecond('UTC'), kind: 'fixed', array: BigInt64Array, value: (v) => (v as { micros: bigint }).micros };
    case DuckDBTypeId.TIMESTAMP_S: return { type: new TimestampSecond(), kind: 'fixed', array: BigInt64Array, value: (v) => (v as { seconds: bigint }).seconds };
    case DuckDBTypeId.TIMESTAMP_MS: return { type: new TimestampMillisecond(), kind: 'fixed', array: BigInt64Array, value: (v) => (v as { millis: bigint }).millis };
    case DuckDBTypeId.TIMESTAMP_NS: return { type: new TimestampNanosecond(), kind: 'fixed', array: BigInt64Array, value: (v) => (v as { nanos: bigint }).nanos };
    case DuckDBTypeId.TIME: return { type: new TimeMicrosecond(), kind: 'fixed', array: BigInt64Array, value: (v) => (v as { micros: bigint }).micros };
    case DuckDBTypeId.VARCHAR: return { type: new Utf8(), kind: 'builder' };
    case DuckDBTypeId.BLOB: return { type: new Binary(), kind: 'builder' };
    default: return { type: new Utf8(), kind: 'text' };
  }
}

function columnData(plan: ColumnPlan, chunk: DuckDBDataChunk, column: number, n: number): Data {
  if (plan.kind === 'text') {
    const values = chunk.convertColumnValues(column, JsonDuckDBValueConverter);
    return build(plan.type, values.map((v) => (v === null ? null : typeof v === 'string' ? v : JSON.stringify(v))));
  }
  const values = chunk.getColumnValues(column);
  if (plan.kind === 'builder') {
    return build(plan.type, values.map((v) => (v === null ? null : plan.type instanceof Binary ? (v as { bytes: Uint8Array }).bytes : v)));
  }
  const stride = plan.stride ?? 1;
  const data = new plan.array!(n * stride);
  const nullBitmap = new Uint8Array(Math.ceil(n / 8));
  let nullCount = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === null) {
      nullCount += 1;
      continue;
    }
    nullBitmap[i >> 3] |= 1 << (i & 7);
    if (plan.words !== undefined) plan.words(v).forEach((w, k) => { data[i * stride + k] = w; });
    else data[i] = plan.value!(v);
  }
  return makeData({ type: plan.type as never, length: n, nullCount, nullBitmap, data: data as never });
}

function build(type: DataType, values: unknown[]): Data {
  const builder = makeBuilder({ type, nullValues: [null] });
  for (const v of values) builder.append(v as never);
  return builder.finish().flush();
}

/** A signed 128-bit integer as four little-endian 32-bit words (two's complement), Arrow's Decimal128 layout. */
function int128Words(v: bigint): number[] {
  let u = BigInt.asUintN(128, v);
  const words: number[] = [];
  for (let k = 0; k < 4; k++) {
    words.push(Number(u & 0xffffffffn));
    u >>= 32n;
  }
  return words;
}
