-- bronze.records: one row per landed record, the payload exactly as received, with where it came from.
-- Identity: (topic, partition, offset) for the event bus; (file_sha256, line) for record files.
CREATE OR REPLACE VIEW bronze.records AS
SELECT
  topic, "partition", "offset", "key", "value", "timestamp", headers,
  source, file_sha256, line, ingested_at, batch_id, dt
FROM {{source}};
