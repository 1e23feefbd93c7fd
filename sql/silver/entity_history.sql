-- SCD2 on two timelines, for any entity: {{versions}} in, {{history}} out, keyed by {{key}}.
-- {{order}}: the columns that rank two versions of one key (the later wins), e.g. `version, arrival` or
-- `valid_from, arrival`. The versions table has arrival, the key, the state columns, valid_from, recorded_at,
-- event_id, topic, "partition", "offset", source, file_sha256, line; the state columns are all the others.
-- Each accepted version starts a new state of knowledge (recorded_from = its arrival). In a state, the version in
-- force at valid time t is the highest-ranked among the versions known then whose valid_from <= t; runs of valid time
-- with one version are one row, and a row that stays the same over consecutive states of knowledge is one row whose
-- recorded interval spans them. Open ends are NULL. A tombstone is a version like any other (its state says deleted).
-- That costs O(versions^2) per key, so keys whose versions arrived in rank order with valid_from never going back (the
-- usual case: a position's CDC stream) take a shortcut giving the same rows: each version is open in valid time until
-- the next one arrives, and from then on closed at the next one's valid_from (unless that one starts at the same time
-- and so replaces it).
CREATE OR REPLACE TEMP TABLE {{history}} AS
WITH v AS (
  SELECT *, row_number() OVER (PARTITION BY {{key}} ORDER BY arrival) AS seq,
    row_number() OVER (PARTITION BY {{key}} ORDER BY {{order}}) AS rank
  FROM {{versions}}
),
shape AS (
  SELECT k, bool_and(seq = rank AND (prev_from IS NULL OR valid_from >= prev_from)) AS in_order
  FROM (SELECT {{key}} AS k, seq, rank, valid_from, lag(valid_from) OVER (PARTITION BY {{key}} ORDER BY seq) AS prev_from FROM v)
  GROUP BY k
),
ordered AS (
  SELECT v.{{key}} AS k, v.rank, v.valid_from, v.recorded_at,
    lead(v.valid_from) OVER (PARTITION BY v.{{key}} ORDER BY v.seq) AS next_from,
    lead(v.recorded_at) OVER (PARTITION BY v.{{key}} ORDER BY v.seq) AS next_at
  FROM v
  WHERE v.{{key}} IN (SELECT k FROM shape WHERE in_order)
),
shortcut AS (
  SELECT k, rank AS winner, valid_from, NULL::TIMESTAMPTZ AS valid_to, recorded_at AS recorded_from, next_at AS recorded_to FROM ordered
  UNION ALL
  SELECT k, rank, valid_from, next_from, next_at, NULL::TIMESTAMPTZ FROM ordered WHERE next_from > valid_from
),
general AS (
  SELECT * FROM v WHERE {{key}} IN (SELECT k FROM shape WHERE NOT in_order)
),
states AS (
  SELECT {{key}} AS k, seq AS state, recorded_at AS state_from,
    lead(recorded_at) OVER (PARTITION BY {{key}} ORDER BY seq) AS state_to
  FROM general
),
known AS (
  SELECT s.k, s.state, g.valid_from, g.rank FROM states s JOIN general g ON g.{{key}} = s.k AND g.seq <= s.state
),
winners AS (
  -- The running maximum over valid_from (peers included) is the highest-ranked version at each point of valid time.
  SELECT DISTINCT k, state, valid_from AS p,
    max(rank) OVER (PARTITION BY k, state ORDER BY valid_from RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS winner
  FROM known
),
runs AS (
  SELECT *, sum(CASE WHEN winner IS DISTINCT FROM prev THEN 1 ELSE 0 END) OVER (PARTITION BY k, state ORDER BY p) AS run
  FROM (SELECT *, lag(winner) OVER (PARTITION BY k, state ORDER BY p) AS prev FROM winners)
),
segments AS (
  SELECT k, state, winner, min(p) AS valid_from
  FROM runs GROUP BY k, state, run, winner
),
bounded AS (
  SELECT *, lead(valid_from) OVER (PARTITION BY k, state ORDER BY valid_from) AS valid_to FROM segments
),
spans AS (
  SELECT b.*, s.state_from, s.state_to,
    b.state - row_number() OVER (PARTITION BY b.k, b.winner, b.valid_from, b.valid_to ORDER BY b.state) AS island
  FROM bounded b JOIN states s ON s.k = b.k AND s.state = b.state
),
final AS (
  SELECT k, winner, valid_from, valid_to, min(state_from) AS recorded_from,
    CASE WHEN bool_or(state_to IS NULL) THEN NULL ELSE max(state_to) END AS recorded_to
  FROM spans
  GROUP BY k, winner, valid_from, valid_to, island
  UNION ALL
  SELECT * FROM shortcut
)
SELECT
  v.* EXCLUDE (arrival, seq, rank, valid_from, recorded_at, event_id, topic, "partition", "offset", source, file_sha256, line),
  f.valid_from, f.valid_to, f.recorded_from, f.recorded_to,
  v.event_id, v.topic, v."partition", v."offset", v.source, v.recorded_at AS received_at
FROM final f JOIN v ON v.{{key}} = f.k AND v.rank = f.winner
ORDER BY v.{{key}}, f.recorded_from, f.valid_from;
