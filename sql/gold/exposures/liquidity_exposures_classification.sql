-- {{into}}: why each instrument has its HQLA class on business date $as_of_date (hqla_classification), for analysts
-- and regulators: the rule that decided it and its paragraph of BCBS 238, per reporting currency of the holders.
CREATE OR REPLACE TABLE {{into}} AS
SELECT CAST($as_of_date AS DATE) AS as_of_date, * FROM hqla_classification ORDER BY instrument_id, reporting_currency;
