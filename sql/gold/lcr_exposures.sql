-- The exposure CSV typed as computeLcr reads it (LCR.md section D), once lcr_exposure_problems found nothing:
-- amounts DECIMAL(38,10) as in gold.liquidity_exposures (the validation caps digits and decimals to fit),
-- dates DATE, flags BOOLEAN (empty = false).
CREATE OR REPLACE TEMP TABLE lcr_exposures AS
SELECT
  line,
  CAST(as_of_date AS DATE) AS as_of_date,
  legal_entity,
  reporting_currency,
  currency,
  exposure_id,
  product,
  direction,
  counterparty_type,
  CAST(amount AS DECIMAL(38,10)) AS amount,
  CAST(maturity_date AS DATE) AS maturity_date,
  collateral_class,
  CAST(collateral_value AS DECIMAL(38,10)) AS collateral_value,
  coalesce(is_operational = 'true', false) AS is_operational,
  coalesce(is_insured = 'true', false) AS is_insured,
  coalesce(is_stable = 'true', false) AS is_stable,
  coalesce(is_encumbered = 'true', false) AS is_encumbered
FROM lcr_exposures_csv;
