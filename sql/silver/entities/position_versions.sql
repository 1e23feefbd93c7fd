-- The accepted position changes, typed: the state is the CDC event's `after`, flattened. Business time starts at
-- event_time. Positions are never deleted (a flat position has quantity 0). The payload is parsed once (json_transform),
-- amounts cast by silver_decimal (silver/trade-typing.ts decimalSql).
CREATE OR REPLACE TEMP TABLE position_versions AS
SELECT
  arrival,
  f.position_id AS position_id,
  false AS deleted,
  f.legal_entity AS legal_entity,
  f.book_id AS book_id,
  f.instrument_id AS instrument_id,
  silver_decimal(f.after.quantity) AS quantity,
  silver_decimal(f.after.cost) AS cost,
  f.after.currency AS currency,
  CAST(f.after.trade_count AS INTEGER) AS trade_count,
  f.op AS op,
  f.trade_id AS trade_id,
  CAST(f.trade_version AS INTEGER) AS trade_version,
  f.journal_entry_id AS journal_entry_id,
  CAST(f.event_time AS TIMESTAMPTZ) AS valid_from,
  f.event_id AS event_id,
  recorded_at, topic, "partition", "offset", source, file_sha256, line
FROM (SELECT *, json_transform(j, '{"position_id": "VARCHAR", "legal_entity": "VARCHAR", "book_id": "VARCHAR", "instrument_id": "VARCHAR",
  "after": {"quantity": "VARCHAR", "cost": "VARCHAR", "currency": "VARCHAR", "trade_count": "VARCHAR"}, "op": "VARCHAR", "trade_id": "VARCHAR",
  "trade_version": "VARCHAR", "journal_entry_id": "VARCHAR", "event_time": "VARCHAR", "event_id": "VARCHAR"}') AS f FROM positions_accepted);
