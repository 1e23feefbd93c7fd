/** kafkajs errors as the project's errors: the `retriable` flag is what callers' retry loops read. */
import { LakehouseError, TerminalError, TransientError } from '../lib/errors.js';

const transientNames = new Set([
  'KafkaJSNumberOfRetriesExceeded', 'KafkaJSConnectionError', 'KafkaJSConnectionClosedError', 'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound', 'KafkaJSLockTimeout', 'KafkaJSTimeout', 'KafkaJSMetadataNotLoaded', 'KafkaJSStaleTopicMetadataAssignment',
]);

/** Protocol errors by which a group member learns it is not (or no longer) the owner: retry after rejoining. */
const groupMembershipTypes = new Set([
  'REBALANCE_IN_PROGRESS', 'UNKNOWN_MEMBER_ID', 'ILLEGAL_GENERATION', 'NOT_COORDINATOR', 'NOT_COORDINATOR_FOR_GROUP',
  'COORDINATOR_NOT_AVAILABLE', 'GROUP_COORDINATOR_NOT_AVAILABLE', 'COORDINATOR_LOAD_IN_PROGRESS', 'GROUP_LOAD_IN_PROGRESS',
  'GROUP_ID_NOT_FOUND', 'FENCED_INSTANCE_ID',
]);

interface KafkaJsLike { name?: string; message?: string; retriable?: boolean; type?: string; cause?: unknown }

/** The innermost cause: kafkajs wraps the broker's error in retry errors. */
export function originalCause(err: unknown): KafkaJsLike {
  let e = err as KafkaJsLike;
  while (e && typeof e === 'object' && e.cause && typeof e.cause === 'object') e = e.cause as KafkaJsLike;
  return e ?? {};
}

export function isGroupMembershipError(err: unknown): boolean {
  const e = err as KafkaJsLike;
  return groupMembershipTypes.has(String(e?.type)) || groupMembershipTypes.has(String(originalCause(err).type))
    || /consumer#run must be called first|not initialized/i.test(String(e?.message));
}

export function toBusError(err: unknown, what: string, details: Record<string, unknown> = {}): LakehouseError {
  if (err instanceof LakehouseError) return err;
  const e = (err ?? {}) as KafkaJsLike;
  const message = `${what}: ${e.message ?? String(err)}`;
  const retriable = e.retriable === true || transientNames.has(String(e.name)) || originalCause(err).retriable === true;
  return retriable ? new TransientError(message, details, err) : new TerminalError(message, details, err);
}
