-- One staging file of an ingest batch (one topic, one UTC day) -> one Parquet file of bronze.records.
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
    {{dt}} AS dt
  FROM read_csv({{staging_file}}, {{csv_options}})
  WHERE {{position_filter}} -- what another writer landed since this batch was encoded stays out
) TO {{out_file}} (FORMAT parquet, COMPRESSION {{compression}}, RETURN_STATS true);
