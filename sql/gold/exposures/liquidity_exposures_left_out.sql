-- {{into}}: the positions and deals in force on business date $as_of_date that yield no exposure record, and why
-- (a short position, an instrument missing from the master, no FX rate, a deal not started yet, ...). A deal that
-- has matured is simply not in force and is not listed.
CREATE OR REPLACE TABLE {{into}} AS
WITH left_out AS (
  SELECT 'position' AS source, position_id AS source_id, exposure_id, legal_entity, product, currency, amount_native, left_out_reason AS reason
  FROM security_exposures
  WHERE left_out_reason IS NOT NULL
  UNION ALL
  SELECT 'deal', deal_id, exposure_id, legal_entity, product, currency, amount_native, left_out_reason
  FROM deal_exposures
  WHERE left_out_reason IS NOT NULL AND left_out_reason <> 'matured'
)
SELECT CAST($as_of_date AS DATE) AS as_of_date, * FROM left_out ORDER BY legal_entity, exposure_id;
