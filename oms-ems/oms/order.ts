/** An order as the OMS keeps and answers it, and the `orders` event it makes at each change. */
import type { OrderEvent } from '../schemas/order-event.js';
import type { PreTradeFailure } from './pre-trade-checks.js';

export const orderEventSchemaVersion = 1;

type OrderEventFields = Pick<
  OrderEvent,
  | 'order_id' | 'client_order_id' | 'account_id' | 'book_id' | 'legal_entity' | 'instrument_id' | 'side' | 'order_type'
  | 'quantity' | 'limit_price' | 'currency' | 'status' | 'filled_quantity' | 'average_price' | 'replaces_order_id' | 'reason'
>;

export interface Order extends OrderEventFields {
  /** On a REPLACED order: the order that replaced it. */
  replaced_by_order_id: string | null;
  /** The pre-trade checks that failed, on an order rejected by them; empty otherwise. */
  reasons: PreTradeFailure[];
  created_at: string;
  updated_at: string;
}

export interface EventEnvelope {
  event_id: string;
  event_time: string;
  /** The key of the client request that caused the event; null when a venue's report did. */
  idempotency_key: string | null;
}

export function orderEvent(order: Order, eventType: OrderEvent['event_type'], envelope: EventEnvelope): OrderEvent {
  return {
    event_id: envelope.event_id,
    schema_version: orderEventSchemaVersion,
    event_time: envelope.event_time,
    source: 'oms',
    event_type: eventType,
    order_id: order.order_id,
    client_order_id: order.client_order_id,
    idempotency_key: envelope.idempotency_key,
    account_id: order.account_id,
    book_id: order.book_id,
    legal_entity: order.legal_entity,
    instrument_id: order.instrument_id,
    side: order.side,
    order_type: order.order_type,
    quantity: order.quantity,
    limit_price: order.limit_price,
    currency: order.currency,
    status: order.status,
    filled_quantity: order.filled_quantity,
    average_price: order.average_price,
    replaces_order_id: order.replaces_order_id,
    reason: order.reason,
  };
}

export function copyOrder(order: Order): Order {
  return { ...order, reasons: order.reasons.map((r) => ({ ...r })) };
}
