-- {{into}}: the liquidity exposure records of LCR.md section D for business date $as_of_date, one row per exposure:
-- the securities held and the treasury deals in force, with nothing left out (left_out_reason) among them.
CREATE OR REPLACE TABLE {{into}} AS
WITH exposures AS (
  SELECT exposure_id, legal_entity, reporting_currency, currency, product, direction, counterparty_type, amount, maturity_date,
    collateral_class, CAST(NULL AS DECIMAL(38, 10)) AS collateral_value, is_operational, is_insured, is_stable, is_encumbered
  FROM security_exposures
  WHERE left_out_reason IS NULL
  UNION ALL
  SELECT exposure_id, legal_entity, reporting_currency, currency, product, direction, counterparty_type, amount, maturity_date,
    collateral_class, collateral_value, is_operational, is_insured, is_stable, is_encumbered
  FROM deal_exposures
  WHERE left_out_reason IS NULL
),
final AS (
  SELECT
    CAST($as_of_date AS DATE) AS as_of_date,
    CAST(legal_entity AS VARCHAR) AS legal_entity,
    CAST(reporting_currency AS VARCHAR) AS reporting_currency,
    CAST(currency AS VARCHAR) AS currency,
    CAST(exposure_id AS VARCHAR) AS exposure_id,
    CAST(product AS VARCHAR) AS product,
    CAST(direction AS VARCHAR) AS direction,
    CAST(counterparty_type AS VARCHAR) AS counterparty_type,
    CAST(amount AS DECIMAL(38, 10)) AS amount,
    CAST(maturity_date AS DATE) AS maturity_date,
    CAST(collateral_class AS VARCHAR) AS collateral_class,
    CAST(collateral_value AS DECIMAL(38, 10)) AS collateral_value,
    CAST(is_operational AS BOOLEAN) AS is_operational,
    CAST(is_insured AS BOOLEAN) AS is_insured,
    CAST(is_stable AS BOOLEAN) AS is_stable,
    CAST(is_encumbered AS BOOLEAN) AS is_encumbered
  FROM exposures
)
SELECT * FROM final ORDER BY legal_entity, exposure_id;
