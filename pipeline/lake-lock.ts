/**
 * A lock in the lake, so that two runs of the same layer never overlap, whichever process or machine starts them.
 * The lock is an object `_locks/<name>.json` created with a conditional put (create-only) and holding a lease: its
 * holder renews it (compare-and-swap on the object's ETag) while it works. A holder that crashed stops renewing, so its
 * lease runs out and the next taker replaces the object (again by compare-and-swap, so only one taker wins); on the
 * same host a holder whose process is gone is replaced at once. Release deletes the object if it is still ours.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { ObjectStore } from '../store/object-store.js';
import { isAlive } from '../bus/file-lock.js';
import { PreconditionFailedError } from '../lib/errors.js';
import { silentLogger, type Logger } from '../lib/log.js';

export interface LockHolder {
  owner: string;
  host: string;
  pid: number;
  purpose: string;
  acquiredAt: string;
  expiresAt: string;
}

export interface LakeLockOptions {
  store: ObjectStore;
  name: string;
  /** How long a lease lasts without renewal (default 60 s); renewed every third of it. */
  leaseMs?: number;
  purpose?: string;
  logger?: Logger;
  clock?: () => number;
}

export class LockHeldError extends Error {
  constructor(readonly lock: string, readonly holder: LockHolder) {
    super(`${lock} is locked by ${holder.host} pid ${holder.pid} (${holder.purpose}) since ${holder.acquiredAt}, lease until ${holder.expiresAt}`);
  }
}

export class LakeLock {
  private etag: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lostReason: string | null = null;
  private readonly key: string;
  private readonly owner = randomUUID();
  private readonly leaseMs: number;
  private readonly clock: () => number;
  private readonly log: Logger;

  private constructor(private readonly options: LakeLockOptions) {
    if (!/^[a-z0-9_-]+$/.test(options.name)) throw new RangeError(`lock name ${JSON.stringify(options.name)}: lower-case letters, digits, _ and - only`);
    this.key = `_locks/${options.name}.json`;
    this.leaseMs = options.leaseMs ?? 60_000;
    this.clock = options.clock ?? Date.now;
    this.log = (options.logger ?? silentLogger).child({ module: 'lock', lock: options.name });
  }

  /** The lock, or a LockHeldError naming its live holder. Renews itself until released. */
  static async acquire(options: LakeLockOptions): Promise<LakeLock> {
    const lock = new LakeLock(options);
    await lock.take();
    lock.timer = setInterval(() => void lock.renew(), Math.max(50, Math.floor(lock.leaseMs / 3)));
    lock.timer.unref();
    return lock;
  }

  /** Null while held; why the lock was lost otherwise (another taker after a missed renewal). */
  get lost(): string | null {
    return this.lostReason;
  }

  private body(): string {
    const now = this.clock();
    const holder: LockHolder = {
      owner: this.owner, host: hostname(), pid: process.pid, purpose: this.options.purpose ?? this.options.name,
      acquiredAt: new Date(now).toISOString(), expiresAt: new Date(now + this.leaseMs).toISOString(),
    };
    return `${JSON.stringify(holder)}\n`;
  }

  private async take(): Promise<void> {
    const { store } = this.options;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        this.etag = (await store.put(this.key, this.body(), { ifNoneMatch: '*', contentType: 'application/json' })).etag;
        return;
      } catch (err) {
        if (!(err instanceof PreconditionFailedError)) throw err;
      }
      const info = await store.head(this.key);
      const raw = await store.get(this.key);
      if (info === null || raw === null) continue; // released meanwhile: try again
      const holder = parseHolder(raw);
      const stale = holder === null || Date.parse(holder.expiresAt) < this.clock() || (holder.host === hostname() && !isAlive(holder.pid));
      if (!stale) throw new LockHeldError(this.key, holder);
      this.log.warn({ holder }, 'taking over a lock whose holder is gone (lease expired or process dead)');
      try {
        this.etag = (await store.put(this.key, this.body(), { ifMatch: info.etag, contentType: 'application/json' })).etag;
        return;
      } catch (err) {
        if (!(err instanceof PreconditionFailedError)) throw err; // another taker won: look again
      }
    }
    const raw = await store.get(this.key);
    const holder = raw === null ? null : parseHolder(raw);
    throw new LockHeldError(this.key, holder ?? { owner: '?', host: '?', pid: 0, purpose: '?', acquiredAt: '?', expiresAt: '?' });
  }

  private async renew(): Promise<void> {
    if (this.lostReason !== null || this.etag === undefined) return;
    try {
      this.etag = (await this.options.store.put(this.key, this.body(), { ifMatch: this.etag, contentType: 'application/json' })).etag;
    } catch (err) {
      if (err instanceof PreconditionFailedError) {
        this.lostReason = 'the lock was taken over after a missed renewal';
        this.log.error({}, this.lostReason);
      } else {
        this.log.warn({ err: (err as Error).message }, 'lock renewal failed; retrying at the next interval');
      }
    }
  }

  async release(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    if (this.lostReason !== null) return;
    const raw = await this.options.store.get(this.key);
    if (raw !== null && parseHolder(raw)?.owner === this.owner) await this.options.store.delete(this.key);
    this.lostReason = 'released';
  }
}

/** Runs `fn` holding the lock `name`; a LockHeldError when another live holder has it. */
export async function withLakeLock<T>(options: LakeLockOptions, fn: (lock: LakeLock) => Promise<T>): Promise<T> {
  const lock = await LakeLock.acquire(options);
  try {
    return await fn(lock);
  } finally {
    await lock.release();
  }
}

function parseHolder(raw: Buffer): LockHolder | null {
  try {
    const h = JSON.parse(raw.toString('utf8')) as LockHolder;
    return typeof h.owner === 'string' && typeof h.expiresAt === 'string' ? h : null;
  } catch {
    return null;
  }
}
