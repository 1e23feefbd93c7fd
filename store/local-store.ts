import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { LakehouseError, PreconditionFailedError, TerminalError } from '../lib/errors.js';
import type { ObjectInfo, ObjectStore, PutOptions } from './object-store.js';

/** Names the local adapter uses for its own scratch files; list() skips them and keys may not use them. */
const TEMP_PREFIX = '.tmp-';
const LOCK_PREFIX = '.lock-';

/**
 * The key rules of the port, shared by both adapters (exported for store/s3-store.ts).
 * Segments starting with `.tmp-` / `.lock-` are refused too: they are the local adapter's scratch files.
 */
export function validateKey(key: string): string {
  const bad = (why: string) => new TerminalError(`invalid object key ${JSON.stringify(key)}: ${why}`, { key });
  if (typeof key !== 'string' || key.length === 0) throw bad('empty');
  if (key.includes('\0')) throw bad('contains NUL');
  if (key.startsWith('/')) throw bad("starts with '/'");
  for (const segment of key.split('/')) {
    if (segment === '') throw bad('empty path segment');
    if (segment === '..' || segment === '.') throw bad(`'${segment}' segment`);
    if (segment.startsWith(TEMP_PREFIX) || segment.startsWith(LOCK_PREFIX)) throw bad('reserved segment name');
  }
  return key;
}

/** A list prefix may be empty or end with '/', otherwise it follows the key rules. */
export function validatePrefix(prefix: string): string {
  if (prefix === '') return prefix;
  validateKey(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix);
  return prefix;
}

/** Plain string order (the same as S3's byte order for BMP characters). */
export const compareKeys = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const isCode = (err: unknown, ...codes: string[]) => codes.includes((err as NodeJS.ErrnoException)?.code ?? '');
const md5Hex = (body: Buffer) => createHash('md5').update(body).digest('hex');

async function md5OfFile(file: string): Promise<string> {
  const hash = createHash('md5');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function fsyncPath(p: string): Promise<void> {
  const fh = await fs.open(p, 'r');
  try { await fh.sync(); } finally { await fh.close(); }
}

export interface LocalObjectStoreOptions {
  /** The directory holding the objects; created when absent. */
  root: string;
  /** A CAS lock file older than this is taken to be left by a crashed writer and broken. */
  lockStaleMs?: number;
}

/**
 * Objects are plain files under `root`, written durably (temp file, fsync, rename, directory fsync).
 * ETags are the md5 hex of the content: computed from the body on put and by reading the file on head
 * (O(size), fine for the manifests and small files that CAS is used on). putFile returns no etag: hashing a
 * large file would defeat the cheap rename; head() gives it when needed.
 * Unlike S3, a key cannot be both an object and a "directory" of others ('a' and 'a/b'): such a put is a TerminalError.
 */
export class LocalObjectStore implements ObjectStore {
  readonly uri: string;
  readonly isLocal = true;
  readonly root: string;
  private readonly lockStaleMs: number;

  constructor(options: LocalObjectStoreOptions) {
    this.root = path.resolve(options.root);
    this.uri = pathToFileURL(this.root).href;
    this.lockStaleMs = options.lockStaleMs ?? 30_000;
  }

  private pathOf(key: string): string {
    return path.join(this.root, validateKey(key));
  }

  async get(key: string): Promise<Buffer | null> {
    try {
      return await fs.readFile(this.pathOf(key));
    } catch (err) {
      if (isCode(err, 'ENOENT', 'EISDIR', 'ENOTDIR')) return null;
      throw new TerminalError(`cannot read ${key}`, { key, uri: this.uri }, err);
    }
  }

  async head(key: string): Promise<ObjectInfo | null> {
    const file = this.pathOf(key);
    const st = await fs.stat(file).catch((err) => { if (isCode(err, 'ENOENT', 'ENOTDIR')) return null; throw err; });
    if (!st?.isFile()) return null;
    return { key, size: st.size, lastModified: st.mtime, etag: await md5OfFile(file) };
  }

  async put(key: string, body: Buffer | string, options: PutOptions = {}): Promise<{ etag?: string }> {
    return this.writing(key, () => this.putUnchecked(key, body, options));
  }

  private async putUnchecked(key: string, body: Buffer | string, options: PutOptions): Promise<{ etag?: string }> {
    const file = this.pathOf(key);
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    const dir = path.dirname(file);
    await this.mkdirDurable(dir);
    const tmp = this.tempName(dir);
    await fs.writeFile(tmp, bytes, { flag: 'wx' });
    try {
      await fsyncPath(tmp);
      if (options.ifNoneMatch === '*') {
        // link() refuses to replace an existing name, which rename() would silently do.
        try { await fs.link(tmp, file); } catch (err) {
          if (isCode(err, 'EEXIST')) throw new PreconditionFailedError(key, err);
          throw err;
        }
        await fs.unlink(tmp);
      } else if (options.ifMatch !== undefined) {
        await this.withLock(file, async () => {
          const current = await fs.readFile(file).catch((err) => { if (isCode(err, 'ENOENT')) return null; throw err; });
          if (current === null || md5Hex(current) !== unquote(options.ifMatch!)) throw new PreconditionFailedError(key);
          await fs.rename(tmp, file);
        });
      } else {
        await fs.rename(tmp, file);
      }
    } finally {
      await fs.rm(tmp, { force: true });
    }
    await fsyncPath(dir);
    return { etag: md5Hex(bytes) };
  }

  async putFile(key: string, localPath: string, options: { move?: boolean; contentType?: string } = {}): Promise<{ etag?: string; size: number }> {
    return this.writing(key, () => this.putFileUnchecked(key, localPath, options));
  }

  private async putFileUnchecked(key: string, localPath: string, options: { move?: boolean }): Promise<{ etag?: string; size: number }> {
    const file = this.pathOf(key);
    const dir = path.dirname(file);
    const { size } = await fs.stat(localPath);
    await this.mkdirDurable(dir);
    let moved = false;
    if (options.move) {
      try {
        await fsyncPath(localPath); // the rename must not publish a file whose data is still only in the page cache
        await fs.rename(localPath, file);
        moved = true;
      } catch (err) {
        if (!isCode(err, 'EXDEV')) throw err;
      }
    }
    if (!moved) {
      const tmp = this.tempName(dir);
      try {
        await fs.copyFile(localPath, tmp);
        await fsyncPath(tmp);
        await fs.rename(tmp, file);
      } finally {
        await fs.rm(tmp, { force: true });
      }
      if (options.move) await fs.unlink(localPath);
    }
    await fsyncPath(dir);
    return { size };
  }

  async localPath(key: string): Promise<string> {
    const file = this.pathOf(key);
    const st = await fs.stat(file).catch(() => null);
    if (!st?.isFile()) throw new TerminalError(`no object ${key} in ${this.uri}`, { key, uri: this.uri });
    return file;
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    validatePrefix(prefix);
    // Walk from the deepest directory the prefix fully names, then filter: 'dt=2026' matches 'dt=2026-03-02/...'.
    const base = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    const out: ObjectInfo[] = [];
    const walk = async (relDir: string): Promise<void> => {
      const entries = await fs.readdir(path.join(this.root, relDir), { withFileTypes: true }).catch((err) => {
        if (isCode(err, 'ENOENT', 'ENOTDIR')) return [];
        throw err;
      });
      for (const entry of entries) {
        if (entry.name.startsWith(TEMP_PREFIX) || entry.name.startsWith(LOCK_PREFIX)) continue;
        const rel = relDir === '' ? entry.name : `${relDir}/${entry.name}`;
        if (entry.isDirectory()) {
          if (rel.startsWith(prefix) || prefix.startsWith(`${rel}/`)) await walk(rel);
        } else if (entry.isFile() && rel.startsWith(prefix)) {
          const st = await fs.stat(path.join(this.root, rel)).catch(() => null);
          if (st) out.push({ key: rel, size: st.size, lastModified: st.mtime });
        }
      }
    };
    await walk(base);
    return out.sort((a, b) => compareKeys(a.key, b.key));
  }

  async delete(key: string): Promise<void> {
    const file = this.pathOf(key);
    try {
      await fs.unlink(file);
    } catch (err) {
      if (isCode(err, 'ENOENT', 'ENOTDIR')) return;
      throw new TerminalError(`cannot delete ${key}`, { key, uri: this.uri }, err);
    }
    await fsyncPath(path.dirname(file));
  }

  async close(): Promise<void> {}

  /** File system errors on a write become TerminalErrors naming the key (e.g. 'a/b' when 'a' is a file). */
  private async writing<T>(key: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof LakehouseError) throw err;
      throw new TerminalError(`cannot write ${key} in ${this.uri}: ${(err as Error).message}`, { key, uri: this.uri }, err);
    }
  }

  private tempName(dir: string): string {
    return path.join(dir, `${TEMP_PREFIX}${randomBytes(8).toString('hex')}`);
  }

  /** mkdir -p, then fsync the parent of every directory it created so the new entries survive a crash. */
  private async mkdirDurable(dir: string): Promise<void> {
    const first = await fs.mkdir(dir, { recursive: true });
    if (first === undefined) return;
    const created: string[] = [];
    for (let d = dir; ; d = path.dirname(d)) {
      created.push(d);
      if (d === first || d === path.dirname(d)) break;
    }
    for (const d of created) await fsyncPath(path.dirname(d));
  }

  /** An exclusive lock file next to the object (O_EXCL create), broken when older than lockStaleMs. */
  private async withLock<T>(file: string, fn: () => Promise<T>): Promise<T> {
    const lock = path.join(path.dirname(file), `${LOCK_PREFIX}${path.basename(file)}`);
    for (let waitMs = 1; ; waitMs = Math.min(waitMs * 2, 50)) {
      try {
        await fs.writeFile(lock, String(process.pid), { flag: 'wx' });
        break;
      } catch (err) {
        if (!isCode(err, 'EEXIST')) throw err;
        const st = await fs.stat(lock).catch(() => null);
        if (st && Date.now() - st.mtimeMs > this.lockStaleMs) await fs.rm(lock, { force: true });
        else await new Promise((r) => setTimeout(r, waitMs));
      }
    }
    try {
      return await fn();
    } finally {
      await fs.rm(lock, { force: true });
    }
  }
}

function unquote(etag: string): string {
  return etag.replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
}
