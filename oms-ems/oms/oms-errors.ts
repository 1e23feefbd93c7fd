/**
 * What the OMS refuses, each with the ids that say which order or request was at fault. None is worth retrying
 * unchanged: the HTTP layer maps them to 4xx answers (see oms-http.ts).
 */
import { TerminalError } from '../../lib/errors.js';

/** One problem with a request body, named by its dotted path (`quantity`, `(root)`). */
export interface RequestIssue {
  path: string;
  message: string;
}

/** The body does not match the request schema. HTTP 422. */
export class RequestValidationError extends TerminalError {
  readonly issues: RequestIssue[];
  constructor(what: string, issues: RequestIssue[]) {
    super(`invalid ${what}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, { issues });
    this.issues = issues;
  }
}

/** No order with this id. HTTP 404. */
export class OrderNotFoundError extends TerminalError {
  constructor(orderId: string) {
    super(`no order ${orderId}`, { orderId });
  }
}

/** The life cycle does not allow this event in this status (order-state.ts). HTTP 409. */
export class IllegalTransitionError extends TerminalError {
  readonly from: string;
  readonly event: string;
  constructor(from: string, event: string, allowed: readonly string[], orderId?: string) {
    const subject = orderId === undefined ? 'an order' : `order ${orderId}`;
    const hint = allowed.length === 0 ? `${from} is final` : `${from} allows ${allowed.join(', ')}`;
    super(`illegal transition: ${event} on ${subject} in status ${from} (${hint})`, { from, event, allowed, orderId });
    this.from = from;
    this.event = event;
  }
}

/**
 * An execution report the order cannot take: a fill beyond the remaining quantity, or a report whose type disagrees
 * with the quantities (a FILL that leaves some open). HTTP 409 if it ever reaches HTTP; normally the EMS gets it.
 */
export class ExecutionMismatchError extends TerminalError {}

/** The Idempotency-Key was used before for a different request (draft-ietf-httpapi-idempotency-key-header: 422). */
export class IdempotencyKeyReusedError extends TerminalError {
  constructor(key: string) {
    super(`Idempotency-Key ${JSON.stringify(key)} was already used for a different request; use a new key for a new request`, { key });
  }
}
