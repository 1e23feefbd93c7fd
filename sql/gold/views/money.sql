-- gold.money(x): an exact DECIMAL rounded half to even to 2 decimals, once, at output (DuckDB's round() rounds half
-- away from zero, and round_even() returns a DOUBLE).
CREATE OR REPLACE MACRO gold.money(x) AS
  CAST(CASE
    WHEN abs(x * 100 - trunc(x * 100)) = 0.5 AND CAST(trunc(x * 100) AS HUGEINT) % 2 = 0
      THEN CAST(trunc(x * 100) AS DECIMAL(38, 0)) * 0.01
    ELSE round(x, 2)
  END AS DECIMAL(38, 2));
