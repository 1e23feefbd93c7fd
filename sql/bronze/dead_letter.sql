-- bronze.dead_letter: one row per line or message that could not be decoded, with where it came from and why.
-- raw is the text as received (base64 when raw_encoding = 'base64'), cut at 64 KiB (truncated = true).
CREATE OR REPLACE VIEW bronze.dead_letter AS
SELECT
  source, source_kind, file, line, topic, "partition", "offset", reason, raw, raw_encoding, raw_bytes, truncated,
  ingested_at, batch_id, dt
FROM {{source}};
