-- silver.orders: the OMS's order life cycle, one row per accepted event (append-only, deduplicated by event id).
CREATE OR REPLACE TEMP TABLE orders AS
SELECT
  t."event_id" AS event_id,
  CAST(t."event_time" AS TIMESTAMPTZ) AS event_time,
  t."event_type" AS event_type,
  t."order_id" AS order_id,
  t."client_order_id" AS client_order_id,
  t."idempotency_key" AS idempotency_key,
  t."account_id" AS account_id,
  t."book_id" AS book_id,
  t."legal_entity" AS legal_entity,
  t."instrument_id" AS instrument_id,
  t."side" AS side,
  t."order_type" AS order_type,
  CAST(t."quantity" AS DECIMAL(38, 10)) AS quantity,
  CAST(t."limit_price" AS DECIMAL(38, 10)) AS limit_price,
  t."currency" AS currency,
  t."status" AS status,
  CAST(t."filled_quantity" AS DECIMAL(38, 10)) AS filled_quantity,
  CAST(t."average_price" AS DECIMAL(38, 10)) AS average_price,
  t."replaces_order_id" AS replaces_order_id,
  t."reason" AS reason,
  t."source" AS event_source,
  CAST(t."schema_version" AS INTEGER) AS schema_version,
  recorded_at, topic, "partition", "offset", source, file_sha256, line
-- The fields are read with one json_transform per record: each `j ->> 'field'` would parse the JSON again.
FROM (SELECT *, json_transform(j, '{"event_id":"VARCHAR","event_time":"VARCHAR","event_type":"VARCHAR","order_id":"VARCHAR","client_order_id":"VARCHAR","idempotency_key":"VARCHAR","account_id":"VARCHAR","book_id":"VARCHAR","legal_entity":"VARCHAR","instrument_id":"VARCHAR","side":"VARCHAR","order_type":"VARCHAR","quantity":"VARCHAR","limit_price":"VARCHAR","currency":"VARCHAR","status":"VARCHAR","filled_quantity":"VARCHAR","average_price":"VARCHAR","replaces_order_id":"VARCHAR","reason":"VARCHAR","source":"VARCHAR","schema_version":"VARCHAR"}') AS t FROM orders_accepted)
ORDER BY arrival;
