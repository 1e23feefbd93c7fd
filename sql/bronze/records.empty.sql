-- The shape of bronze.records before anything has landed.
(SELECT
  NULL::VARCHAR AS topic, NULL::INTEGER AS "partition", NULL::BIGINT AS "offset", NULL::VARCHAR AS "key",
  NULL::VARCHAR AS "value", NULL::TIMESTAMPTZ AS "timestamp", NULL::VARCHAR AS headers, NULL::VARCHAR AS source,
  NULL::VARCHAR AS file_sha256, NULL::BIGINT AS line, NULL::TIMESTAMPTZ AS ingested_at, NULL::VARCHAR AS batch_id,
  NULL::VARCHAR AS dt
WHERE false)
