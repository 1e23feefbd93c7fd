/**
 * Encodes landed records as staging text files that DuckDB's CSV reader turns into Parquet.
 * Bytes are copied, never parsed: per-record JavaScript is the ingest bottleneck (PERFORMANCE.md), so the
 * payload goes through as raw bytes and DuckDB does the rest on its own threads. Rows are split by
 * (topic, UTC day) here, one staging file each, which costs DuckDB far less than PARTITION_BY.
 * Format: fields separated by 0x1F (unit separator), strings quoted with 0x1E (record separator, doubled
 * inside a field), rows ended by '\n'. An unquoted empty field is NULL; a quoted empty field is ''.
 * Columns: topic, partition, offset, key, value, timestamp_ms, headers (JSON text).
 */
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
    buf.set(prefix, pos);
    pos += prefix.length;
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

  /** The encoded rows, as buffers to write in order. */
  contents(): Uint8Array[] {
    return [...this.chunks.map((c, i) => c.subarray(0, this.filled[i])), this.buf.subarray(0, this.pos)];
  }

  /** Hands the chunks back for reuse; the file must not be used afterwards. */
  release(): void {
    for (const c of [...this.chunks, this.buf]) if (c.length === this.chunkBytes && pool.length < maxPooled) pool.push(c);
    this.chunks = [];
    this.filled = [];
  }
}

/** The staging files of one batch, keyed by topic and UTC day of the record timestamp. */
export class StagingEncoder {
  private readonly files = new Map<string, StagingFile>();
  private readonly prefixes = new Map<string, Uint8Array>();
  private lastTopic = '';
  private lastDay = Number.NaN;
  private last: StagingFile | null = null;
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
    return f;
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

function writeQuoted(buf: Uint8Array, pos: number, b: Uint8Array): number {
  buf[pos++] = RS;
  if (b.indexOf(RS) === -1) {
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
