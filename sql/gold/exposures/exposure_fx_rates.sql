-- exposure_fx_rates: the rate each currency is converted with for business date $as_of_date, as units per USD
-- (silver.fx_rates is USD-based): the latest rate dated on or before that date (a day without a rate, e.g. a holiday,
-- takes the one before), among the rates that had arrived by $known_at. USD is 1.
CREATE OR REPLACE TEMP TABLE exposure_fx_rates AS
WITH known AS (
  SELECT quote_currency AS currency, rate_date, rate AS units_per_usd
  FROM silver.fx_rates
  WHERE base_currency = 'USD' AND quote_currency <> 'USD'
    AND rate_date <= CAST($as_of_date AS DATE)
    AND recorded_at <= CAST($known_at AS TIMESTAMPTZ) -- a rate published after T was not known at T
  QUALIFY row_number() OVER (PARTITION BY quote_currency ORDER BY rate_date DESC) = 1
),
final AS (
  SELECT currency, rate_date, units_per_usd FROM known
  UNION ALL
  SELECT 'USD', CAST($as_of_date AS DATE), CAST(1 AS DECIMAL(38, 10))
)
SELECT * FROM final ORDER BY currency;
