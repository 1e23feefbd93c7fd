-- One ingest batch: staged raw records -> Parquet, partitioned by topic and the UTC date of the record timestamp.
-- The payload stays the text it arrived as; parsing it is silver's job.
COPY (
  SELECT
    topic,
    "partition",
    "offset",
    "key",
    "value",
    epoch_ms(timestamp_ms)::TIMESTAMPTZ AS "timestamp",
    headers,
    {{source}} AS source,
    {{file_sha256}} AS file_sha256,
    {{line}} AS line,
    {{ingested_at}}::TIMESTAMPTZ AS ingested_at,
    {{batch_id}} AS batch_id,
    strftime(epoch_ms(timestamp_ms), '%Y-%m-%d') AS dt
  FROM read_csv({{staging_file}}, {{csv_options}})
) TO {{out_dir}} (
  FORMAT parquet, COMPRESSION {{compression}}, PARTITION_BY (topic, dt), WRITE_PARTITION_COLUMNS true,
  FILENAME_PATTERN {{file_pattern}}, RETURN_STATS true
);
