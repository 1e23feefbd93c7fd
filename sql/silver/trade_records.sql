-- Every bronze record of the `trades` topic, its payload parsed once, numbered in arrival order:
-- record timestamp, then position (CONTRACT.md section 3: rules 1-2 follow the order records arrived in).
CREATE OR REPLACE TEMP TABLE trade_records AS
SELECT
  row_number() OVER (ORDER BY "timestamp", "partition" NULLS LAST, "offset", file_sha256, line) AS arrival,
  topic, "partition", "offset", file_sha256, line, source, "key", "value",
  "timestamp" AS recorded_at,
  TRY_CAST("value" AS JSON) AS j
FROM bronze.records
WHERE topic = 'trades';
