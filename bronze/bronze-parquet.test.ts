/**
 * Bronze files are plain Parquet: an independent reader (hyparquet, pure JavaScript) must read the same rows
 * DuckDB does, and the manifest's row counts must match the files.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { LocalObjectStore } from '../store/local-store.js';
import { BronzeWriter, bronzeLog } from './bronze-writer.js';
import { ingestFile } from '../ingest/file-ingest.js';
import { openCatalog } from '../sql/catalog.js';

describe('bronze Parquet', () => {
  it('reads the same rows with hyparquet as with DuckDB', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bronze-pq-'));
    const file = join(dir, 'records.jsonl');
    const lines = [
      '{"topic":"trades","key":"T1","value":{"price": 100.10, "name": "Zürich ✓ \\"quoted\\""},"timestamp":"2026-03-02T09:30:00.123Z","headers":{"source":"oms"}}',
      '{"topic":"trades","key":null,"value":"line one\\nline two\\u001e\\u001f","timestamp":"2026-03-03T23:59:59Z"}',
      '{"topic":"positions","key":"","value":{},"timestamp":1772443800000}',
      'not json',
    ];
    writeFileSync(file, lines.join('\n') + '\n');
    const store = new LocalObjectStore({ root: join(dir, 'lake') });
    const writer = await BronzeWriter.open({ store });
    await ingestFile({ path: file, writer });
    writer.close();

    const manifest = (await bronzeLog(store).latest())!.manifest;
    const fromHyparquet: Record<string, unknown>[] = [];
    for (const f of manifest.tables.records) {
      const rows = await parquetReadObjects({ file: await asyncBufferFromFile(await store.localPath(`bronze/${f.path}`)), compressors });
      expect(rows.length).toBe(f.rows);
      fromHyparquet.push(...rows);
    }

    const catalog = await openCatalog({ store });
    const reader = await catalog.db.connection.runAndReadAll(
      `SELECT topic, "partition", "offset", "key", "value", epoch_ms("timestamp") AS ts_ms, headers, line, dt FROM bronze.records ORDER BY line`);
    const fromDuckDb = reader.getRowObjectsJson();
    catalog.close();

    const normalised = fromHyparquet
      .map((r) => ({
        topic: r.topic, partition: r.partition, offset: String(r.offset), key: r.key, value: r.value,
        ts_ms: String((r.timestamp as Date).getTime()), headers: r.headers, line: String(r.line), dt: r.dt,
      }))
      .sort((a, b) => Number(a.line) - Number(b.line));
    expect(normalised).toEqual(fromDuckDb);
    expect(normalised.map((r) => r.value)).toEqual(['{"price": 100.10, "name": "Zürich ✓ \\"quoted\\""}', 'line one\nline two\u001e\u001f', '{}']);
    expect(normalised.map((r) => r.key)).toEqual(['T1', null, '']);
  });
});
