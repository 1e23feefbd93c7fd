-- The records of one topic that passed its schema rules ({{violations}}), split into redeliveries and the rest.
-- {{rule}} v1 (duplicate event): an event id seen on an earlier record in arrival order; the first one is kept.
CREATE OR REPLACE TEMP TABLE {{rejections}} AS
WITH candidates AS (
  SELECT arrival, j ->> 'event_id' AS event_id
  FROM {{records}}
  WHERE arrival NOT IN (SELECT arrival FROM {{violations}} WHERE action IN ('quarantine', 'fail'))
)
SELECT arrival, {{rule}} AS rule_id, 1 AS rule_version,
  'event ' || event_id || ' was already received (first as record ' || first_arrival || ' in arrival order)' AS reason
FROM (SELECT arrival, event_id, min(arrival) OVER (PARTITION BY event_id) AS first_arrival FROM candidates)
WHERE arrival <> first_arrival;

CREATE OR REPLACE TEMP TABLE {{accepted}} AS
SELECT r.*
FROM {{records}} r
WHERE r.arrival NOT IN (SELECT arrival FROM {{violations}} WHERE action IN ('quarantine', 'fail'))
  AND r.arrival NOT IN (SELECT arrival FROM {{rejections}});
