-- The records of one topic that passed its schema rules ({{violations}}), split into redeliveries and the rest.
-- {{rule}} v1 (duplicate event): an event id seen on an earlier record of the same entity key in arrival order; the
-- first one is kept. (Scoped by key so that a build can work on the records of the keys it touches alone.)
-- {{held}}: (arrival, gk, position, event_id) of records silver holds that passed their schema rules, of keys whose new
-- records all arrived after them: they are not worked on again, but their event ids count; their arrival numbers are
-- negative, in arrival order.
CREATE OR REPLACE TEMP TABLE {{rejections}} AS
WITH candidates AS (
  SELECT arrival, gk, position, j ->> 'event_id' AS event_id
  FROM {{records}}
  WHERE arrival NOT IN (SELECT arrival FROM {{violations}} WHERE action IN ('quarantine', 'fail'))
  UNION ALL
  SELECT arrival, gk, position, event_id FROM {{held}}
)
SELECT arrival, {{rule}} AS rule_id, 1 AS rule_version,
  'event ' || event_id || ' was already received (first at ' || first_position || ')' AS reason
FROM (
  SELECT arrival, event_id, min(arrival) OVER w AS first_arrival, arg_min(position, arrival) OVER w AS first_position
  FROM candidates WINDOW w AS (PARTITION BY gk, event_id)
)
WHERE arrival <> first_arrival AND arrival > 0;

-- A view: the versions or facts read it once (a copy of every record cost as much again).
CREATE OR REPLACE TEMP VIEW {{accepted}} AS
SELECT r.*
FROM {{records}} r
WHERE r.arrival NOT IN (SELECT arrival FROM {{violations}} WHERE action IN ('quarantine', 'fail'))
  AND r.arrival NOT IN (SELECT arrival FROM {{rejections}});
