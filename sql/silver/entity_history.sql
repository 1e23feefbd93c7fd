-- SCD2 on two timelines, for any entity: {{versions}} in, {{history}} out, keyed by {{key}}.
-- Two versions of one key rank by {{rank_by}}, then arrival (the later wins), e.g. by version or by valid_from. The
-- versions table has arrival (unique within a key), the key, the state columns, valid_from, recorded_at, event_id,
-- topic, "partition", "offset", source, file_sha256, line; the state columns are all the others.
-- Each accepted version starts a new state of knowledge (recorded_from = its arrival). In a state, the version in
-- force at valid time t is the highest-ranked among the versions known then whose valid_from <= t; runs of valid time
-- with one version are one row, and a row that stays the same over consecutive states of knowledge is one row whose
-- recorded interval spans them. Open ends are NULL. A tombstone is a version like any other (its state says deleted).
-- That costs O(versions^2) per key, so keys whose versions arrived in rank order with valid_from never going back (the
-- usual case: a position's CDC stream) take a shortcut giving the same rows: each version is open in valid time until
-- the next one arrives, and from then on closed at the next one's valid_from (unless that one starts at the same time
-- and so replaces it).
-- The windows work on the few columns they need (k, arrival, the rank, times), all in arrival order (a key is in rank
-- order when its rank never goes down); the general path ranks its few keys' versions itself. Each row's state columns
-- are joined back by key and arrival at the end: sorting whole versions for every window cost most of a large build.
-- {{order_by}}: an ORDER BY for the rows, or nothing.
CREATE OR REPLACE TEMP TABLE {{history}} AS
WITH n AS (
  SELECT {{key}} AS k, arrival, {{rank_by}} AS rank_by, valid_from, recorded_at,
    row_number() OVER w AS seq,
    lag({{rank_by}}) OVER w AS prev_rank,
    lag(valid_from) OVER w AS prev_from,
    lead(valid_from) OVER w AS next_from,
    lead(recorded_at) OVER w AS next_at
  FROM {{versions}}
  WINDOW w AS (PARTITION BY {{key}} ORDER BY arrival)
),
v AS (
  SELECT *,
    bool_and((seq = 1 OR (rank_by >= prev_rank) IS TRUE) AND (prev_from IS NULL OR valid_from >= prev_from)) OVER (PARTITION BY k) AS in_order
  FROM n
),
shortcut AS (
  SELECT k, arrival AS winner, valid_from, NULL::TIMESTAMPTZ AS valid_to, recorded_at AS recorded_from, next_at AS recorded_to FROM v WHERE in_order
  UNION ALL
  SELECT k, arrival, valid_from, next_from, next_at, NULL::TIMESTAMPTZ FROM v WHERE in_order AND next_from > valid_from
),
general AS (
  SELECT k, arrival, seq, row_number() OVER (PARTITION BY k ORDER BY rank_by, arrival) AS rank, valid_from, recorded_at FROM v WHERE NOT in_order
),
states AS (
  SELECT k, seq AS state, recorded_at AS state_from,
    lead(recorded_at) OVER (PARTITION BY k ORDER BY seq) AS state_to
  FROM general
),
known AS (
  SELECT s.k, s.state, g.valid_from, g.rank FROM states s JOIN general g ON g.k = s.k AND g.seq <= s.state
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
  SELECT f.k, g.arrival AS winner, f.valid_from, f.valid_to, f.recorded_from, f.recorded_to
  FROM (
    SELECT k, winner, valid_from, valid_to, min(state_from) AS recorded_from,
      CASE WHEN bool_or(state_to IS NULL) THEN NULL ELSE max(state_to) END AS recorded_to
    FROM spans
    GROUP BY k, winner, valid_from, valid_to, island
  ) f JOIN general g ON g.k = f.k AND g.rank = f.winner
  UNION ALL
  SELECT k, winner, valid_from, valid_to, recorded_from, recorded_to FROM shortcut
)
SELECT
  v.* EXCLUDE (arrival, valid_from, recorded_at, event_id, topic, "partition", "offset", source, file_sha256, line),
  f.valid_from, f.valid_to, f.recorded_from, f.recorded_to,
  v.event_id, v.topic, v."partition", v."offset", v.source, v.recorded_at AS received_at
FROM final f JOIN {{versions}} v ON v.{{key}} = f.k AND v.arrival = f.winner
{{order_by}};
