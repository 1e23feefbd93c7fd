-- gold.lcr: per as_of_date and legal entity, the LCR of the date's current run (CONTRACT.md section 4): money rounded
-- half to even to 2 decimals and the ratio to 6, once, by the calculator that `lakehouse lcr` runs; then the buffer
-- and breach flags against 100% and the internal limit, and where the figures came from.
CREATE OR REPLACE VIEW gold.lcr AS
SELECT as_of_date, legal_entity, reporting_currency, level1, level2a, level2b, adjustment_15pct_cap, adjustment_40pct_cap,
  hqla_total, outflows_total, inflows_total, inflows_capped, net_cash_outflows, lcr,
  adjusted_level1, adjusted_level2a, adjusted_level2b, buffer, internal_limit, internal_limit_buffer, below_minimum,
  below_internal_limit, excluded_exposures, gold_version, known_at, computed_at, silver_version, regime, regime_version
FROM read_parquet({{current_lcr}});
