-- The exposures of the typed relation with what their LCR treatment depends on, one row per exposure: flags with NULL as
-- false, and the maturity against the horizon (as_of_date + the horizon in days: day 30 is inside, day 31 outside).
CREATE OR REPLACE TEMP VIEW lcr_exposure_keys AS
SELECT
  as_of_date,
  legal_entity,
  reporting_currency,
  exposure_id,
  product,
  counterparty_type,
  collateral_class,
  amount,
  collateral_value,
  maturity_date,
  coalesce(is_operational, false) AS is_operational,
  coalesce(is_insured, false) AS is_insured,
  coalesce(is_stable, false) AS is_stable,
  coalesce(is_encumbered, false) AS is_encumbered,
  maturity_date IS NULL AS maturity_open,
  coalesce(maturity_date <= as_of_date + {{horizon_days}}, false) AS matures_in_horizon,
  amount IS NULL AS amount_missing,
  collateral_value IS NULL AS collateral_missing
FROM {{exposures}};
