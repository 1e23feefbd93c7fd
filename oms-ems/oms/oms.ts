/**
 * The OMS: takes orders, checks them before trade, keeps each one's life cycle, hands live orders to the next stage
 * (an `OrderRouter`, the EMS) and emits an `orders` event (oms-ems/schemas/order-event.ts) at every change.
 *
 *   const oms = new Oms({ limits, instrumentLookup, router, emit });
 *   oms.submit(request, idempotencyKey?)            → { order, replayed }  NEW, or REJECTED with `reasons`
 *   oms.cancel(orderId, idempotencyKey?, { reason }) → { order, replayed }  CANCELLED
 *   oms.replace(orderId, { quantity?, limit_price? }, idempotencyKey?) → { order: the replacement, replayed }
 *   oms.get(orderId)                                 → Order | undefined
 *   oms.onExecution({ orderId, execType, lastQty, lastPx, reason? }) → Order   (the EMS calls it on venue reports)
 *
 * Requests are parsed with request-schemas.ts and refused with `RequestValidationError`; an unknown order is
 * `OrderNotFoundError`, a transition the life cycle (order-state.ts) forbids is `IllegalTransitionError`.
 *
 * - Pre-trade rejection is an answer, not an error: the order is stored REJECTED, ORDER_REJECTED is emitted, and the
 *   answer's `reasons` name each failed rule (pre-trade-checks.ts).
 * - Cancel takes effect in the OMS at once (CANCELLED, then `router.cancel`); the orders topic has no pending-cancel
 *   status. The venue's CANCELLED report that confirms it is accepted silently; a fill that races the cancel is refused.
 * - Replace: only an order with nothing filled (NEW). The replacement gets a new order id and `replaces_order_id`, and
 *   is pre-trade checked with the old order's exposure left out. If it passes, the old order becomes REPLACED
 *   (ORDER_REPLACED) and the new one NEW (ORDER_ACCEPTED), then `router.replace` or, without it, `router.cancel` of the
 *   old and `router.route` of the new. If it fails, the replacement is stored REJECTED and the old order stays live.
 * - Fills: filled quantity and average price are computed from exact decimal sums (Σ qty, Σ qty × px; decimal.ts), so
 *   the average is Σ qty × px / Σ qty rounded once, half-even, to 12 places, and never drifts.
 * - Idempotency: with a key, the first answer is stored (idempotency-store.ts; per process, in memory, `idempotencyTtlMs`)
 *   before any event is emitted or the router called; a retry gets the same answer with `replayed: true`. Everything
 *   here is synchronous, so concurrent retries cannot interleave between the look-up and the store.
 * - Events carry the idempotency key of the client request that caused them (null for a venue's report).
 * - Order state is in memory: a restarted OMS starts empty.
 */
import { randomUUID } from 'node:crypto';
import { isoTime } from '../../lib/iso-time.js';
import { silentLogger, type Logger } from '../../lib/log.js';
import type { OrderEvent } from '../schemas/order-event.js';
import { add, decimal, divide, multiply, subtract, toNumber, ZERO, type Decimal } from './decimal.js';
import { IdempotencyStore, requestFingerprint } from './idempotency-store.js';
import { ExecutionMismatchError, OrderNotFoundError } from './oms-errors.js';
import { copyOrder, orderEvent, type Order } from './order.js';
import { applyFillQuantity, isOpen, transition } from './order-state.js';
import { preTradeChecks, type InstrumentLookup, type LimitsConfig, type OpenExposure, type OrderTerms } from './pre-trade-checks.js';
import {
  cancelRequestSchema, executionReportSchema, idempotencyKeySchema, newOrderRequestSchema, parseRequest, replaceRequestSchema,
  type CancelRequest, type ExecutionReport, type NewOrderRequest, type ReplaceRequest,
} from './request-schemas.js';

export type { Order } from './order.js';
export type { ExecutionReport } from './request-schemas.js';

/** The next stage: the EMS. Calls come after the state change is recorded and its events emitted. */
export interface OrderRouter {
  route(order: Order): void;
  cancel(order: Order): void;
  /** Amend at the venue (FIX OrderCancelReplaceRequest); without it the OMS cancels the old order and routes the new. */
  replace?(replaced: Order, replacement: Order): void;
}

export interface OmsOptions {
  limits: LimitsConfig;
  instrumentLookup: InstrumentLookup;
  router: OrderRouter;
  emit: (event: OrderEvent) => void;
  clock?: () => number;
  newId?: (kind: 'order' | 'event') => string;
  idempotencyTtlMs?: number;
  /** Closed orders (filled, cancelled, replaced, rejected) kept for GET, oldest dropped first; default 1,000,000. */
  closedOrderRetention?: number;
  logger?: Logger;
}

export interface OmsAnswer {
  order: Order;
  /** True when the answer is the stored one of an earlier request with the same idempotency key. */
  replayed: boolean;
}

interface OrderRecord {
  order: Order;
  filled: Decimal;
  filledNotional: Decimal;
  /** We asked the router to cancel it (a cancel or a replace): the venue's CANCELLED report only confirms. */
  cancelSent: boolean;
  /** What the order adds to its account's open notional now (zero once closed). */
  exposure: Decimal;
}

/** What a request decided: the answer, and the effects (events, router calls) to run once the answer is stored. */
interface Decision {
  order: Order;
  effects: () => void;
}

export class Oms {
  readonly #limits: LimitsConfig;
  readonly #instrumentLookup: InstrumentLookup;
  readonly #router: OrderRouter;
  readonly #emit: (event: OrderEvent) => void;
  readonly #clock: () => number;
  readonly #newId: (kind: 'order' | 'event') => string;
  readonly #log: Logger;
  readonly #orders = new Map<string, OrderRecord>();
  /** Open notional per account and per account and instrument, kept as orders change, so a check is O(1). */
  readonly #openByAccount = new Map<string, Decimal>();
  readonly #openByInstrument = new Map<string, Decimal>();
  readonly #keys: IdempotencyStore<Order>;
  readonly #closed: string[] = [];
  #closedHead = 0;
  readonly #closedRetention: number;

  constructor(options: OmsOptions) {
    const { clock = () => Date.now(), newId = () => randomUUID(), idempotencyTtlMs = 24 * 60 * 60 * 1000, logger = silentLogger } = options;
    this.#limits = options.limits;
    this.#instrumentLookup = options.instrumentLookup;
    this.#router = options.router;
    this.#emit = options.emit;
    this.#clock = clock;
    this.#newId = newId;
    this.#log = logger.child({ module: 'oms' });
    this.#closedRetention = options.closedOrderRetention ?? 1_000_000;
    this.#keys = new IdempotencyStore<Order>({ ttlMs: idempotencyTtlMs, clock });
  }

  submit(request: NewOrderRequest, idempotencyKey?: string): OmsAnswer {
    const body = parseRequest(newOrderRequestSchema, request, 'new order');
    return this.#idempotent('submit', '', body, idempotencyKey, () => {
      const now = this.#now();
      const order = this.#checked({
        order_id: this.#newId('order'), client_order_id: body.client_order_id ?? null, account_id: body.account_id,
        book_id: body.book_id, legal_entity: body.legal_entity, instrument_id: body.instrument_id, side: body.side,
        order_type: body.order_type, quantity: body.quantity, limit_price: body.limit_price ?? null, currency: body.currency,
        status: 'NEW', filled_quantity: 0, average_price: null, replaces_order_id: null, replaced_by_order_id: null,
        reason: null, reasons: [], created_at: now, updated_at: now,
      }, this.#exposure(body.account_id, body.instrument_id));
      const event = this.#event(order, order.status === 'NEW' ? 'ORDER_ACCEPTED' : 'ORDER_REJECTED', idempotencyKey);
      this.#store(order);
      return {
        order,
        effects: () => {
          this.#emit(event);
          if (order.status === 'NEW') this.#router.route(copyOrder(order));
        },
      };
    });
  }

  cancel(orderId: string, idempotencyKey?: string, request: CancelRequest = {}): OmsAnswer {
    const body = parseRequest(cancelRequestSchema, request, 'cancel request');
    return this.#idempotent('cancel', orderId, body, idempotencyKey, () => {
      const record = this.#record(orderId);
      const status = transition(record.order.status, 'CANCEL', orderId);
      const order: Order = { ...record.order, status, reason: body.reason ?? 'cancelled on request', updated_at: this.#now() };
      const event = this.#event(order, 'ORDER_CANCELLED', idempotencyKey);
      this.#store(order, { ...record, cancelSent: true });
      return {
        order,
        effects: () => {
          this.#emit(event);
          this.#router.cancel(copyOrder(order));
        },
      };
    });
  }

  replace(orderId: string, changes: ReplaceRequest, idempotencyKey?: string): OmsAnswer {
    const body = parseRequest(replaceRequestSchema, changes, 'replace request');
    return this.#idempotent('replace', orderId, body, idempotencyKey, () => {
      const record = this.#record(orderId);
      const status = transition(record.order.status, 'REPLACE', orderId);
      const now = this.#now();
      const replacement = this.#checked({
        ...record.order, order_id: this.#newId('order'), quantity: body.quantity ?? record.order.quantity,
        limit_price: body.limit_price ?? record.order.limit_price, status: 'NEW', filled_quantity: 0, average_price: null,
        replaces_order_id: orderId, replaced_by_order_id: null, reason: null, reasons: [], created_at: now, updated_at: now,
      }, this.#exposure(record.order.account_id, record.order.instrument_id, record.exposure));
      if (replacement.status === 'REJECTED') {
        const event = this.#event(replacement, 'ORDER_REJECTED', idempotencyKey);
        this.#store(replacement);
        return { order: replacement, effects: () => this.#emit(event) };
      }
      const replaced: Order = { ...record.order, status, replaced_by_order_id: replacement.order_id, reason: `replaced by ${replacement.order_id}`, updated_at: now };
      const events = [this.#event(replaced, 'ORDER_REPLACED', idempotencyKey), this.#event(replacement, 'ORDER_ACCEPTED', idempotencyKey)];
      this.#store(replaced, { ...record, cancelSent: true });
      this.#store(replacement);
      return {
        order: replacement,
        effects: () => {
          for (const event of events) this.#emit(event);
          if (this.#router.replace) this.#router.replace(copyOrder(replaced), copyOrder(replacement));
          else {
            this.#router.cancel(copyOrder(replaced));
            this.#router.route(copyOrder(replacement));
          }
        },
      };
    });
  }

  get(orderId: string): Order | undefined {
    const record = this.#orders.get(orderId);
    return record && copyOrder(record.order);
  }

  onExecution(report: ExecutionReport): Order {
    const { orderId, execType, lastQty, lastPx, reason } = parseRequest(executionReportSchema, report, 'execution report');
    const record = this.#record(orderId);
    const current = record.order;
    if (execType === 'NEW') {
      transition(current.status, 'ACK', orderId); // the orders topic has no event for a venue's acknowledgement
      return copyOrder(current);
    }
    if (execType === 'CANCELLED' && record.cancelSent && (current.status === 'CANCELLED' || current.status === 'REPLACED')) {
      this.#log.debug({ order_id: orderId, status: current.status }, 'venue confirmed a cancel the OMS sent');
      return copyOrder(current);
    }
    const now = this.#now();
    let order: Order;
    let next = record;
    if (execType === 'PARTIAL_FILL' || execType === 'FILL') {
      const status = transition(current.status, execType, orderId);
      if (!(lastQty > 0)) throw new ExecutionMismatchError(`a ${execType} on order ${orderId} needs lastQty > 0`, { orderId, lastQty });
      const quantity = decimal(lastQty);
      const filled = applyFillQuantity(execType, decimal(current.quantity), record.filled, quantity, orderId);
      const filledNotional = add(record.filledNotional, multiply(quantity, decimal(lastPx)));
      order = { ...current, status, filled_quantity: toNumber(filled), average_price: toNumber(divide(filledNotional, filled)), updated_at: now };
      next = { ...record, filled, filledNotional };
    } else {
      const status = transition(current.status, execType === 'CANCELLED' ? 'CANCEL' : 'REJECT', orderId);
      order = { ...current, status, reason: reason ?? (execType === 'CANCELLED' ? 'cancelled by the venue' : 'rejected by the venue'), updated_at: now };
    }
    const event = this.#event(order, execType === 'CANCELLED' ? 'ORDER_CANCELLED' : execType === 'REJECTED' ? 'ORDER_REJECTED' : 'ORDER_FILLED', undefined);
    this.#store(order, next);
    this.#emit(event);
    return copyOrder(order);
  }

  /** Runs `decide` once per idempotency key: stores its answer before its effects run, replays it afterwards. */
  #idempotent(operation: string, target: string, body: unknown, key: string | undefined, decide: () => Decision): OmsAnswer {
    if (key === undefined) {
      const { order, effects } = decide();
      effects();
      return { order: copyOrder(order), replayed: false };
    }
    parseRequest(idempotencyKeySchema, key, 'Idempotency-Key');
    const fingerprint = requestFingerprint(operation, target, body);
    const stored = this.#keys.recall(key, fingerprint);
    if (stored !== undefined) return { order: copyOrder(stored), replayed: true };
    const { order, effects } = decide();
    this.#keys.remember(key, fingerprint, copyOrder(order));
    effects();
    return { order: copyOrder(order), replayed: false };
  }

  /** The order after its pre-trade checks: NEW (accepted) or REJECTED with the failures. */
  #checked(order: Order, openExposure: OpenExposure): Order {
    const terms: OrderTerms = order;
    const failures = preTradeChecks(terms, { limits: this.#limits, instrumentLookup: this.#instrumentLookup, openExposure });
    const status = transition('PENDING_NEW', failures.length === 0 ? 'ACCEPT' : 'REJECT');
    if (failures.length > 0) this.#log.debug({ order_id: order.order_id, rules: failures.map((f) => f.rule) }, 'order rejected before trade');
    return { ...order, status, reasons: failures, reason: failures.length === 0 ? null : failures.map((f) => f.message).join('; ') };
  }

  /** The account's open exposure, less what `except` (an order being replaced) contributes. */
  #exposure(account: string, instrumentId: string, except: Decimal = ZERO): OpenExposure {
    return {
      account: subtract(this.#openByAccount.get(account) ?? ZERO, except),
      instrument: subtract(this.#openByInstrument.get(`${account}\u0000${instrumentId}`) ?? ZERO, except),
    };
  }

  #record(orderId: string): OrderRecord {
    const record = this.#orders.get(orderId);
    if (record === undefined) throw new OrderNotFoundError(orderId);
    return record;
  }

  #store(order: Order, record?: Partial<OrderRecord>): void {
    const previous = this.#orders.get(order.order_id);
    const next: OrderRecord = { filled: ZERO, filledNotional: ZERO, cancelSent: false, ...record, order, exposure: ZERO };
    // MARKET orders are valued at the reference price of the moment their exposure is (re)computed.
    if (isOpen(order.status)) {
      // As orderNotional values it, on the exact open quantity: an instrument no longer in the master counts as zero.
      const instrument = this.#instrumentLookup(order.instrument_id);
      const price = order.order_type === 'LIMIT' ? order.limit_price : instrument?.price;
      next.exposure = instrument === undefined || price === null || price === undefined ? ZERO : multiply(subtract(decimal(order.quantity), next.filled), decimal(price));
    }
    const delta = subtract(next.exposure, previous?.exposure ?? ZERO);
    if (delta.units !== 0n) {
      const instrumentKey = `${order.account_id}\u0000${order.instrument_id}`;
      this.#openByAccount.set(order.account_id, add(this.#openByAccount.get(order.account_id) ?? ZERO, delta));
      this.#openByInstrument.set(instrumentKey, add(this.#openByInstrument.get(instrumentKey) ?? ZERO, delta));
    }
    this.#orders.set(order.order_id, next);
    if (!isOpen(order.status) && (previous === undefined || isOpen(previous.order.status))) this.#retire(order.order_id);
  }

  /** Forgets the oldest closed orders beyond the retention; their events are on the orders topic. */
  #retire(orderId: string): void {
    this.#closed.push(orderId);
    while (this.#closed.length - this.#closedHead > this.#closedRetention) this.#orders.delete(this.#closed[this.#closedHead++]);
    if (this.#closedHead > 65_536 && this.#closedHead * 2 > this.#closed.length) {
      this.#closed.splice(0, this.#closedHead);
      this.#closedHead = 0;
    }
  }

  #event(order: Order, type: OrderEvent['event_type'], idempotencyKey: string | undefined): OrderEvent {
    return orderEvent(order, type, { event_id: this.#newId('event'), event_time: this.#now(), idempotency_key: idempotencyKey ?? null });
  }

  #now(): string {
    return isoTime(this.#clock());
  }
}
