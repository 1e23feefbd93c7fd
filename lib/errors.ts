/**
 * One error hierarchy for the whole project. `retriable` is what retry loops read;
 * `details` carries the ids (topic, partition, offset, key, path) that say which input was at fault.
 */
export class LakehouseError extends Error {
  readonly retriable: boolean;
  readonly details: Record<string, unknown>;
  constructor(message: string, details: Record<string, unknown> = {}, options: { retriable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.retriable = options.retriable ?? false;
    this.details = details;
  }
}

/** Worth retrying: throttling, 5xx, a connection reset, a rebalance. */
export class TransientError extends LakehouseError {
  constructor(message: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super(message, details, { retriable: true, cause });
  }
}

/** Retrying will not help: bad input, missing permissions, a corrupt file. */
export class TerminalError extends LakehouseError {
  constructor(message: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super(message, details, { retriable: false, cause });
  }
}

/** A conditional write lost: the object exists (If-None-Match) or changed (If-Match). */
export class PreconditionFailedError extends LakehouseError {
  constructor(key: string, cause?: unknown) {
    super(`precondition failed for ${key}`, { key }, { retriable: false, cause });
  }
}

/** Bad command-line usage or unusable input arguments: the CLI exits 2. */
export class UsageError extends LakehouseError {}

export function isRetriable(err: unknown): boolean {
  return err instanceof LakehouseError ? err.retriable : false;
}
