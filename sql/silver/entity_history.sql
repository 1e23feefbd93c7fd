-- SCD2 on two timelines, for any entity: {{versions}} in, {{history}} out, keyed by {{key}}.
-- {{order}}: the columns that rank two versions of one key (the later wins), e.g. `version, arrival` or
-- `valid_from, arrival`. The versions table has arrival, the key, the state columns, valid_from, recorded_at,
-- event_id, topic, "partition", "offset", source, file_sha256, line; the state columns are all the others.
-- Each accepted version starts a new state of knowledge (recorded_from = its arrival). In a state, the version in
-- force at valid time t is the highest-ranked among the versions known then whose valid_from <= t; runs of valid time
-- with one version are one row, and a row that stays the same over consecutive states of knowledge is one row whose
-- recorded interval spans them. Open ends are NULL. A tombstone is a version like any other (its state says deleted).
CREATE OR REPLACE TEMP TABLE {{history}} AS
WITH v AS (
  SELECT *, row_number() OVER (PARTITION BY {{key}} ORDER BY arrival) AS seq,
    row_number() OVER (PARTITION BY {{key}} ORDER BY {{order}}) AS rank
  FROM {{versions}}
),
states AS (
  SELECT {{key}} AS k, seq AS state, recorded_at AS state_from,
    lead(recorded_at) OVER (PARTITION BY {{key}} ORDER BY seq) AS state_to
  FROM v
),
known AS (
  SELECT s.k, s.state, v.valid_from, v.rank FROM states s JOIN v ON v.{{key}} = s.k AND v.seq <= s.state
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
    max(state_to) AS last_to, bool_or(state_to IS NULL) AS open_ended
  FROM spans
  GROUP BY k, winner, valid_from, valid_to, island
)
SELECT
  v.* EXCLUDE (arrival, seq, rank, valid_from, recorded_at, event_id, topic, "partition", "offset", source, file_sha256, line),
  f.valid_from, f.valid_to, f.recorded_from,
  CASE WHEN f.open_ended THEN NULL ELSE f.last_to END AS recorded_to,
  v.event_id, v.topic, v."partition", v."offset", v.source, v.recorded_at AS received_at
FROM final f JOIN v ON v.{{key}} = f.k AND v.rank = f.winner
ORDER BY v.{{key}}, f.recorded_from, f.valid_from;
