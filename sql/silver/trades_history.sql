-- SCD2 on two timelines. Each accepted version starts a new state of knowledge (recorded_from = its arrival).
-- In a state, the version in force at valid time t is the highest (version, arrival) among the versions known then
-- whose valid_from <= t; runs of valid time with one version are one row, and a row that stays the same over
-- consecutive states of knowledge is one row whose recorded interval spans them. Open ends are NULL.
CREATE OR REPLACE TEMP TABLE trades_history AS
WITH v AS (
  SELECT *, row_number() OVER (PARTITION BY trade_id ORDER BY arrival) AS seq FROM trade_versions
),
states AS (
  SELECT trade_id, seq AS state, recorded_at AS state_from,
    lead(recorded_at) OVER (PARTITION BY trade_id ORDER BY seq) AS state_to
  FROM v
),
points AS (
  SELECT DISTINCT s.trade_id, s.state, k.valid_from AS p
  FROM states s JOIN v k ON k.trade_id = s.trade_id AND k.seq <= s.state
),
winners AS (
  SELECT p.trade_id, p.state, p.p, arg_max(k.seq, CAST(k.version AS BIGINT) * 1048576 + k.seq) AS winner
  FROM points p JOIN v k ON k.trade_id = p.trade_id AND k.seq <= p.state AND k.valid_from <= p.p
  GROUP BY p.trade_id, p.state, p.p
),
runs AS (
  SELECT *, sum(CASE WHEN winner IS DISTINCT FROM prev THEN 1 ELSE 0 END) OVER (PARTITION BY trade_id, state ORDER BY p) AS run
  FROM (SELECT *, lag(winner) OVER (PARTITION BY trade_id, state ORDER BY p) AS prev FROM winners)
),
segments AS (
  SELECT trade_id, state, winner, min(p) AS valid_from
  FROM runs GROUP BY trade_id, state, run, winner
),
bounded AS (
  SELECT *, lead(valid_from) OVER (PARTITION BY trade_id, state ORDER BY valid_from) AS valid_to FROM segments
),
spans AS (
  SELECT b.*, s.state_from, s.state_to,
    b.state - row_number() OVER (PARTITION BY b.trade_id, b.winner, b.valid_from, b.valid_to ORDER BY b.state) AS island
  FROM bounded b JOIN states s ON s.trade_id = b.trade_id AND s.state = b.state
),
final AS (
  SELECT trade_id, winner, valid_from, valid_to, min(state_from) AS recorded_from,
    max(state_to) AS last_to, bool_or(state_to IS NULL) AS open_ended
  FROM spans
  GROUP BY trade_id, winner, valid_from, valid_to, island
)
SELECT
  k.trade_id, k.version, k.counterparty_id, k.book_id, k.legal_entity, k.instrument_id, k.asset_class, k.side,
  k.quantity, k.price, k.currency, k.trade_date, k.settlement_date, k.maturity_date, k.created_date,
  f.valid_from, f.valid_to, f.recorded_from,
  CASE WHEN f.open_ended THEN NULL ELSE f.last_to END AS recorded_to,
  k.event_id, k.topic, k."partition", k."offset", k.source, k.recorded_at AS received_at
FROM final f JOIN v k ON k.trade_id = f.trade_id AND k.seq = f.winner
ORDER BY k.trade_id, f.recorded_from, f.valid_from;
