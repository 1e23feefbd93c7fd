-- fx_convert(amount, units_from, units_to): an amount in one currency in another, given each currency's units per USD
-- (silver.fx_rates is USD-based), as DECIMAL(38, 10) rounded half-even at the tenth decimal: n / d with
-- n = amount x units_to and d = units_from, each scaled by 10^10 to a 128-bit integer. DuckDB divides DECIMALs in
-- DOUBLE, and its 128-bit integer division, which a DECIMAL(38, 10) -> integer cast also runs, costs ~0.5 µs a value,
-- so neither is used (gold/exposures/fx-convert.test.ts checks the result against exact integer arithmetic):
--   fx_scaled(x) = x * 10^10 as HUGEINT: the integer part from DOUBLE, the rest from the exact DECIMAL difference,
--     small enough for DOUBLE to hold exactly; the plain cast beyond 10^15, where DOUBLE's integers grow sparse.
--   The quotient q is estimated in DOUBLE, then corrected once by the exact remainder n - qd (128-bit multiply and
--   subtract; the remainder over d is small, so its DOUBLE quotient is exact to well under a half), which leaves q the
--   nearest integer to n / d but for a tie; the exact remainder 2(n - qd) against d then settles half-even.
-- list_transform over a one-element list binds n, d and q once each (a macro has no variables).
CREATE OR REPLACE TEMP MACRO fx_scaled(x) AS
  CASE WHEN abs(CAST(x AS DECIMAL(38, 10))) < 1000000000000000 THEN
    CAST(floor(CAST(x AS DOUBLE)) AS HUGEINT) * 10000000000
      + CAST(round(CAST(CAST(x AS DECIMAL(38, 10)) - CAST(floor(CAST(x AS DOUBLE)) AS DECIMAL(38, 0)) AS DOUBLE) * 10000000000) AS HUGEINT)
  ELSE CAST(CAST(x AS DECIMAL(38, 10)) * 10000000000 AS HUGEINT) END;
CREATE OR REPLACE TEMP MACRO fx_convert(amount, units_from, units_to) AS
  CASE WHEN amount IS NULL THEN NULL WHEN units_from = units_to THEN CAST(amount AS DECIMAL(38, 10)) ELSE
    CAST(list_transform(
      [{'n': fx_scaled(amount) * fx_scaled(units_to), 'd': fx_scaled(units_from)}],
      lambda x: list_transform(
        [{'q': CAST(round(CAST(x.n AS DOUBLE) / CAST(x.d AS DOUBLE)) AS HUGEINT)}],
        lambda y: list_transform(
          [{'q': y.q + CAST(round(CAST(x.n - y.q * x.d AS DOUBLE) / CAST(x.d AS DOUBLE)) AS HUGEINT)}],
          lambda z: list_transform(
            [{'q': z.q, 'r2': 2 * (x.n - z.q * x.d)}],
            lambda w: w.q + CASE
              WHEN w.r2 > x.d OR (w.r2 = x.d AND w.q & 1 = 1) THEN 1
              WHEN w.r2 < -x.d OR (w.r2 = -x.d AND w.q & 1 = 1) THEN -1
              ELSE 0 END)[1])[1])[1]
    )[1] AS DECIMAL(38, 0)) * CAST(0.0000000001 AS DECIMAL(11, 10))
  END;
