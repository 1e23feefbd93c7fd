-- silver.fx_rates: one row per rate date and currency pair; a later arrival for the same day and pair replaces the
-- earlier one (a republished rate).
CREATE OR REPLACE TEMP TABLE fx_rates AS
WITH typed AS (
  SELECT
    arrival,
    CAST(j ->> 'rate_date' AS DATE) AS rate_date,
    j ->> 'base_currency' AS base_currency,
    j ->> 'quote_currency' AS quote_currency,
    CAST(j ->> 'rate' AS DECIMAL(38, 10)) AS rate,
    CAST(j ->> 'event_time' AS TIMESTAMPTZ) AS event_time,
    j ->> 'event_id' AS event_id,
    recorded_at, topic, "partition", "offset", source, file_sha256, line
  FROM fx_rates_accepted
)
SELECT * EXCLUDE (arrival), CAST(count(*) OVER (PARTITION BY rate_date, base_currency, quote_currency) AS INTEGER) AS versions_received
FROM typed
QUALIFY row_number() OVER (PARTITION BY rate_date, base_currency, quote_currency ORDER BY arrival DESC) = 1
ORDER BY rate_date, base_currency, quote_currency;
