-- fx_convert(amount, units_from, units_to): an amount in one currency in another, given each currency's units per USD
-- (silver.fx_rates is USD-based), as DECIMAL(38, 10) rounded half-even at the tenth decimal. DuckDB divides DECIMALs
-- in DOUBLE, so the division runs on 128-bit integers scaled by 10^10: amount x units_to / units_from.
CREATE OR REPLACE TEMP MACRO fx_convert(amount, units_from, units_to) AS
  CASE WHEN units_from = units_to THEN CAST(amount AS DECIMAL(38, 10)) ELSE
    CAST(list_transform(
      [{'n': CAST(CAST(amount AS DECIMAL(38, 10)) * 10000000000 AS HUGEINT) * CAST(CAST(units_to AS DECIMAL(38, 10)) * 10000000000 AS HUGEINT),
        'd': CAST(CAST(units_from AS DECIMAL(38, 10)) * 10000000000 AS HUGEINT)}],
      lambda x: x.n // x.d + CASE WHEN 2 * (x.n % x.d) > x.d OR (2 * (x.n % x.d) = x.d AND (x.n // x.d) % 2 = 1) THEN 1 ELSE 0 END
    )[1] AS DECIMAL(38, 0)) * CAST(0.0000000001 AS DECIMAL(11, 10))
  END;
