-- lcr_exposure_keys summed over exposures that share every key their treatment depends on: the treatment is then
-- decided once per group instead of once per row (amounts enter it linearly, so the sums stay exact).
CREATE OR REPLACE TEMP TABLE lcr_exposure_groups AS
SELECT
  as_of_date, legal_entity, reporting_currency, product, counterparty_type, collateral_class,
  is_operational, is_insured, is_stable, is_encumbered, maturity_open, matures_in_horizon, amount_missing, collateral_missing,
  count(*) AS exposures,
  sum(amount) AS amount,
  sum(collateral_value) AS collateral_value
FROM lcr_exposure_keys
GROUP BY ALL;
