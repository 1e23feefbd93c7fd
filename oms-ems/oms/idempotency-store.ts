/**
 * Idempotency keys (draft-ietf-httpapi-idempotency-key-header): a key remembers the fingerprint of the first request
 * made with it and the answer that request got. The same key with the same request gets that answer back and changes
 * nothing; the same key with another request is refused.
 *
 * Keys live in this process's memory and expire `ttlMs` after first use (24 h by default): a restarted OMS, or a
 * second OMS process, does not know them. Only answers of requests that took effect are kept; a refused request
 * (bad body, unknown order, illegal transition) leaves the key free, and retrying it is refused the same way.
 */
import { createHash } from 'node:crypto';
import { IdempotencyKeyReusedError } from './oms-errors.js';

interface Entry<T> {
  fingerprint: string;
  answer: T;
  expiresAt: number;
}

export interface IdempotencyStoreOptions {
  ttlMs?: number;
  clock?: () => number;
}

export class IdempotencyStore<T> {
  readonly #entries = new Map<string, Entry<T>>();
  readonly #ttlMs: number;
  readonly #clock: () => number;

  constructor({ ttlMs = 24 * 60 * 60 * 1000, clock = () => Date.now() }: IdempotencyStoreOptions = {}) {
    this.#ttlMs = ttlMs;
    this.#clock = clock;
  }

  /** The answer the first request with `key` got, or undefined when the key is new or expired. */
  recall(key: string, fingerprint: string): T | undefined {
    this.#sweep();
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.fingerprint !== fingerprint) throw new IdempotencyKeyReusedError(key);
    return entry.answer;
  }

  remember(key: string, fingerprint: string, answer: T): void {
    this.#entries.delete(key);
    this.#entries.set(key, { fingerprint, answer, expiresAt: this.#clock() + this.#ttlMs });
  }

  get size(): number {
    this.#sweep();
    return this.#entries.size;
  }

  /** Entries are in insertion order, hence in expiry order, so the sweep stops at the first live one. */
  #sweep(): void {
    const now = this.#clock();
    for (const [key, entry] of this.#entries) {
      if (entry.expiresAt > now) break;
      this.#entries.delete(key);
    }
  }
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([k, v]) => [k, canonical(v)]));
  }
  return value;
}

/** SHA-256 of the operation, its target (an order id, or '') and the body with its keys sorted. */
export function requestFingerprint(operation: string, target: string, body: unknown): string {
  return createHash('sha256').update(JSON.stringify([operation, target, canonical(body)])).digest('hex');
}
