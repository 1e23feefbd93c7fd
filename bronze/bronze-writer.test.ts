/**
 * Landings may overlap (the bus ingest writes one batch's Parquet while the previous one commits), but bronze must
 * still see them in call order: a watermark says "everything up to here has landed", so a batch that commits after
 * an earlier one failed would make the failed records look landed for good.
 */
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalObjectStore } from '../store/local-store.js';
import type { ObjectStore } from '../store/object-store.js';
import { BronzeWriter } from './bronze-writer.js';
import { encodeBatch, type LandingBatch } from './encode-batch.js';
import { openCatalog } from '../sql/catalog.js';

function busBatch(topic: string, from: number, count: number): LandingBatch {
  const records = Array.from({ length: count }, (_, i) => ({
    offset: String(from + i), key: Buffer.from(`k${from + i}`), value: Buffer.from(`{"n":${from + i}}`), timestamp: String(1772443800000 + from + i), headers: {},
  }));
  return { kind: 'bus', bus: 'kafka', source: 'kafka://test', segments: [{ topic, partition: 0, records }] };
}

/** A local store whose first upload of a `positions` file fails: a test double for one failed PUT (the S3 fault proxy covers real 5xx). */
function failingFirstUpload(store: LocalObjectStore): ObjectStore {
  let failed = false;
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'putFile') {
        return async (...args: Parameters<ObjectStore['putFile']>) => {
          if (!failed && args[0].includes('topic=positions')) {
            failed = true;
            throw new Error('upload refused (test)');
          }
          return target.putFile(...args);
        };
      }
      const value = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

describe('BronzeWriter with overlapping landings', () => {
  it('commits them in call order, and commits none after one that failed', async () => {
    const store = new LocalObjectStore({ root: join(mkdtempSync(join(tmpdir(), 'bronze-order-')), 'lake') });
    const writer = await BronzeWriter.open({ store: failingFirstUpload(store) });
    const origin = { kind: 'bus', bus: 'kafka', source: 'kafka://test' } as const;
    const first = writer.landEncoded(encodeBatch(busBatch('positions', 0, 100), writer.watermarks(), Date.now()), origin);
    const second = writer.landEncoded(encodeBatch(busBatch('trades', 100, 100), writer.watermarks(), Date.now()), origin);
    const [r1, r2] = await Promise.allSettled([first, second]);
    expect(r1).toMatchObject({ status: 'rejected', reason: { message: 'upload refused (test)' } });
    expect(r2).toMatchObject({ status: 'rejected', reason: { message: expect.stringContaining('an earlier batch failed to land') } });
    expect(writer.version).toBeNull();
    expect(await store.list('bronze/records/')).toEqual([]);

    // Both again, now that uploads work: two versions, in order, every record once.
    const again1 = writer.landEncoded(encodeBatch(busBatch('positions', 0, 100), writer.watermarks(), Date.now()), origin);
    const again2 = writer.landEncoded(encodeBatch(busBatch('trades', 100, 100), writer.watermarks(), Date.now()), origin);
    expect(await again1).toMatchObject({ version: 1, landed: 100 });
    expect(await again2).toMatchObject({ version: 2, landed: 100 });
    expect(writer.watermarks()).toEqual({ 'kafka:positions/0': '99', 'kafka:trades/0': '199' });
    writer.close();
  });

  it('writes a batch again without what another writer landed while it was uploading', async () => {
    const store = new LocalObjectStore({ root: join(mkdtempSync(join(tmpdir(), 'bronze-race-')), 'lake') });
    const origin = { kind: 'bus', bus: 'kafka', source: 'kafka://test' } as const;
    const other = await BronzeWriter.open({ store });
    let otherLanded: Promise<unknown> | null = null;
    // Test double: this writer's uploads wait until another writer (a second ingest process that got the partition in
    // a rebalance and read it from the committed offset) has landed offsets 0-149.
    const paused = new Proxy(store, {
      get(target, prop, receiver) {
        if (prop === 'putFile') {
          return async (...args: Parameters<ObjectStore['putFile']>) => {
            otherLanded ??= other.landEncoded(encodeBatch(busBatch('trades', 0, 150), other.watermarks(), Date.now()), origin);
            await otherLanded;
            return target.putFile(...args);
          };
        }
        const value = Reflect.get(target, prop, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const writer = await BronzeWriter.open({ store: paused });
    // Two batches in flight: the second must not commit on top of the other writer's version just because the first
    // one refreshed to it.
    const [a, b] = await Promise.all([
      writer.landEncoded(encodeBatch(busBatch('trades', 0, 50), writer.watermarks(), Date.now()), origin),
      writer.landEncoded(encodeBatch(busBatch('trades', 50, 50), writer.watermarks(), Date.now()), origin),
    ]);
    expect(a).toMatchObject({ landed: 0, alreadyLanded: 50 });
    expect(b).toMatchObject({ landed: 0, alreadyLanded: 50 });
    const catalog = await openCatalog({ store });
    const rows = await catalog.db.connection.runAndReadAll('SELECT count(*)::INTEGER AS n, count(DISTINCT "offset")::INTEGER AS d FROM bronze.records');
    expect(rows.getRowObjectsJson()[0]).toEqual({ n: 150, d: 150 });
    catalog.close();
    writer.close();
    other.close();
  });

  it('writes its staging files over from batch to batch, and removes them on close, or on open once their process is gone', async () => {
    const store = new LocalObjectStore({ root: join(mkdtempSync(join(tmpdir(), 'bronze-slots-')), 'lake') });
    const stagingDir = mkdtempSync(join(tmpdir(), 'bronze-staging-'));
    // Left by a writer on this host that was killed (pid 2^22 + 1 is above Linux's pid_max, so never alive): a slot file
    // and a batch directory; by a live one (this process); by one on another host (whose pid says nothing here).
    const host = createHash('sha256').update(hostname()).digest('hex').slice(0, 8);
    const other = host === '00000000' ? '11111111' : '00000000';
    const dead = `w-${host}-${2 ** 22 + 1}`;
    writeFileSync(join(stagingDir, `${dead}-slot-x-0.csv`), 'left over');
    mkdirSync(join(stagingDir, `${dead}-x`));
    writeFileSync(join(stagingDir, `${dead}-x`, 'part.parquet'), 'left over');
    const kept = [`w-${host}-${process.pid}-slot-x-0.csv`, `w-${other}-${2 ** 22 + 1}-slot-x-0.csv`].sort();
    for (const name of kept) writeFileSync(join(stagingDir, name), 'left over');
    const writer = await BronzeWriter.open({ store, stagingDir });
    expect(readdirSync(stagingDir).sort()).toEqual(kept);
    for (const name of kept) rmSync(join(stagingDir, name));
    const origin = { kind: 'bus', bus: 'kafka', source: 'kafka://test' } as const;
    // A large batch, then a smaller one in the same slot: only the second one's rows may land from it.
    expect(await writer.landEncoded(encodeBatch(busBatch('trades', 0, 5_000), writer.watermarks(), Date.now()), origin)).toMatchObject({ landed: 5_000 });
    expect(readdirSync(stagingDir)).toHaveLength(1);
    expect(await writer.landEncoded(encodeBatch(busBatch('trades', 5_000, 10), writer.watermarks(), Date.now()), origin)).toMatchObject({ landed: 10 });
    expect(readdirSync(stagingDir)).toHaveLength(1);
    const catalog = await openCatalog({ store });
    const rows = await catalog.db.connection.runAndReadAll('SELECT count(*)::INTEGER AS n, count(DISTINCT "offset")::INTEGER AS d, max("offset")::INTEGER AS top FROM bronze.records');
    expect(rows.getRowObjectsJson()[0]).toEqual({ n: 5_010, d: 5_010, top: 5_009 });
    catalog.close();
    writer.close();
    expect(readdirSync(stagingDir)).toEqual([]);
  });
});
