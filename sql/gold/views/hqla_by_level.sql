-- gold.hqla_by_level: per as_of_date, legal entity and HQLA level, the stock at market value (the assets held and the
-- collateral received in reverse repos, before haircuts), after haircuts, after the Annex 1 unwind of short-term
-- secured transactions, the cut of the 15% and 40% caps (taken from the lowest level first) and after the caps: the
-- levels after caps add up to gold.lcr's hqla_total before rounding.
CREATE OR REPLACE VIEW gold.hqla_by_level AS
SELECT as_of_date, legal_entity, reporting_currency, level, exposures, market_value, after_haircut, after_unwind,
  cap_adjustment, after_caps, gold_version
FROM read_parquet({{current_hqla_levels}})
ORDER BY as_of_date, legal_entity, level;
