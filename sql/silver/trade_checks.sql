-- The trade store's business rules (CONTRACT.md section 3), on the records that passed the schema rules
-- ({{schema_failed}}: a relation of arrival numbers to leave out), one row per rejected record.
-- trades.duplicate_event v1: an event id seen on an earlier record of the same trade (a redelivery); records without one
-- are not deduplicated.
-- trades.maturity_before_received v1 (rule 3): maturity_date before the UTC day the record arrived.
-- trades.version_lower_than_stored v1 (rule 1): version below the highest version stored, in arrival order.
-- A record rejected by one rule is not a candidate for the later ones, and never counts as stored.
CREATE OR REPLACE TEMP TABLE trade_rejections AS
WITH candidates AS (
  SELECT
    r.arrival, r.recorded_at, r.position,
    r.j ->> 'trade_id' AS trade_id,
    CAST(r.j ->> 'version' AS BIGINT) AS version,
    TRY_CAST(r.j ->> 'maturity_date' AS DATE) AS maturity_date,
    r.j ->> 'event_id' AS event_id
  FROM trade_records r
  WHERE r.arrival NOT IN (SELECT arrival FROM {{schema_failed}})
),
duplicates AS (
  SELECT arrival, 'trades.duplicate_event' AS rule_id, 1 AS rule_version,
    'event ' || event_id || ' was already received (first at ' || first_position || ')' AS reason
  FROM (
    SELECT arrival, event_id, min(arrival) OVER w AS first_arrival, arg_min(position, arrival) OVER w AS first_position
    FROM candidates WHERE event_id IS NOT NULL WINDOW w AS (PARTITION BY trade_id, event_id)
  )
  WHERE arrival <> first_arrival
),
matured AS (
  SELECT arrival, 'trades.maturity_before_received' AS rule_id, 1 AS rule_version,
    'maturity_date ' || maturity_date || ' is before ' || CAST(recorded_at AS DATE) || ', the day the record was received' AS reason
  FROM candidates
  WHERE arrival NOT IN (SELECT arrival FROM duplicates)
    AND maturity_date < CAST(recorded_at AS DATE)
),
versioned AS (
  SELECT arrival, trade_id, version,
    max(version) OVER (PARTITION BY trade_id ORDER BY arrival ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS stored
  FROM candidates
  WHERE arrival NOT IN (SELECT arrival FROM duplicates) AND arrival NOT IN (SELECT arrival FROM matured)
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
