import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, DeleteObjectCommand,
  GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client, UploadPartCommand,
  type CompletedPart, type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { LakehouseError, PreconditionFailedError, TerminalError, TransientError } from '../lib/errors.js';
import { silentLogger, type Logger } from '../lib/log.js';
import { compareKeys, validateKey, validatePrefix } from './local-store.js';
import type { ObjectInfo, ObjectStore, PutOptions } from './object-store.js';
import { retry } from './retry.js';

const MiB = 1024 * 1024;

export interface S3ObjectStoreOptions {
  bucket: string;
  /** Key prefix inside the bucket ('' for the bucket root); leading/trailing '/' are ignored. */
  prefix?: string;
  /** An S3-compatible server (RGW, MinIO): switches to path-style addressing and checksums only when required. */
  endpoint?: string;
  region?: string;
  credentials?: S3ClientConfig['credentials'];
  forcePathStyle?: boolean;
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  partSizeBytes?: number;
  multipartThresholdBytes?: number;
  /** Parts uploaded at once by putFile (extra option, default 4). */
  partConcurrency?: number;
  /** Where localPath() keeps downloads; default <tmpdir>/lakehouse-cache/<sha256(uri) first 16 hex>. */
  cacheDir?: string;
  /** A socket silent for this long is a failed (retriable) attempt (extra option, default 60 s). */
  socketTimeoutMs?: number;
  logger?: Logger;
}

type Failure = 'precondition' | 'notFound' | 'retriable' | 'terminal';
const RETRIABLE_CODES = new Set(['SlowDown', 'ThrottlingException', 'Throttling', 'RequestTimeout', 'TooManyRequestsException',
  'InternalError', 'ServiceUnavailable', 'RequestTimeTooSkewed', 'TimeoutError']);
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

const statusOf = (err: unknown): number | undefined => (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
const codeOf = (err: unknown): string | undefined => (err as { code?: string })?.code ?? (err as Error)?.name;

/** Sorts an SDK or network error into what the store does with it. */
export function classifyS3Error(err: unknown): Failure {
  if (err instanceof LakehouseError) return err.retriable ? 'retriable' : 'terminal';
  const status = statusOf(err);
  const name = (err as Error)?.name ?? '';
  const code = (err as { code?: string })?.code ?? '';
  if (status === 412 || name === 'PreconditionFailed' || name === 'ConditionalRequestConflict') return 'precondition';
  if (status === 404 || name === 'NoSuchKey' || name === 'NotFound') return 'notFound';
  if (RETRIABLE_CODES.has(name) || NETWORK_CODES.has(code) || status === 429 || (status !== undefined && status >= 500)) return 'retriable';
  if (status === undefined && /socket hang up|ECONNRESET|EPIPE|timed? ?out|aborted/i.test((err as Error)?.message ?? '')) return 'retriable';
  return 'terminal';
}

const unquote = (etag: string | undefined) => etag?.replace(/^W\//, '').replace(/^"(.*)"$/, '$1');

/**
 * S3 (or an S3-compatible server) under `s3://bucket/prefix`. The SDK's own retries are off (maxAttempts 1):
 * ours are logged per key and attempt, and we decide what a conditional write's retry means.
 * ETags are returned without quotes; ifMatch accepts either form and is sent unquoted.
 */
export class S3ObjectStore implements ObjectStore {
  readonly uri: string;
  readonly isLocal = false;
  readonly bucket: string;
  readonly keyPrefix: string;
  private readonly client: S3Client;
  private readonly log: Logger;
  private readonly retryOptions: { maxAttempts: number; baseDelayMs: number; maxDelayMs: number };
  private readonly partSizeBytes: number;
  private readonly multipartThresholdBytes: number;
  private readonly partConcurrency: number;
  readonly cacheDir: string;

  constructor(options: S3ObjectStoreOptions) {
    const trimmed = (options.prefix ?? '').replace(/^\/+|\/+$/g, '');
    this.bucket = options.bucket;
    this.keyPrefix = trimmed === '' ? '' : `${trimmed}/`;
    this.uri = `s3://${options.bucket}${trimmed === '' ? '' : `/${trimmed}`}`;
    this.retryOptions = { maxAttempts: options.maxAttempts ?? 6, baseDelayMs: options.baseDelayMs ?? 100, maxDelayMs: options.maxDelayMs ?? 5_000 };
    this.partSizeBytes = Math.max(5 * MiB, options.partSizeBytes ?? 16 * MiB);
    this.multipartThresholdBytes = options.multipartThresholdBytes ?? 16 * MiB;
    this.partConcurrency = Math.max(1, options.partConcurrency ?? 4);
    this.cacheDir = options.cacheDir
      ?? path.join(os.tmpdir(), 'lakehouse-cache', createHash('sha256').update(this.uri).digest('hex').slice(0, 16));
    this.log = (options.logger ?? silentLogger).child({ module: 'store.s3', uri: this.uri });
    const compatible = options.endpoint !== undefined;
    this.client = new S3Client({
      region: options.region ?? 'us-east-1',
      endpoint: options.endpoint,
      credentials: options.credentials,
      forcePathStyle: compatible ? true : options.forcePathStyle,
      maxAttempts: 1,
      // With the SDK's default checksums, streamed uploads fail with 411 on Ceph RGW.
      ...(compatible ? { requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' } as const : {}),
      requestHandler: { connectionTimeout: 10_000, socketTimeout: options.socketTimeoutMs ?? 60_000 },
      // Without a logger the SDK warns on the console about streamed bodies it will not retry (we do). Its info
      // lines echo whole command inputs, so they are dropped; only its warnings and errors reach our log, as text.
      logger: {
        debug: () => {}, info: () => {}, trace: () => {},
        warn: (...args: unknown[]) => this.log.debug({ sdk: args.map(String).join(' ') }, 'aws sdk warning'),
        error: (...args: unknown[]) => this.log.warn({ sdk: args.map(String).join(' ') }, 'aws sdk error'),
      },
    });
  }

  private fullKey(key: string): string {
    return this.keyPrefix + validateKey(key);
  }

  /** One logical operation: our retry loop, then errors mapped onto lib/errors.ts. */
  private async call<T>(op: string, key: string, fn: (attempt: number) => Promise<T>): Promise<T> {
    try {
      return await retry(fn, {
        ...this.retryOptions,
        isRetriable: (err) => classifyS3Error(err) === 'retriable',
        onRetry: ({ attempt, delayMs, error }) =>
          this.log.warn({ op, key, attempt, delayMs, status: statusOf(error), code: codeOf(error) }, 's3 request failed, retrying'),
      });
    } catch (err) {
      if (err instanceof LakehouseError) throw err;
      const details = { op, key, uri: this.uri, status: statusOf(err), code: codeOf(err) };
      switch (classifyS3Error(err)) {
        case 'precondition': throw new PreconditionFailedError(key, err);
        case 'retriable':
          throw new TransientError(`S3 ${op} ${key} failed after ${this.retryOptions.maxAttempts} attempts (${details.code ?? details.status})`,
            { ...details, attempts: this.retryOptions.maxAttempts }, err);
        default: throw new TerminalError(`S3 ${op} ${key} failed (${details.code ?? details.status})`, details, err);
      }
    }
  }

  private async fetch(key: string): Promise<{ body: Buffer; etag?: string } | null> {
    const Key = this.fullKey(key);
    return this.call('get', key, async () => {
      try {
        const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key }));
        return { body: Buffer.from(await res.Body!.transformToByteArray()), etag: unquote(res.ETag) };
      } catch (err) {
        if (classifyS3Error(err) === 'notFound') return null;
        throw err;
      }
    });
  }

  async get(key: string): Promise<Buffer | null> {
    return (await this.fetch(key))?.body ?? null;
  }

  async head(key: string): Promise<ObjectInfo | null> {
    const Key = this.fullKey(key);
    return this.call('head', key, async () => {
      try {
        const res = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key }));
        return { key, size: res.ContentLength ?? 0, etag: unquote(res.ETag), lastModified: res.LastModified };
      } catch (err) {
        if (classifyS3Error(err) === 'notFound') return null;
        throw err;
      }
    });
  }

  async put(key: string, body: Buffer | string, options: PutOptions = {}): Promise<{ etag?: string }> {
    const Key = this.fullKey(key);
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    const conditional = options.ifNoneMatch !== undefined || options.ifMatch !== undefined;
    await this.dropCached(key);
    return this.call('put', key, async (attempt) => {
      try {
        const res = await this.client.send(new PutObjectCommand({
          Bucket: this.bucket, Key, Body: bytes, ContentLength: bytes.length, ContentType: options.contentType,
          // Unquoted: Ceph RGW (Pacific) and DigitalOcean compare If-Match literally with the bare ETag and 412 the quoted form.
          IfNoneMatch: options.ifNoneMatch, IfMatch: options.ifMatch === undefined ? undefined : unquote(options.ifMatch),
        }));
        return { etag: unquote(res.ETag) };
      } catch (err) {
        const kind = classifyS3Error(err);
        // If-Match on a missing object: the object did not have the expected ETag.
        if (options.ifMatch !== undefined && kind === 'notFound') throw new PreconditionFailedError(key, err);
        // An earlier attempt may have landed with its response lost; then the 412 is our own write.
        if (conditional && kind === 'precondition' && attempt > 1) {
          const current = await this.fetch(key);
          if (current?.body.equals(bytes)) {
            this.log.info({ op: 'put', key, attempt }, 'conditional put already applied by an earlier attempt');
            return { etag: current.etag };
          }
        }
        throw err;
      }
    });
  }

  async putFile(key: string, localPath: string, options: { move?: boolean; contentType?: string } = {}): Promise<{ etag?: string; size: number }> {
    const Key = this.fullKey(key);
    const { size } = await fs.stat(localPath);
    await this.dropCached(key);
    const result = size > this.multipartThresholdBytes
      ? await this.putMultipart(key, Key, localPath, size, options.contentType)
      : await this.call('put', key, async () => {
        const res = await this.client.send(new PutObjectCommand({
          Bucket: this.bucket, Key, Body: createReadStream(localPath), ContentLength: size, ContentType: options.contentType,
        }));
        return { etag: unquote(res.ETag), size };
      });
    if (options.move) await fs.rm(localPath, { force: true });
    return result;
  }

  private async putMultipart(key: string, Key: string, file: string, size: number, contentType?: string): Promise<{ etag?: string; size: number }> {
    // S3 allows at most 10,000 parts: grow the part size for very large files.
    const partSize = Math.max(this.partSizeBytes, Math.ceil(size / 10_000));
    const partCount = Math.ceil(size / partSize);
    const created = await this.call('create-multipart', key, () =>
      this.client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key, ContentType: contentType })));
    const UploadId = created.UploadId!;
    const log = this.log.child({ key, uploadId: UploadId });
    try {
      const parts: CompletedPart[] = new Array(partCount);
      let next = 0;
      let failed = false;
      const worker = async () => {
        while (!failed && next < partCount) {
          const index = next++;
          const start = index * partSize;
          const length = Math.min(partSize, size - start);
          try {
            const res = await this.call(`upload-part ${index + 1}/${partCount}`, key, () => this.client.send(new UploadPartCommand({
              Bucket: this.bucket, Key, UploadId, PartNumber: index + 1, ContentLength: length,
              Body: createReadStream(file, { start, end: start + length - 1 }),
            })));
            parts[index] = { PartNumber: index + 1, ETag: res.ETag };
          } catch (err) {
            failed = true;
            throw err;
          }
        }
      };
      // Wait for every in-flight part before aborting, or a late part could outlive the abort.
      const settled = await Promise.allSettled(Array.from({ length: Math.min(this.partConcurrency, partCount) }, worker));
      const rejected = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
      if (rejected) throw rejected.reason;
      const done = await this.call('complete-multipart', key, async (attempt) => {
        try {
          return await this.client.send(new CompleteMultipartUploadCommand({ Bucket: this.bucket, Key, UploadId, MultipartUpload: { Parts: parts } }));
        } catch (err) {
          // A retried complete whose first response was lost finds the upload gone but the object there.
          if (attempt > 1 && (err as Error).name === 'NoSuchUpload') {
            const head = await this.head(key);
            if (head?.size === size) return { ETag: head.etag };
          }
          throw err;
        }
      });
      log.debug({ parts: partCount, size }, 'multipart upload complete');
      // RGW answers CompleteMultipartUpload with an empty ETag; HEAD has the real one.
      return { etag: unquote(done.ETag) || (await this.head(key))?.etag, size };
    } catch (err) {
      await this.call('abort-multipart', key, () => this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key, UploadId })))
        .catch((abortErr) => log.error({ err: abortErr }, 'could not abort multipart upload; its parts remain until a lifecycle rule removes them'));
      throw err;
    }
  }

  async localPath(key: string): Promise<string> {
    const Key = this.fullKey(key);
    const file = path.join(this.cacheDir, key);
    if ((await fs.stat(file).catch(() => null))?.isFile()) return file;
    await fs.mkdir(path.dirname(file), { recursive: true });
    const found = await this.call('download', key, async () => {
      const tmp = path.join(path.dirname(file), `.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`);
      try {
        const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key }));
        await pipeline(res.Body as Readable, createWriteStream(tmp, { flags: 'wx' }));
        await fs.rename(tmp, file); // readers of the cache never see a partial download
        return true;
      } catch (err) {
        if (classifyS3Error(err) === 'notFound') return false;
        throw err;
      } finally {
        await fs.rm(tmp, { force: true });
      }
    });
    if (!found) throw new TerminalError(`no object ${key} in ${this.uri}`, { key, uri: this.uri });
    return file;
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    validatePrefix(prefix);
    const out: ObjectInfo[] = [];
    let ContinuationToken: string | undefined;
    do {
      const res = await this.call('list', prefix, () => this.client.send(new ListObjectsV2Command({
        Bucket: this.bucket, Prefix: this.keyPrefix + prefix, ContinuationToken,
      })));
      for (const o of res.Contents ?? []) {
        if (o.Key === undefined || !o.Key.startsWith(this.keyPrefix)) continue;
        out.push({ key: o.Key.slice(this.keyPrefix.length), size: o.Size ?? 0, etag: unquote(o.ETag), lastModified: o.LastModified });
      }
      ContinuationToken = res.IsTruncated ? res.NextContinuationToken : undefined;
    } while (ContinuationToken);
    return out.sort((a, b) => compareKeys(a.key, b.key));
  }

  async delete(key: string): Promise<void> {
    const Key = this.fullKey(key);
    await this.dropCached(key);
    await this.call('delete', key, async () => {
      try {
        await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key }));
      } catch (err) {
        if (classifyS3Error(err) !== 'notFound') throw err;
      }
    });
  }

  async close(): Promise<void> {
    this.client.destroy();
  }

  /** Keys are only re-put after a delete by contract, but a stale cached copy must never survive that. */
  private async dropCached(key: string): Promise<void> {
    await fs.rm(path.join(this.cacheDir, key), { force: true });
  }
}
