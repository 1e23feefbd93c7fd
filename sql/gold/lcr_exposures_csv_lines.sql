-- After malformed rows were rejected: a good row's line is its ordinal + 1 plus the rejected lines before it.
-- A rejected line L that is the j-th rejected one has L - j - 1 good rows before it.
UPDATE lcr_exposures_csv AS csv
SET line = csv.line + (
  SELECT count(*)
  FROM (SELECT line - row_number() OVER (ORDER BY line) - 1 AS good_before FROM (SELECT DISTINCT line FROM lcr_csv_rejects)) AS r
  WHERE r.good_before < csv.line - 1
);
