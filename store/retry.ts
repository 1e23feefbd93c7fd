/**
 * Exponential backoff with full jitter (delay drawn uniformly from [0, min(maxDelayMs, baseDelayMs * 2^(attempt-1))]):
 * full jitter spreads a herd of throttled writers out instead of having them all come back at once.
 * Pure apart from the injected `sleep` and `random`, so tests run it without timers.
 */
export interface RetryInfo {
  /** The attempt that just failed, 1-based. */
  attempt: number;
  /** How long we wait before attempt + 1. */
  delayMs: number;
  error: unknown;
}

export interface RetryOptions {
  /** Total attempts including the first; 1 means no retry. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  isRetriable: (error: unknown) => boolean;
  onRetry?: (info: RetryInfo) => void;
  sleep?: (ms: number) => Promise<void>;
  /** In [0, 1); Math.random by default. */
  random?: () => number;
}

export function backoffDelayMs(attempt: number, options: { baseDelayMs: number; maxDelayMs: number; random?: () => number }): number {
  const ceilingMs = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor((options.random ?? Math.random)() * ceilingMs);
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `fn(attempt)` until it resolves, throws a non-retriable error, or `maxAttempts` is reached.
 * Always rethrows the last error untouched: callers tell "gave up" (error still retriable) from "refused" by `isRetriable`.
 */
export async function retry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const maxAttempts = Math.max(1, Math.floor(options.maxAttempts));
  const sleep = options.sleep ?? defaultSleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt >= maxAttempts || !options.isRetriable(error)) throw error;
      const delayMs = backoffDelayMs(attempt, options);
      options.onRetry?.({ attempt, delayMs, error });
      await sleep(delayMs);
    }
  }
}
