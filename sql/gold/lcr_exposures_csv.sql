-- The exposure CSV as text, every column VARCHAR (empty = NULL), numbered in file order: `line` is the file line
-- when each record sits on one line and the header is line 1. Malformed rows go to lcr_csv_rejects instead of
-- stopping the read; lcr_exposures_csv_lines.sql then moves the lines after them down.
CREATE OR REPLACE TEMP TABLE lcr_exposures_csv AS
WITH numbered AS (
  SELECT row_number() OVER () AS ordinal, *
  FROM read_csv(
    {{path}}, header = true, auto_detect = false, all_varchar = true, delim = ',', quote = '"', escape = '"',
    columns = {{columns}}, store_rejects = true, rejects_table = 'lcr_csv_rejects', rejects_scan = 'lcr_csv_reject_scans'
  )
)

SELECT ordinal + 1 AS line, * EXCLUDE (ordinal)
FROM numbered;
