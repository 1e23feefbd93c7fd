-- The shape of bronze.dead_letter before anything has been dead-lettered.
(SELECT
  NULL::VARCHAR AS source, NULL::VARCHAR AS source_kind, NULL::VARCHAR AS file, NULL::BIGINT AS line,
  NULL::VARCHAR AS topic, NULL::INTEGER AS "partition", NULL::BIGINT AS "offset", NULL::VARCHAR AS reason,
  NULL::VARCHAR AS raw, NULL::VARCHAR AS raw_encoding, NULL::BIGINT AS raw_bytes, NULL::BOOLEAN AS truncated,
  NULL::TIMESTAMPTZ AS ingested_at, NULL::VARCHAR AS batch_id, NULL::VARCHAR AS dt
WHERE false)
