-- The records of one topic that passed its schema rules ({{violations}}), split into redeliveries and the rest.
-- {{rule}} v1 (duplicate event): an event id seen on an earlier record of the same entity key in arrival order; the
-- first one is kept. (Scoped by key so that a build can work on the records of the keys it touches alone.)
CREATE OR REPLACE TEMP TABLE {{rejections}} AS
WITH candidates AS (
  SELECT arrival, gk, position, j ->> 'event_id' AS event_id
  FROM {{records}}
  WHERE arrival NOT IN (SELECT arrival FROM {{violations}} WHERE action IN ('quarantine', 'fail'))
)
SELECT arrival, {{rule}} AS rule_id, 1 AS rule_version,
  'event ' || event_id || ' was already received (first at ' || first_position || ')' AS reason
FROM (
  SELECT arrival, event_id, min(arrival) OVER w AS first_arrival, arg_min(position, arrival) OVER w AS first_position
  FROM candidates WINDOW w AS (PARTITION BY gk, event_id)
)
WHERE arrival <> first_arrival;

CREATE OR REPLACE TEMP TABLE {{accepted}} AS
SELECT r.*
FROM {{records}} r
WHERE r.arrival NOT IN (SELECT arrival FROM {{violations}} WHERE action IN ('quarantine', 'fail'))
  AND r.arrival NOT IN (SELECT arrival FROM {{rejections}});
