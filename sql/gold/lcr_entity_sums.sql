-- Per as_of_date, legal entity, product, counterparty type and treatment: the exact DECIMAL sums the LCR is finished
-- from (gold/lcr/lcr-figures.ts) and that outflows and inflows are reported by.
CREATE OR REPLACE TEMP TABLE lcr_entity_sums AS
SELECT
  as_of_date, legal_entity, reporting_currency, product, counterparty_type, hqla_class, exclusion_reason, flow, rate_rule, rate,
  sum(exposures) AS exposures,
  sum(exposures) FILTER (WHERE problem IS NOT NULL) AS problems,
  sum(amount) AS amount,
  coalesce(sum(weighted_amount), 0) AS weighted_amount,
  stock_bucket,
  coalesce(sum(stock_value), 0) AS stock_value,
  coalesce(sum(unwind_cash), 0) AS unwind_cash,
  unwind_bucket,
  coalesce(sum(unwind_collateral), 0) AS unwind_collateral
FROM lcr_group_treatment
GROUP BY ALL;
