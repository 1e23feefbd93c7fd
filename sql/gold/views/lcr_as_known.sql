-- gold.lcr_as_known(t): the LCR per date as gold had computed it from what silver knew at or before t: for each date,
-- the run with the latest knowledge time not after t (ties: the newer run).
-- SELECT * FROM gold.lcr_as_known(TIMESTAMPTZ '2026-03-03 12:00:00+00') WHERE as_of_date = DATE '2026-03-02'
CREATE OR REPLACE MACRO gold.lcr_as_known(t) AS TABLE
WITH runs AS (
  SELECT DISTINCT as_of_date, gold_version, known_at FROM gold.lcr_versions WHERE known_at <= CAST(t AS TIMESTAMPTZ)
),
picked AS (
  SELECT as_of_date, gold_version FROM runs
  QUALIFY row_number() OVER (PARTITION BY as_of_date ORDER BY known_at DESC, gold_version DESC) = 1
)
SELECT v.* EXCLUDE (is_current) FROM gold.lcr_versions v SEMI JOIN picked p USING (as_of_date, gold_version);
