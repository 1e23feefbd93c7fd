/**
 * The order life cycle as one explicit table: status × event → status. A pair that is not in the table is refused.
 *
 * PENDING_NEW exists only while `Oms.submit` runs its pre-trade checks: an order leaves it at once (ACCEPT or REJECT)
 * and is never stored, answered or emitted in it, which is why it is not an `OrderStatus`.
 * Replace is allowed only while nothing is filled (NEW): a partially filled order must be cancelled and a new order
 * entered for the rest, so a REPLACED order never carries fills and its replacement starts from zero.
 */
import type { OrderStatus } from '../schemas/order-event.js';
import { add, compare, subtract, toNumber, type Decimal } from './decimal.js';
import { ExecutionMismatchError, IllegalTransitionError } from './oms-errors.js';

export type LifecycleState = 'PENDING_NEW' | OrderStatus;

export const orderActions = ['ACCEPT', 'REJECT', 'ACK', 'PARTIAL_FILL', 'FILL', 'CANCEL', 'REPLACE'] as const;
/** ACCEPT/REJECT: pre-trade outcome or a venue's reject; ACK: the venue took the order; CANCEL: ours or the venue's. */
export type OrderAction = (typeof orderActions)[number];

export const lifecycleStates = ['PENDING_NEW', 'NEW', 'PARTIALLY_FILLED', 'FILLED', 'CANCELLED', 'REPLACED', 'REJECTED'] as const satisfies readonly LifecycleState[];

export const transitionTable: Readonly<Record<LifecycleState, Readonly<Partial<Record<OrderAction, OrderStatus>>>>> = {
  PENDING_NEW: { ACCEPT: 'NEW', REJECT: 'REJECTED' },
  NEW: { ACK: 'NEW', REJECT: 'REJECTED', PARTIAL_FILL: 'PARTIALLY_FILLED', FILL: 'FILLED', CANCEL: 'CANCELLED', REPLACE: 'REPLACED' },
  PARTIALLY_FILLED: { PARTIAL_FILL: 'PARTIALLY_FILLED', FILL: 'FILLED', CANCEL: 'CANCELLED' },
  FILLED: {},
  CANCELLED: {},
  REPLACED: {},
  REJECTED: {},
};

export function allowedActions(from: LifecycleState): OrderAction[] {
  return orderActions.filter((action) => transitionTable[from][action] !== undefined);
}

export function isTerminal(status: LifecycleState): boolean {
  return allowedActions(status).length === 0;
}

/** Open orders count against the open-notional limits and can still be filled or cancelled. */
export function isOpen(status: OrderStatus): boolean {
  return status === 'NEW' || status === 'PARTIALLY_FILLED';
}

/** The status `event` leads to from `from`; throws `IllegalTransitionError` naming both when the table has no entry. */
export function transition(from: LifecycleState, event: OrderAction, orderId?: string): OrderStatus {
  const to = transitionTable[from][event];
  if (to === undefined) throw new IllegalTransitionError(from, event, allowedActions(from), orderId);
  return to;
}

/**
 * Checks that a fill of `lastQuantity` on an order of `quantity` with `filled` already done agrees with the event the
 * venue reported: PARTIAL_FILL must leave some open, FILL must complete it exactly, and neither may go beyond the
 * remaining quantity. Returns the new filled quantity.
 */
export function applyFillQuantity(
  event: 'PARTIAL_FILL' | 'FILL',
  quantity: Decimal,
  filled: Decimal,
  lastQuantity: Decimal,
  orderId?: string,
): Decimal {
  const after = add(filled, lastQuantity);
  const vsQuantity = compare(after, quantity);
  const ids = { orderId, event, lastQuantity: toNumber(lastQuantity), remaining: toNumber(subtract(quantity, filled)) };
  if (vsQuantity > 0) throw new ExecutionMismatchError(`fill of ${ids.lastQuantity} on order ${orderId ?? '?'} is beyond its remaining quantity ${ids.remaining}`, ids);
  if (event === 'FILL' && vsQuantity < 0) throw new ExecutionMismatchError(`FILL on order ${orderId ?? '?'} leaves quantity open; expected PARTIAL_FILL`, ids);
  if (event === 'PARTIAL_FILL' && vsQuantity === 0) throw new ExecutionMismatchError(`PARTIAL_FILL on order ${orderId ?? '?'} completes it; expected FILL`, ids);
  return after;
}
