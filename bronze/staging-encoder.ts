/**
 * Encodes landed records as a staging text file that DuckDB's CSV reader turns into Parquet.
 * Bytes are copied, never parsed: per-record JavaScript is the ingest bottleneck (PERFORMANCE.md), so the
 * payload goes through as raw bytes and DuckDB does the rest on its own threads.
 * Format: fields separated by 0x1F (unit separator), strings quoted with 0x1E (record separator, doubled
 * inside a field), rows ended by '\n'. An unquoted empty field is NULL; a quoted empty field is ''.
 * Columns: topic, partition, offset, key, value, timestamp_ms, headers (JSON text).
 */
const US = 0x1f;
const RS = 0x1e;
const NL = 0x0a;

export class StagingEncoder {
  private chunks: Buffer[] = [];
  private buf: Buffer;
  private pos = 0;
  private flushedBytes = 0;
  rows = 0;

  constructor(private readonly chunkBytes = 16 << 20) {
    this.buf = Buffer.allocUnsafe(chunkBytes);
  }

  get bytes(): number {
    return this.flushedBytes + this.pos;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.chunks.push(this.buf.subarray(0, this.pos));
    this.flushedBytes += this.pos;
    this.buf = Buffer.allocUnsafe(Math.max(this.chunkBytes, n));
    this.pos = 0;
  }

  private ascii(s: string): void {
    this.pos += this.buf.write(s, this.pos, 'latin1');
  }

  private quotedBytes(b: Buffer): void {
    this.buf[this.pos++] = RS;
    if (b.indexOf(RS) === -1) this.pos += b.copy(this.buf, this.pos);
    else this.pos += escapeRs(b).copy(this.buf, this.pos);
    this.buf[this.pos++] = RS;
  }

  /**
   * One row. `topic` must be a validated topic name (no separators); `key`/`value` null mean NULL;
   * strings are written as UTF-8.
   */
  add(topic: string, partition: number, offset: string, key: Buffer | string | null, value: Buffer | string | null, timestampMs: string | number, headersJson: string | null): void {
    const k = typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
    const v = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
    const h = headersJson === null ? null : Buffer.from(headersJson, 'utf8');
    // A field may grow to twice its size when every byte is an escaped separator.
    this.ensure(topic.length + 64 + 2 * ((k?.length ?? 0) + (v?.length ?? 0) + (h?.length ?? 0)) + 16);
    const buf = this.buf;
    this.ascii(topic);
    buf[this.pos++] = US;
    this.ascii(String(partition));
    buf[this.pos++] = US;
    this.ascii(offset);
    buf[this.pos++] = US;
    if (k !== null) this.quotedBytes(k);
    buf[this.pos++] = US;
    if (v !== null) this.quotedBytes(v);
    buf[this.pos++] = US;
    this.ascii(String(timestampMs));
    buf[this.pos++] = US;
    if (h !== null) this.quotedBytes(h);
    buf[this.pos++] = NL;
    this.rows += 1;
  }

  /** The encoded rows so far, as buffers to write in order. */
  contents(): Buffer[] {
    return [...this.chunks, this.buf.subarray(0, this.pos)];
  }
}

function escapeRs(b: Buffer): Buffer {
  const parts: Buffer[] = [];
  let from = 0;
  for (let i = b.indexOf(RS); i !== -1; i = b.indexOf(RS, i + 1)) {
    parts.push(b.subarray(from, i + 1), Buffer.of(RS));
    from = i + 1;
  }
  parts.push(b.subarray(from));
  return Buffer.concat(parts);
}

/** The read_csv options matching StagingEncoder's format. */
export function stagingCsvOptions(maxLineBytes: number): string {
  return `delim='\x1f', quote='\x1e', escape='\x1e', header=false, allow_quoted_nulls=false, strict_mode=true, ` +
    `max_line_size=${Math.max(2_097_152, 2 * maxLineBytes + 4096)}, ` +
    `columns={'topic':'VARCHAR','partition':'INTEGER','offset':'BIGINT','key':'VARCHAR','value':'VARCHAR','timestamp_ms':'BIGINT','headers':'VARCHAR'}`;
}
