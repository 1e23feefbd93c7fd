/**
 * The object store port. Keys are '/'-separated paths relative to the store's root
 * (a local directory, or an S3 bucket and prefix); no key starts with '/' or contains '..'.
 * Two adapters: `LocalObjectStore` (store/local-store.ts) and `S3ObjectStore` (store/s3-store.ts).
 * Nothing outside store/ knows which one is in use.
 */
export interface ObjectInfo {
  key: string;
  size: number;
  etag?: string;
  lastModified?: Date;
}

export interface PutOptions {
  /** '*' = create only if absent; on conflict the put throws PreconditionFailedError (lib/errors.ts). */
  ifNoneMatch?: '*';
  /** Replace only if the current ETag matches; else PreconditionFailedError. */
  ifMatch?: string;
  contentType?: string;
}

export interface ObjectStore {
  /** Display form: `file:///abs/dir` or `s3://bucket/prefix`. Never contains credentials. */
  readonly uri: string;
  /** True when objects are plain files that DuckDB can read in place. */
  readonly isLocal: boolean;

  /** The object's bytes, or null when it does not exist. */
  get(key: string): Promise<Buffer | null>;
  head(key: string): Promise<ObjectInfo | null>;
  /** Durable when resolved (local: written to a temp file, fsync'd, renamed, directory fsync'd). Atomic: readers see all or nothing. */
  put(key: string, body: Buffer | string, options?: PutOptions): Promise<{ etag?: string }>;
  /**
   * Uploads a local file, streamed (multipart on S3 above the part size), durable and atomic when resolved.
   * A failed upload leaves no object behind (multipart uploads are aborted).
   * `move: true` lets the local adapter rename instead of copy; the source file is gone afterwards in either adapter.
   */
  putFile(key: string, localPath: string, options?: { move?: boolean; contentType?: string }): Promise<{ etag?: string; size: number }>;
  /**
   * A local file path holding the object's bytes, for readers such as DuckDB that need files:
   * the object itself for the local adapter, a cached download for S3 (immutable objects only).
   */
  localPath(key: string): Promise<string>;
  /** Every object under the prefix, in key order. */
  list(prefix: string): Promise<ObjectInfo[]>;
  /** Deleting an absent key is not an error. */
  delete(key: string): Promise<void>;
  close(): Promise<void>;
}
