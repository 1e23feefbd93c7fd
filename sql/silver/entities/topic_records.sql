-- The records of one topic ({{topic}}) that this build works on ({{source}}: the new ones from bronze, and those
-- silver has already of the keys they touch), their payload parsed once, numbered in arrival order: record timestamp,
-- then position (CONTRACT.md section 3: the trade store's rules follow the order records arrived in). `gk` is the
-- entity key the record belongs to (NULL when the payload has none); `nid` numbers the new records (NULL for held
-- ones); `position` names the record in messages.
CREATE OR REPLACE TEMP TABLE {{records}} AS
SELECT
  row_number() OVER (ORDER BY "timestamp", "partition" NULLS LAST, "offset", file_sha256, line) AS arrival,
  topic, "partition", "offset", file_sha256, line, source, "key", "value",
  "timestamp" AS recorded_at,
  gk, nid,
  CASE WHEN file_sha256 IS NULL THEN topic || '/' || "partition" || '@' || "offset"
    ELSE 'line ' || line || ' of file ' || left(file_sha256, 12) END AS position,
  TRY_CAST("value" AS JSON) AS j
FROM {{source}}
WHERE topic = {{topic}};
