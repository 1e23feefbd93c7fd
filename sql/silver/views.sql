-- silver.trades_history: every accepted version, with its valid and recorded intervals (open ends NULL).
CREATE OR REPLACE VIEW silver.trades_history AS SELECT * FROM {{trades_history}};
CREATE OR REPLACE VIEW silver.trades_current AS SELECT * FROM {{trades_current}};
CREATE OR REPLACE VIEW silver.quarantine AS SELECT * FROM {{quarantine}};
-- "As of valid date D": what is known now about what held on D.
CREATE OR REPLACE MACRO silver.trades_as_of(d) AS TABLE
  SELECT * FROM silver.trades_history
  WHERE recorded_to IS NULL AND valid_from <= CAST(d AS TIMESTAMPTZ) AND (valid_to IS NULL OR valid_to > CAST(d AS TIMESTAMPTZ));
-- "As of valid date D, as known at time T": what the lakehouse knew at T about what held on D.
CREATE OR REPLACE MACRO silver.trades_as_known(d, t) AS TABLE
  SELECT * FROM silver.trades_history
  WHERE recorded_from <= CAST(t AS TIMESTAMPTZ) AND (recorded_to IS NULL OR recorded_to > CAST(t AS TIMESTAMPTZ))
    AND valid_from <= CAST(d AS TIMESTAMPTZ) AND (valid_to IS NULL OR valid_to > CAST(d AS TIMESTAMPTZ));
