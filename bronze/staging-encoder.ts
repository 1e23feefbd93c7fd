/**
 * Encodes landed records as staging text files that DuckDB's CSV reader turns into Parquet.
 * Bytes are copied, never parsed: per-record JavaScript is the ingest bottleneck (PERFORMANCE.md), so the
 * payload goes through as raw bytes and DuckDB does the rest on its own threads. Rows are split by
 * (topic, UTC day) here, one staging file each, which costs DuckDB far less than PARTITION_BY.
 * Format: fields separated by 0x1F (unit separator), strings quoted with 0x1E (record separator, doubled
 * inside a field), rows ended by '\n'. An unquoted empty field is NULL; a quoted empty field is ''.
 * Columns: topic, partition, offset, key, value, timestamp_ms, headers (JSON text).
 */
import { isUtf8 } from 'node:buffer';

const US = 0x1f;
const RS = 0x1e;
const NL = 0x0a;
const dayMs = 86_400_000;

/**
 * Staging chunks are reused from batch to batch: allocating ~50 MB per batch and collecting it again cost a
 * quarter of the encoding time. Chunks come back through StagingEncoder.release() once written out.
 */
const pool: Buffer[] = [];
const maxPooled = 16;

function acquire(bytes: number, chunkBytes: number): Buffer {
  if (bytes <= chunkBytes) {
    const b = pool.pop();
    if (b !== undefined && b.length === chunkBytes) return b;
  }
  return Buffer.allocUnsafe(Math.max(chunkBytes, bytes));
}

/** A position in a staging file, to check or take back the rows written after it. */
export interface StagingMark {
  chunk: number;
  pos: number;
  rows: number;
  flushedBytes: number;
}

/** One staging file's rows: all of one topic and one UTC day. */
export class StagingFile {
  private chunks: Buffer[] = [];
  private buf: Buffer;
  private pos = 0;
  private flushedBytes = 0;
  private filled: number[] = [];
  rows = 0;

  constructor(readonly topic: string, readonly dt: string, private readonly chunkBytes: number) {
    this.buf = acquire(0, chunkBytes);
  }

  get bytes(): number {
    return this.flushedBytes + this.pos;
  }

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.chunks.push(this.buf);
    this.flushedBytes += this.pos;
    this.filled.push(this.pos);
    this.buf = acquire(n, this.chunkBytes);
    this.pos = 0;
  }

  /** `prefix` = "topic\x1Fpartition\x1F"; `offset` and `timestampMs` are decimal digit strings. */
  add(prefix: Uint8Array, offset: string, key: Uint8Array | null, value: Uint8Array | null, timestampMs: string, headers: Uint8Array | null): void {
    this.ensure(prefix.length + offset.length + timestampMs.length + 2 * ((key?.length ?? 0) + (value?.length ?? 0) + (headers?.length ?? 0)) + 16);
    const buf = this.buf;
    let pos = this.pos;
    for (let i = 0; i < prefix.length; i++) buf[pos++] = prefix[i];
    pos = writeAscii(buf, pos, offset);
    buf[pos++] = US;
    if (key !== null) pos = writeQuoted(buf, pos, key);
    buf[pos++] = US;
    if (value !== null) pos = writeQuoted(buf, pos, value);
    buf[pos++] = US;
    pos = writeAscii(buf, pos, timestampMs);
    buf[pos++] = US;
    if (headers !== null) pos = writeQuoted(buf, pos, headers);
    buf[pos++] = NL;
    this.pos = pos;
    this.rows += 1;
  }

  /** Where the next row goes. */
  mark(): StagingMark {
    return { chunk: this.chunks.length, pos: this.pos, rows: this.rows, flushedBytes: this.flushedBytes };
  }

  /**
   * Whether every byte written since `m` is valid UTF-8. Separators, quotes, digits and the prefix are ASCII, so the
   * rows are valid together exactly when each key, value and headers text is valid on its own: a truncated sequence
   * is followed by an ASCII byte and a stray continuation byte is preceded by one, both invalid. Chunks end between
   * rows, so each is checked on its own.
   */
  validSince(m: StagingMark): boolean {
    if (this.chunks.length === m.chunk) return isUtf8(this.buf.subarray(m.pos, this.pos));
    if (!isUtf8(this.chunks[m.chunk].subarray(m.pos, this.filled[m.chunk]))) return false;
    for (let i = m.chunk + 1; i < this.chunks.length; i++) if (!isUtf8(this.chunks[i].subarray(0, this.filled[i]))) return false;
    return isUtf8(this.buf.subarray(0, this.pos));
  }

  /** Takes back every row written since `m` (a mark of this file, taken since the last rollback to an earlier one). */
  rollback(m: StagingMark): void {
    if (this.chunks.length > m.chunk) {
      const dropped = [...this.chunks.splice(m.chunk + 1), this.buf];
      this.buf = this.chunks.pop()!;
      this.filled.length = m.chunk;
      for (const c of dropped) if (c.length === this.chunkBytes && pool.length < maxPooled) pool.push(c);
    }
    this.pos = m.pos;
    this.rows = m.rows;
    this.flushedBytes = m.flushedBytes;
  }

  /** The encoded rows, as buffers to write in order. */
  contents(): Uint8Array[] {
    return [...this.chunks.map((c, i) => c.subarray(0, this.filled[i])), this.buf.subarray(0, this.pos)];
  }

  /** Hands the chunks back for reuse (once: a second call hands back nothing); the file must not be used afterwards. */
  release(): void {
    for (const c of [...this.chunks, this.buf]) if (c.length === this.chunkBytes && pool.length < maxPooled) pool.push(c);
    this.chunks = [];
    this.filled = [];
    this.buf = Buffer.alloc(0);
    this.pos = 0;
  }
}

/** The staging files of one batch, keyed by topic and UTC day of the record timestamp. */
export class StagingEncoder {
  private readonly files = new Map<string, StagingFile>();
  private readonly prefixes = new Map<string, Uint8Array>();
  private lastTopic = '';
  private lastDay = Number.NaN;
  private last: StagingFile | null = null;
  /** The bounds of lastDay as digit strings (see fileAt); '' when they cannot be compared as strings. */
  private lastFrom = '';
  private lastTo = '';
  rows = 0;

  constructor(private readonly chunkBytes = 8 << 20) {}

  get bytes(): number {
    let n = 0;
    for (const f of this.files.values()) n += f.bytes;
    return n;
  }

  /** "topic\x1Fpartition\x1F", built once per topic partition. */
  prefix(topic: string, partition: number): Uint8Array {
    const id = `${topic}/${partition}`;
    let p = this.prefixes.get(id);
    if (p === undefined) {
      p = Buffer.from(`${topic}\x1f${partition}\x1f`, 'latin1');
      this.prefixes.set(id, p);
    }
    return p;
  }

  /** The staging file for a topic and an epoch-ms timestamp. */
  file(topic: string, timestampMs: number): StagingFile {
    const day = Math.floor(timestampMs / dayMs);
    if (day === this.lastDay && topic === this.lastTopic && this.last !== null) return this.last;
    const key = `${topic}|${day}`;
    let f = this.files.get(key);
    if (f === undefined) {
      f = new StagingFile(topic, new Date(day * dayMs).toISOString().slice(0, 10), this.chunkBytes);
      this.files.set(key, f);
    }
    this.lastTopic = topic;
    this.lastDay = day;
    this.last = f;
    const lo = String(day * dayMs);
    const hi = String((day + 1) * dayMs);
    // Only for days whose bounds are written with the same number of digits (1970-01-01 is not, up to 2286 all are).
    this.lastFrom = day >= 0 && lo.length === hi.length ? lo : '';
    this.lastTo = hi;
    return f;
  }

  /**
   * The staging file for a topic and an epoch-ms timestamp in decimal digits, as Kafka clients give it. Digit strings
   * of one length compare as their numbers do, so while the day stays the same no timestamp is parsed (parsing
   * thirteen digits cost about a sixth of the encoding).
   */
  fileAt(topic: string, timestampMs: string): StagingFile {
    if (timestampMs.length === this.lastFrom.length && timestampMs >= this.lastFrom && timestampMs < this.lastTo && topic === this.lastTopic && this.last !== null) return this.last;
    return this.file(topic, Number(timestampMs));
  }

  /** One row; `topic` must be a validated topic name. Strings are written as UTF-8. */
  add(topic: string, partition: number, offset: string, key: Uint8Array | string | null, value: Uint8Array | string | null, timestampMs: string | number, headersJson: string | null): void {
    const ts = typeof timestampMs === 'number' ? timestampMs : Number(timestampMs);
    this.file(topic, ts).add(this.prefix(topic, partition), offset, toBytes(key), toBytes(value), String(timestampMs), headersJson === null ? null : Buffer.from(headersJson, 'utf8'));
    this.rows += 1;
  }

  all(): StagingFile[] {
    return [...this.files.values()];
  }

  /** Hands every chunk back for reuse once the staging files are written. */
  release(): void {
    for (const f of this.files.values()) f.release();
    this.files.clear();
    this.last = null;
    this.lastFrom = '';
  }
}

function toBytes(v: Uint8Array | string | null): Uint8Array | null {
  return typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
}

/** Digits and signs only: a JS loop beats a native call for a dozen bytes. */
function writeAscii(buf: Uint8Array, pos: number, s: string): number {
  for (let i = 0; i < s.length; i++) buf[pos++] = s.charCodeAt(i);
  return pos;
}

/** Fields up to this long are copied (and searched for RS) by a JS loop: a native call costs more for so few bytes. */
const shortField = 32;

function writeQuoted(buf: Uint8Array, pos: number, b: Uint8Array): number {
  buf[pos++] = RS;
  if (b.length <= shortField) {
    for (let i = 0; i < b.length; i++) {
      const c = b[i];
      if (c === RS) buf[pos++] = RS;
      buf[pos++] = c;
    }
  } else if (b.indexOf(RS) === -1) {
    buf.set(b, pos);
    pos += b.length;
  } else {
    for (let i = 0; i < b.length; i++) {
      if (b[i] === RS) buf[pos++] = RS;
      buf[pos++] = b[i];
    }
  }
  buf[pos++] = RS;
  return pos;
}

/** The read_csv options matching the staging format. */
export function stagingCsvOptions(maxLineBytes: number): string {
  return `delim='\x1f', quote='\x1e', escape='\x1e', header=false, auto_detect=false, allow_quoted_nulls=false, strict_mode=true, ` +
    `max_line_size=${Math.max(2_097_152, 2 * maxLineBytes + 4096)}, ` +
    `columns={'topic':'VARCHAR','partition':'INTEGER','offset':'BIGINT','key':'VARCHAR','value':'VARCHAR','timestamp_ms':'BIGINT','headers':'VARCHAR'}`;
}
