import { describe, expect, it } from 'vitest';
import { backoffDelayMs, retry, type RetryInfo } from './retry.js';

class Flaky extends Error {}
const retriable = (e: unknown) => e instanceof Flaky;

function recorder() {
  const sleeps: number[] = [];
  return { sleeps, sleep: async (ms: number) => { sleeps.push(ms); } };
}

describe('retry', () => {
  it('returns the first success without sleeping', async () => {
    const { sleeps, sleep } = recorder();
    await expect(retry(async () => 'ok', { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 100, isRetriable: retriable, sleep })).resolves.toBe('ok');
    expect(sleeps).toEqual([]);
  });

  it('retries retriable errors and passes the attempt number', async () => {
    const { sleep } = recorder();
    const seen: number[] = [];
    const result = await retry(async (attempt) => {
      seen.push(attempt);
      if (attempt < 3) throw new Flaky('503');
      return attempt;
    }, { maxAttempts: 5, baseDelayMs: 10, maxDelayMs: 100, isRetriable: retriable, sleep });
    expect(result).toBe(3);
    expect(seen).toEqual([1, 2, 3]);
  });

  it('rethrows the last retriable error after maxAttempts', async () => {
    const { sleeps, sleep } = recorder();
    let calls = 0;
    const err = await retry(async () => { calls++; throw new Flaky(`try ${calls}`); },
      { maxAttempts: 4, baseDelayMs: 10, maxDelayMs: 100, isRetriable: retriable, sleep }).catch((e) => e);
    expect(err).toBeInstanceOf(Flaky);
    expect(err.message).toBe('try 4');
    expect(calls).toBe(4);
    expect(sleeps).toHaveLength(3);
  });

  it('does not retry an error that is not retriable', async () => {
    const { sleeps, sleep } = recorder();
    let calls = 0;
    await expect(retry(async () => { calls++; throw new Error('403'); },
      { maxAttempts: 4, baseDelayMs: 10, maxDelayMs: 100, isRetriable: retriable, sleep })).rejects.toThrow('403');
    expect(calls).toBe(1);
    expect(sleeps).toEqual([]);
  });

  it('reports each retry with the failed attempt and the delay', async () => {
    const infos: RetryInfo[] = [];
    const { sleeps, sleep } = recorder();
    await retry(async (a) => { if (a < 3) throw new Flaky('x'); }, {
      maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 100, isRetriable: retriable, sleep, random: () => 0.5, onRetry: (i) => infos.push(i),
    });
    expect(infos.map((i) => [i.attempt, i.delayMs])).toEqual([[1, 5], [2, 10]]);
    expect(sleeps).toEqual([5, 10]);
  });

  it('caps the backoff ceiling at maxDelayMs and jitters below it', () => {
    const opts = { baseDelayMs: 100, maxDelayMs: 5_000 };
    expect(backoffDelayMs(1, { ...opts, random: () => 0.999 })).toBe(99);
    expect(backoffDelayMs(4, { ...opts, random: () => 0.999 })).toBe(799);
    expect(backoffDelayMs(30, { ...opts, random: () => 0.999 })).toBe(4_995);
    expect(backoffDelayMs(30, { ...opts, random: () => 0 })).toBe(0);
  });
});
