import { describe, expect, it } from 'vitest';
import { IdempotencyStore, requestFingerprint } from './idempotency-store.js';
import { IdempotencyKeyReusedError } from './oms-errors.js';

describe('idempotency store', () => {
  it('returns nothing for a new key and the first answer for a retry of the same request', () => {
    const store = new IdempotencyStore<string>();
    const fp = requestFingerprint('submit', '', { a: 1 });
    expect(store.recall('k1', fp)).toBeUndefined();
    store.remember('k1', fp, 'first answer');
    expect(store.recall('k1', fp)).toBe('first answer');
  });

  it('refuses the same key with a different request, naming the key', () => {
    const store = new IdempotencyStore<string>();
    store.remember('k1', requestFingerprint('submit', '', { a: 1 }), 'first answer');
    expect(() => store.recall('k1', requestFingerprint('submit', '', { a: 2 }))).toThrow(IdempotencyKeyReusedError);
    expect(() => store.recall('k1', requestFingerprint('cancel', 'O-1', {}))).toThrow(/"k1" was already used for a different request/);
  });

  it('forgets a key once its time to live has passed, and only then', () => {
    let now = 0;
    const store = new IdempotencyStore<string>({ ttlMs: 1_000, clock: () => now });
    const fp = requestFingerprint('submit', '', {});
    store.remember('old', fp, 'a');
    now = 500;
    store.remember('young', fp, 'b');
    now = 999;
    expect(store.recall('old', fp)).toBe('a');
    now = 1_000;
    expect(store.recall('old', fp)).toBeUndefined();
    expect(store.recall('young', fp)).toBe('b');
    expect(store.size).toBe(1);
    now = 1_500;
    expect(store.size).toBe(0);
  });

  it('fingerprints the body whatever the order of its keys, but not whatever its operation or target', () => {
    const a = requestFingerprint('replace', 'O-1', { quantity: 5, limit_price: 1, nested: { x: 1, y: 2 } });
    expect(requestFingerprint('replace', 'O-1', { nested: { y: 2, x: 1 }, limit_price: 1, quantity: 5 })).toBe(a);
    expect(requestFingerprint('replace', 'O-2', { quantity: 5, limit_price: 1, nested: { x: 1, y: 2 } })).not.toBe(a);
    expect(requestFingerprint('submit', 'O-1', { quantity: 5, limit_price: 1, nested: { x: 1, y: 2 } })).not.toBe(a);
    expect(requestFingerprint('cancel', 'O-1', { reason: undefined })).toBe(requestFingerprint('cancel', 'O-1', {}));
  });
});
