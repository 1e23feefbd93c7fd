-- Every bronze record of one topic ({{topic}}), its payload parsed once, numbered in arrival order: record timestamp,
-- then position (CONTRACT.md section 3: the trade store's rules follow the order records arrived in).
CREATE OR REPLACE TEMP TABLE {{records}} AS
SELECT
  row_number() OVER (ORDER BY "timestamp", "partition" NULLS LAST, "offset", file_sha256, line) AS arrival,
  topic, "partition", "offset", file_sha256, line, source, "key", "value",
  "timestamp" AS recorded_at,
  TRY_CAST("value" AS JSON) AS j
FROM bronze.records
WHERE topic = {{topic}};
