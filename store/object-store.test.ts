/**
 * One contract, two adapters: LocalObjectStore in a temp dir and S3ObjectStore against the real RGW that
 * test/global-setup.ts starts. The S3-only fault tests put test/fault-proxy.ts between the client and RGW.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { CreateBucketCommand, ListMultipartUploadsCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { PreconditionFailedError, TerminalError, TransientError, UsageError } from '../lib/errors.js';
import { createLogger } from '../lib/log.js';
import { isUploadPart, startFaultProxy, type FaultProxy } from '../test/fault-proxy.js';
import { LocalObjectStore } from './local-store.js';
import type { ObjectStore } from './object-store.js';
import { openStore, parseStoreUri } from './open-store.js';
import { S3ObjectStore, type S3ObjectStoreOptions } from './s3-store.js';

const MiB = 1024 * 1024;
const s3 = inject('s3');
const bucket = `lakehouse-store-${randomBytes(4).toString('hex')}`;
const credentials = { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey };
let scratch: string;
let admin: S3Client;
let testNo = 0;
const opened: ObjectStore[] = [];

beforeAll(async () => {
  scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'lakehouse-store-test-'));
  admin = new S3Client({ endpoint: s3.endpoint, region: s3.region, credentials, forcePathStyle: true });
  await admin.send(new CreateBucketCommand({ Bucket: bucket }));
});
afterEach(async () => { await Promise.all(opened.splice(0).map((s) => s.close())); });
afterAll(async () => {
  admin?.destroy();
  if (scratch) await fs.rm(scratch, { recursive: true, force: true });
});

function s3Store(overrides: Partial<S3ObjectStoreOptions> = {}): S3ObjectStore {
  const id = `t${++testNo}-${randomBytes(3).toString('hex')}`;
  const store = new S3ObjectStore({
    bucket, prefix: `runs/${id}`, endpoint: s3.endpoint, region: s3.region, credentials,
    baseDelayMs: 5, maxDelayMs: 20, partSizeBytes: 5 * MiB, multipartThresholdBytes: 5 * MiB,
    cacheDir: path.join(scratch, `cache-${id}`), ...overrides,
  });
  opened.push(store);
  return store;
}

async function localStore(): Promise<ObjectStore> {
  const store = new LocalObjectStore({ root: path.join(scratch, `local-${++testNo}`) });
  opened.push(store);
  return store;
}

async function tempFile(bytes: Buffer): Promise<string> {
  const file = path.join(scratch, `src-${randomBytes(6).toString('hex')}.bin`);
  await fs.writeFile(file, bytes);
  return file;
}

function objectStoreContract(name: string, make: () => Promise<ObjectStore>, traits: { multipartEtags: boolean }) {
  describe(`ObjectStore contract: ${name}`, () => {
    it('round-trips put, get, head, list and delete', async () => {
      const store = await make();
      const { etag } = await store.put('a/b.txt', 'hello');
      expect((await store.get('a/b.txt'))?.toString()).toBe('hello');
      const info = await store.head('a/b.txt');
      expect(info).toMatchObject({ key: 'a/b.txt', size: 5 });
      expect(info?.etag).toBe(etag);
      expect((await store.list('')).map((o) => o.key)).toEqual(['a/b.txt']);
      await store.delete('a/b.txt');
      expect(await store.get('a/b.txt')).toBeNull();
      expect(await store.head('a/b.txt')).toBeNull();
      await store.delete('a/b.txt');
    });

    it('answers null for a key that was never written', async () => {
      const store = await make();
      expect(await store.get('never/written')).toBeNull();
      expect(await store.head('never/written')).toBeNull();
      expect(await store.list('never/')).toEqual([]);
    });

    it('keeps binary content byte for byte and overwrites with a plain put', async () => {
      const store = await make();
      const bytes = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), randomBytes(64 * 1024)]);
      await store.put('bin/blob', 'first');
      await store.put('bin/blob', bytes);
      expect((await store.get('bin/blob'))?.equals(bytes)).toBe(true);
      expect((await store.head('bin/blob'))?.size).toBe(bytes.length);
    });

    it("accepts hive partition keys with '='", async () => {
      const store = await make();
      const key = 'topic=trades/dt=2026-03-02/part-1.parquet';
      await store.put(key, 'x');
      expect((await store.get(key))?.toString()).toBe('x');
      expect((await store.list('topic=trades/')).map((o) => o.key)).toEqual([key]);
      expect((await store.list('topic=trades/dt=2026-03')).map((o) => o.key)).toEqual([key]);
    });

    it('lists in key order and only under the prefix', async () => {
      const store = await make();
      for (const key of ['p/b', 'pq/z', 'p/a/x', 'p0', 'p/a-1', 'q/p/a']) await store.put(key, key);
      expect((await store.list('p/')).map((o) => o.key)).toEqual(['p/a-1', 'p/a/x', 'p/b']);
      expect((await store.list('p')).map((o) => o.key)).toEqual(['p/a-1', 'p/a/x', 'p/b', 'p0', 'pq/z']);
      expect((await store.list('')).map((o) => o.key)).toEqual(['p/a-1', 'p/a/x', 'p/b', 'p0', 'pq/z', 'q/p/a']);
      expect((await store.list('p/b')).map((o) => ({ key: o.key, size: o.size }))).toEqual([{ key: 'p/b', size: 3 }]);
    });

    it("creates once with ifNoneMatch '*' and refuses the second put", async () => {
      const store = await make();
      await store.put('commit/00001.json', 'first', { ifNoneMatch: '*' });
      await expect(store.put('commit/00001.json', 'second', { ifNoneMatch: '*' })).rejects.toBeInstanceOf(PreconditionFailedError);
      expect((await store.get('commit/00001.json'))?.toString()).toBe('first');
    });

    it('lets exactly one of several concurrent creators win', async () => {
      const store = await make();
      const results = await Promise.allSettled(
        Array.from({ length: 5 }, (_, i) => store.put('commit/00002.json', `writer ${i}`, { ifNoneMatch: '*' })));
      const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
      expect(winners).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(PreconditionFailedError);
      expect((await store.get('commit/00002.json'))?.toString()).toBe(`writer ${winners[0]}`);
    });

    it('replaces only when ifMatch names the current ETag', async () => {
      const store = await make();
      const v1 = await store.put('manifest.json', 'v1');
      const v2 = await store.put('manifest.json', 'v2', { ifMatch: v1.etag! });
      expect(v2.etag).not.toBe(v1.etag);
      await expect(store.put('manifest.json', 'v3', { ifMatch: v1.etag! })).rejects.toBeInstanceOf(PreconditionFailedError);
      expect((await store.get('manifest.json'))?.toString()).toBe('v2');
      expect((await store.head('manifest.json'))?.etag).toBe(v2.etag);
      await expect(store.put('absent.json', 'x', { ifMatch: v1.etag! })).rejects.toBeInstanceOf(PreconditionFailedError);
      expect(await store.get('absent.json')).toBeNull();
    });

    it('uploads a small file with putFile, keeping the source unless move is set', async () => {
      const store = await make();
      const bytes = randomBytes(100_000);
      const src = await tempFile(bytes);
      expect((await store.putFile('files/copy.bin', src)).size).toBe(bytes.length);
      expect(existsSync(src)).toBe(true);
      expect((await store.putFile('files/moved.bin', src, { move: true })).size).toBe(bytes.length);
      expect(existsSync(src)).toBe(false);
      expect((await store.get('files/copy.bin'))?.equals(bytes)).toBe(true);
      expect((await store.get('files/moved.bin'))?.equals(bytes)).toBe(true);
    });

    it('uploads an 11 MiB file in parts and it lands whole', async () => {
      const store = await make();
      const bytes = randomBytes(11 * MiB);
      const src = await tempFile(bytes);
      const result = await store.putFile('big/part-0.parquet', src, { move: true });
      expect(result.size).toBe(bytes.length);
      if (traits.multipartEtags) expect(result.etag).toMatch(/-3$/);
      expect(existsSync(src)).toBe(false);
      expect((await store.head('big/part-0.parquet'))?.size).toBe(bytes.length);
      expect((await store.get('big/part-0.parquet'))?.equals(bytes)).toBe(true);
    });

    it('gives localPath a readable file with the same bytes, and refuses a missing key', async () => {
      const store = await make();
      const bytes = randomBytes(10_000);
      await store.put('dt=2026-03-02/data.parquet', bytes);
      const file = await store.localPath('dt=2026-03-02/data.parquet');
      expect(path.isAbsolute(file)).toBe(true);
      expect((await fs.readFile(file)).equals(bytes)).toBe(true);
      expect(await store.localPath('dt=2026-03-02/data.parquet')).toBe(file);
      await expect(store.localPath('dt=2026-03-02/missing.parquet')).rejects.toBeInstanceOf(TerminalError);
    });

    it('refuses bad keys with a TerminalError naming the key', async () => {
      const store = await make();
      for (const key of ['/abs', 'a/../b', '..', 'a//b', '', 'a\0b', 'a/', './a']) {
        const err = await store.put(key, 'x').catch((e) => e);
        expect(err, key).toBeInstanceOf(TerminalError);
        expect(err.details.key).toBe(key);
        await expect(store.get(key)).rejects.toBeInstanceOf(TerminalError);
      }
      expect(await store.list('')).toEqual([]);
    });
  });
}

objectStoreContract('local', localStore, { multipartEtags: false });
objectStoreContract('S3 (RGW)', async () => s3Store(), { multipartEtags: true });

describe('S3ObjectStore under injected faults', () => {
  let proxy: FaultProxy;
  const logLines: string[] = [];
  const logger = createLogger({ level: 'debug', destination: new Writable({ write(chunk, _enc, cb) { logLines.push(String(chunk)); cb(); } }) });
  const faulty = () => s3Store({ endpoint: proxy.endpoint, maxAttempts: 4, logger });

  beforeAll(async () => { proxy = await startFaultProxy({ target: s3.endpoint }); });
  afterEach(() => { proxy.clear(); proxy.resetCounts(); logLines.length = 0; });
  afterAll(async () => { await proxy?.close(); });

  async function multipartUploadsUnder(store: S3ObjectStore) {
    const res = await admin.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: store.keyPrefix }));
    return res.Uploads ?? [];
  }

  it('lands a put whose first two attempts are throttled with 503 SlowDown, and logs the retries', async () => {
    const store = faulty();
    proxy.failNext(2, { method: 'PUT', status: 503 });
    await store.put('slow/a.txt', 'eventually');
    expect(proxy.count('PUT')).toBe(3);
    expect(proxy.faults('PUT')).toBe(2);
    expect((await store.get('slow/a.txt'))?.toString()).toBe('eventually');
    const retries = logLines.map((l) => JSON.parse(l)).filter((l) => l.msg === 's3 request failed, retrying');
    expect(retries.map((l) => [l.key, l.attempt, l.status, l.code])).toEqual([['slow/a.txt', 1, 503, 'SlowDown'], ['slow/a.txt', 2, 503, 'SlowDown']]);
    expect(logLines.join('')).not.toContain(s3.secretAccessKey);
  });

  it('lands a multipart upload whole when UploadPart fails twice', async () => {
    const store = faulty();
    const bytes = randomBytes(11 * MiB);
    proxy.failNext(2, { match: isUploadPart, status: 503 });
    const result = await store.putFile('mp/whole.bin', await tempFile(bytes));
    expect(proxy.faults('PUT')).toBe(2);
    expect(proxy.count('PUT')).toBe(5);
    expect(result.etag).toMatch(/-3$/);
    expect((await store.get('mp/whole.bin'))?.equals(bytes)).toBe(true);
  });

  it('leaves no object and no multipart upload behind when every part upload fails', async () => {
    const store = faulty();
    const src = await tempFile(randomBytes(11 * MiB));
    proxy.failAll({ match: isUploadPart, status: 'drop' });
    const err = await store.putFile('mp/never.bin', src, { move: true }).catch((e) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect(err.details).toMatchObject({ key: 'mp/never.bin' });
    proxy.clear();
    expect(await store.head('mp/never.bin')).toBeNull();
    expect(await multipartUploadsUnder(store)).toEqual([]);
    expect(existsSync(src)).toBe(true);
  });

  it('gives up with TransientError after maxAttempts when every PUT fails, leaving no object', async () => {
    const store = faulty();
    proxy.failAll({ method: 'PUT', status: 503 });
    const err = await store.put('down/a.txt', 'x').catch((e) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect(err.message).toContain('down/a.txt');
    expect(proxy.count('PUT')).toBe(4);
    await expect(store.putFile('down/b.bin', await tempFile(randomBytes(1000)))).rejects.toBeInstanceOf(TransientError);
    proxy.clear();
    expect(await store.list('down/')).toEqual([]);
    expect(await multipartUploadsUnder(store)).toEqual([]);
  });

  it('retries a GET that failed with 500 InternalError', async () => {
    const store = faulty();
    await store.put('get/a.txt', 'payload');
    proxy.resetCounts();
    proxy.failNext(1, { method: 'GET', status: 500 });
    expect((await store.get('get/a.txt'))?.toString()).toBe('payload');
    expect(proxy.count('GET')).toBe(2);
  });

  it('retries a connection dropped during a download for localPath', async () => {
    const store = faulty();
    await store.put('get/b.bin', randomBytes(5000));
    proxy.failNext(1, { method: 'GET', status: 'drop' });
    const file = await store.localPath('get/b.bin');
    expect((await fs.readFile(file)).equals((await store.get('get/b.bin'))!)).toBe(true);
  });

  it('does not retry a 412 Precondition Failed', async () => {
    const store = faulty();
    await store.put('cas/a.json', 'one', { ifNoneMatch: '*' });
    proxy.resetCounts();
    await expect(store.put('cas/a.json', 'two', { ifNoneMatch: '*' })).rejects.toBeInstanceOf(PreconditionFailedError);
    expect(proxy.count('PUT')).toBe(1);
  });

  it('treats the 412 after a lost response as success when the stored bytes are ours', async () => {
    const store = faulty();
    proxy.failNext(1, { method: 'PUT', status: 'drop-response' });
    const { etag } = await store.put('cas/lost.json', 'mine', { ifNoneMatch: '*' });
    expect(proxy.count('PUT')).toBe(2);
    expect(etag).toBe((await store.head('cas/lost.json'))?.etag);
    expect((await store.get('cas/lost.json'))?.toString()).toBe('mine');
  });
});

describe('openStore', () => {
  it('opens relative, absolute and file:// paths as local stores', () => {
    expect(parseStoreUri('lake', '/srv')).toEqual({ kind: 'local', root: '/srv/lake' });
    expect(parseStoreUri('/data/lake/')).toEqual({ kind: 'local', root: '/data/lake' });
    expect(parseStoreUri('file:///data/lake')).toEqual({ kind: 'local', root: '/data/lake' });
    const store = openStore('file:///data/lake');
    expect(store).toBeInstanceOf(LocalObjectStore);
    expect(store.uri).toBe('file:///data/lake');
    expect(store.isLocal).toBe(true);
  });

  it('opens s3://bucket/prefix with the endpoint and region from the environment', async () => {
    expect(parseStoreUri('s3://my-bucket')).toEqual({ kind: 's3', bucket: 'my-bucket', prefix: '' });
    const env = { S3_ENDPOINT: s3.endpoint, AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey };
    const store = openStore(`s3://${bucket}/open/store/`, { env, cacheDir: path.join(scratch, 'open-cache') });
    opened.push(store);
    expect(store).toBeInstanceOf(S3ObjectStore);
    expect(store.uri).toBe(`s3://${bucket}/open/store`);
    expect(store.isLocal).toBe(false);
    await store.put('k', 'v');
    expect((await store.get('k'))?.toString()).toBe('v');
  });

  it('refuses malformed URIs with a UsageError naming the URI', () => {
    for (const uri of ['', 's3://', 's3:///prefix', 's3://Bad_Bucket/x', 's3://bucket/../x', 'gs://bucket/x', 'file://host/x', 'http://x']) {
      const err = (() => { try { openStore(uri); } catch (e) { return e; } })();
      expect(err, uri).toBeInstanceOf(UsageError);
      expect((err as Error).message).toContain(JSON.stringify(uri));
    }
    const err = (() => { try { openStore('s3://KEY:hunter2@bucket/x'); } catch (e) { return e as Error; } })();
    expect(err).toBeInstanceOf(UsageError);
    expect(err?.message).not.toContain('hunter2');
  });
});
