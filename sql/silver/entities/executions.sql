-- silver.executions: the venues' execution reports, one row per accepted event (append-only, deduplicated by event id).
CREATE OR REPLACE TEMP TABLE executions AS
SELECT
  j ->> 'event_id' AS event_id,
  CAST(j ->> 'event_time' AS TIMESTAMPTZ) AS event_time,
  j ->> 'exec_id' AS exec_id,
  j ->> 'order_id' AS order_id,
  j ->> 'venue' AS venue,
  j ->> 'venue_order_id' AS venue_order_id,
  j ->> 'exec_type' AS exec_type,
  j ->> 'legal_entity' AS legal_entity,
  j ->> 'book_id' AS book_id,
  j ->> 'instrument_id' AS instrument_id,
  j ->> 'side' AS side,
  CAST(j ->> 'last_quantity' AS DECIMAL(38, 10)) AS last_quantity,
  CAST(j ->> 'last_price' AS DECIMAL(38, 10)) AS last_price,
  CAST(j ->> 'cumulative_quantity' AS DECIMAL(38, 10)) AS cumulative_quantity,
  CAST(j ->> 'leaves_quantity' AS DECIMAL(38, 10)) AS leaves_quantity,
  CAST(j ->> 'average_price' AS DECIMAL(38, 10)) AS average_price,
  j ->> 'currency' AS currency,
  j ->> 'counterparty_id' AS counterparty_id,
  CAST(j ->> 'trade_date' AS DATE) AS trade_date,
  CAST(j ->> 'settlement_date' AS DATE) AS settlement_date,
  j ->> 'reason' AS reason,
  j ->> 'source' AS event_source,
  CAST(j ->> 'schema_version' AS INTEGER) AS schema_version,
  recorded_at, topic, "partition", "offset", source, file_sha256, line
FROM executions_accepted
ORDER BY arrival;
