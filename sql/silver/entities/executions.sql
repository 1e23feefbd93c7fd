-- silver.executions: the venues' execution reports, one row per accepted event (append-only, deduplicated by event id).
CREATE OR REPLACE TEMP TABLE executions AS
SELECT
  t."event_id" AS event_id,
  CAST(t."event_time" AS TIMESTAMPTZ) AS event_time,
  t."exec_id" AS exec_id,
  t."order_id" AS order_id,
  t."venue" AS venue,
  t."venue_order_id" AS venue_order_id,
  t."exec_type" AS exec_type,
  t."legal_entity" AS legal_entity,
  t."book_id" AS book_id,
  t."instrument_id" AS instrument_id,
  t."side" AS side,
  CAST(t."last_quantity" AS DECIMAL(38, 10)) AS last_quantity,
  CAST(t."last_price" AS DECIMAL(38, 10)) AS last_price,
  CAST(t."cumulative_quantity" AS DECIMAL(38, 10)) AS cumulative_quantity,
  CAST(t."leaves_quantity" AS DECIMAL(38, 10)) AS leaves_quantity,
  CAST(t."average_price" AS DECIMAL(38, 10)) AS average_price,
  t."currency" AS currency,
  t."counterparty_id" AS counterparty_id,
  CAST(t."trade_date" AS DATE) AS trade_date,
  CAST(t."settlement_date" AS DATE) AS settlement_date,
  t."reason" AS reason,
  t."source" AS event_source,
  CAST(t."schema_version" AS INTEGER) AS schema_version,
  recorded_at, topic, "partition", "offset", source, file_sha256, line
-- The fields are read with one json_transform per record: each `j ->> 'field'` would parse the JSON again.
FROM (SELECT *, json_transform(j, '{"event_id":"VARCHAR","event_time":"VARCHAR","exec_id":"VARCHAR","order_id":"VARCHAR","venue":"VARCHAR","venue_order_id":"VARCHAR","exec_type":"VARCHAR","legal_entity":"VARCHAR","book_id":"VARCHAR","instrument_id":"VARCHAR","side":"VARCHAR","last_quantity":"VARCHAR","last_price":"VARCHAR","cumulative_quantity":"VARCHAR","leaves_quantity":"VARCHAR","average_price":"VARCHAR","currency":"VARCHAR","counterparty_id":"VARCHAR","trade_date":"VARCHAR","settlement_date":"VARCHAR","reason":"VARCHAR","source":"VARCHAR","schema_version":"VARCHAR"}') AS t FROM executions_accepted)
ORDER BY arrival;
