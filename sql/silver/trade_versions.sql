-- The accepted trade versions, typed: amounts as DECIMAL, dates as DATE. A version's valid time starts on its
-- trade_date (the trade store's business time); its recorded time is when its record arrived.
CREATE OR REPLACE TEMP TABLE trade_versions AS
SELECT
  r.arrival,
  r.j ->> 'trade_id' AS trade_id,
  CAST(r.j ->> 'version' AS INTEGER) AS version,
  r.j ->> 'counterparty_id' AS counterparty_id,
  r.j ->> 'book_id' AS book_id,
  r.j ->> 'legal_entity' AS legal_entity,
  r.j ->> 'instrument_id' AS instrument_id,
  r.j ->> 'asset_class' AS asset_class,
  r.j ->> 'side' AS side,
  CAST(r.j ->> 'quantity' AS DECIMAL(38, 10)) AS quantity,
  CAST(r.j ->> 'price' AS DECIMAL(38, 10)) AS price,
  r.j ->> 'currency' AS currency,
  CAST(r.j ->> 'trade_date' AS DATE) AS trade_date,
  CAST(r.j ->> 'settlement_date' AS DATE) AS settlement_date,
  CAST(r.j ->> 'maturity_date' AS DATE) AS maturity_date,
  CAST(r.j ->> 'created_date' AS DATE) AS created_date,
  r.j ->> 'event_id' AS event_id,
  CAST(CAST(r.j ->> 'trade_date' AS DATE) AS TIMESTAMPTZ) AS valid_from,
  r.recorded_at,
  r.topic, r."partition", r."offset", r.source, r.file_sha256, r.line
FROM trade_records r
WHERE r.arrival NOT IN (SELECT arrival FROM {{schema_failed}})
  AND r.arrival NOT IN (SELECT arrival FROM trade_rejections);
