-- gold.runs: one row per gold run (restatements included): the date, what silver knew, when it was computed, from which
-- silver version under which rules, and whether it is the date's current run.
CREATE OR REPLACE VIEW gold.runs AS
SELECT * FROM (VALUES {{runs}}) AS r(gold_version, as_of_date, known_at, known_at_given, computed_at, seconds,
  silver_version, regime, regime_version, internal_limit, exposures, restates, is_current)
ORDER BY gold_version;
