import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../lib/errors.js';
import type { Logger } from '../lib/log.js';
import { LocalObjectStore } from './local-store.js';
import type { ObjectStore } from './object-store.js';
import { S3ObjectStore } from './s3-store.js';

export interface OpenStoreOptions {
  /** Where S3 settings come from; process.env by default. */
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  /** S3 only: where localPath() caches downloads. */
  cacheDir?: string;
}

export type StoreLocation =
  | { kind: 'local'; root: string }
  | { kind: 's3'; bucket: string; prefix: string };

// S3 bucket naming rules (lowercase, digits, '.', '-', 3 to 63 characters, alphanumeric at both ends).
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Never echo a password or secret that someone pasted into a URI. */
const redact = (uri: string) => uri.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1***@');

function malformed(uri: string, why: string): UsageError {
  return new UsageError(`invalid store URI ${JSON.stringify(redact(uri))}: ${why} (expected a directory path, file:///abs/dir or s3://bucket[/prefix])`,
    { uri: redact(uri) });
}

/** Parses a store URI without touching the file system or the network. */
export function parseStoreUri(uri: string, cwd: string = process.cwd()): StoreLocation {
  if (typeof uri !== 'string' || uri.trim() === '') throw malformed(String(uri), 'empty');
  if (uri.includes('\0')) throw malformed(uri, 'contains NUL');
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(uri)?.[1]?.toLowerCase();
  if (scheme === undefined) return { kind: 'local', root: path.resolve(cwd, uri) };
  if (scheme === 'file') {
    if (!uri.startsWith('file:///')) throw malformed(uri, 'a file URI needs an absolute path (file:///...)');
    try {
      return { kind: 'local', root: path.resolve(fileURLToPath(uri)) };
    } catch (err) {
      throw malformed(uri, (err as Error).message);
    }
  }
  if (scheme === 's3') {
    const m = /^s3:\/\/([^/]*)(?:\/(.*))?$/i.exec(uri);
    if (!m) throw malformed(uri, "expected s3://bucket[/prefix]");
    const [, bucket, rest = ''] = m;
    if (bucket.includes('@')) throw malformed(uri, 'credentials do not belong in the URI (use AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY)');
    if (!BUCKET.test(bucket)) throw malformed(uri, `bad bucket name ${JSON.stringify(bucket)}`);
    if (/[?#]/.test(rest)) throw malformed(uri, 'query strings and fragments are not supported');
    const prefix = rest.replace(/\/+$/, '');
    if (prefix !== '' && prefix.split('/').some((s) => s === '' || s === '.' || s === '..')) {
      throw malformed(uri, 'the prefix may not contain empty, "." or ".." segments');
    }
    return { kind: 's3', bucket, prefix };
  }
  throw malformed(uri, `unsupported scheme ${scheme}:`);
}

/**
 * Opens the store a URI names: a local path (relative to the working directory, or absolute), file:///abs/path,
 * or s3://bucket[/prefix]. S3 settings come from the environment: endpoint S3_ENDPOINT, AWS_ENDPOINT_URL_S3 or
 * AWS_ENDPOINT_URL; region AWS_REGION or AWS_DEFAULT_REGION (us-east-1); credentials AWS_ACCESS_KEY_ID /
 * AWS_SECRET_ACCESS_KEY when `env` has them, else the SDK's default chain (profiles, instance roles).
 */
export function openStore(uri: string, options: OpenStoreOptions = {}): ObjectStore {
  const location = parseStoreUri(uri);
  if (location.kind === 'local') return new LocalObjectStore({ root: location.root });
  const env = options.env ?? process.env;
  const endpoint = env.S3_ENDPOINT || env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || undefined;
  if (endpoint !== undefined && !URL.canParse(endpoint)) {
    throw new UsageError(`invalid S3 endpoint ${JSON.stringify(endpoint)} (expected e.g. http://127.0.0.1:7480)`, { endpoint });
  }
  const credentials = env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
    ? { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, sessionToken: env.AWS_SESSION_TOKEN || undefined }
    : undefined;
  return new S3ObjectStore({
    bucket: location.bucket,
    prefix: location.prefix,
    endpoint,
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1',
    credentials,
    cacheDir: options.cacheDir,
    logger: options.logger,
  });
}
