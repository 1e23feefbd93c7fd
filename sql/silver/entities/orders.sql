-- silver.orders: the OMS's order life cycle, one row per accepted event (append-only, deduplicated by event id).
CREATE OR REPLACE TEMP TABLE orders AS
SELECT
  j ->> 'event_id' AS event_id,
  CAST(j ->> 'event_time' AS TIMESTAMPTZ) AS event_time,
  j ->> 'event_type' AS event_type,
  j ->> 'order_id' AS order_id,
  j ->> 'client_order_id' AS client_order_id,
  j ->> 'idempotency_key' AS idempotency_key,
  j ->> 'account_id' AS account_id,
  j ->> 'book_id' AS book_id,
  j ->> 'legal_entity' AS legal_entity,
  j ->> 'instrument_id' AS instrument_id,
  j ->> 'side' AS side,
  j ->> 'order_type' AS order_type,
  CAST(j ->> 'quantity' AS DECIMAL(38, 10)) AS quantity,
  CAST(j ->> 'limit_price' AS DECIMAL(38, 10)) AS limit_price,
  j ->> 'currency' AS currency,
  j ->> 'status' AS status,
  CAST(j ->> 'filled_quantity' AS DECIMAL(38, 10)) AS filled_quantity,
  CAST(j ->> 'average_price' AS DECIMAL(38, 10)) AS average_price,
  j ->> 'replaces_order_id' AS replaces_order_id,
  j ->> 'reason' AS reason,
  j ->> 'source' AS event_source,
  CAST(j ->> 'schema_version' AS INTEGER) AS schema_version,
  recorded_at, topic, "partition", "offset", source, file_sha256, line
FROM orders_accepted
ORDER BY arrival;
