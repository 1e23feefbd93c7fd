-- The accepted versions of counterparties, typed. Business time starts at event_time; active = false is a tombstone
-- (deleted): withdrawn from the directory from its valid time on.
CREATE OR REPLACE TEMP TABLE counterparty_versions AS
SELECT
  arrival,
  j ->> 'counterparty_id' AS counterparty_id,
  NOT CAST(j ->> 'active' AS BOOLEAN) AS deleted,
  j ->> 'name' AS name,
  j ->> 'counterparty_type' AS counterparty_type,
  j ->> 'country' AS country,
  j ->> 'lei' AS lei,
  j ->> 'rating' AS rating,
  CAST(j ->> 'event_time' AS TIMESTAMPTZ) AS valid_from,
  j ->> 'event_id' AS event_id,
  recorded_at, topic, "partition", "offset", source, file_sha256, line
FROM counterparties_accepted;
