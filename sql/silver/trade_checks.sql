-- The trade store's business rules (CONTRACT.md section 3), on the records that passed the schema rules
-- (the candidates relation: arrival, recorded_at, topic, "partition", "offset", file_sha256, line, trade_id, version,
-- maturity_date, event_id), one row per rejected
-- record. The candidates of an incremental build are its records and those silver holds of the keys they touch.
-- trades.duplicate_event v1: an event id seen on an earlier record of the same trade (a redelivery); records without one
-- are not deduplicated.
-- trades.maturity_before_received v1 (rule 3): maturity_date before the UTC day the record arrived.
-- trades.version_lower_than_stored v1 (rule 1): version below the highest version stored, in arrival order.
-- A record rejected by one rule is not a candidate for the later ones, and never counts as stored.
CREATE OR REPLACE TEMP TABLE trade_rejections AS
WITH candidates AS (
  SELECT arrival, recorded_at, topic, "partition", "offset", file_sha256, line, trade_id, version, maturity_date, event_id FROM {{candidates}}
),
duplicates AS (
  -- The first record's position (a message's words) is spelled out for the duplicates only.
  SELECT d.arrival, 'trades.duplicate_event' AS rule_id, 1 AS rule_version,
    'event ' || d.event_id || ' was already received (first at '
      || CASE WHEN f.file_sha256 IS NULL THEN f.topic || '/' || f."partition" || '@' || f."offset" ELSE 'line ' || f.line || ' of file ' || left(f.file_sha256, 12) END
      || ')' AS reason
  FROM (
    SELECT arrival, event_id, min(arrival) OVER (PARTITION BY trade_id, event_id) AS first_arrival
    FROM candidates WHERE event_id IS NOT NULL
  ) d JOIN candidates f ON f.arrival = d.first_arrival
  WHERE d.arrival <> d.first_arrival
),
matured AS (
  SELECT arrival, 'trades.maturity_before_received' AS rule_id, 1 AS rule_version,
    'maturity_date ' || maturity_date || ' is before ' || CAST(recorded_at AS DATE) || ', the day the record was received' AS reason
  FROM candidates ANTI JOIN duplicates USING (arrival)
  -- (maturity_date < CAST(recorded_at AS DATE) in UTC, as integers: the time zone cast cost ten times more.)
  WHERE epoch_us(recorded_at) >= (maturity_date - DATE '1970-01-01' + 1) * 86400000000
),
versioned AS (
  SELECT arrival, trade_id, version,
    max(version) OVER (PARTITION BY trade_id ORDER BY arrival ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS stored
  FROM candidates ANTI JOIN duplicates USING (arrival) ANTI JOIN matured USING (arrival)
),
lower AS (
  SELECT arrival, 'trades.version_lower_than_stored' AS rule_id, 1 AS rule_version,
    'version ' || version || ' of trade ' || trade_id || ' is lower than version ' || stored || ', already stored' AS reason
  FROM versioned
  WHERE version < stored
)
SELECT * FROM duplicates
UNION ALL SELECT * FROM matured
UNION ALL SELECT * FROM lower;
