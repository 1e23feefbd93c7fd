-- The accepted position changes, typed: the state is the CDC event's `after`, flattened. Business time starts at
-- event_time. Positions are never deleted (a flat position has quantity 0).
CREATE OR REPLACE TEMP TABLE position_versions AS
SELECT
  arrival,
  j ->> 'position_id' AS position_id,
  false AS deleted,
  j ->> 'legal_entity' AS legal_entity,
  j ->> 'book_id' AS book_id,
  j ->> 'instrument_id' AS instrument_id,
  CAST(j -> 'after' ->> 'quantity' AS DECIMAL(38, 10)) AS quantity,
  CAST(j -> 'after' ->> 'cost' AS DECIMAL(38, 10)) AS cost,
  j -> 'after' ->> 'currency' AS currency,
  CAST(j -> 'after' ->> 'trade_count' AS INTEGER) AS trade_count,
  j ->> 'op' AS op,
  j ->> 'trade_id' AS trade_id,
  CAST(j ->> 'trade_version' AS INTEGER) AS trade_version,
  j ->> 'journal_entry_id' AS journal_entry_id,
  CAST(j ->> 'event_time' AS TIMESTAMPTZ) AS valid_from,
  j ->> 'event_id' AS event_id,
  recorded_at, topic, "partition", "offset", source, file_sha256, line
FROM positions_accepted;
