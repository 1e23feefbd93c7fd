-- One ingest batch's dead letters: what could not be decoded, with where it came from and why.
COPY (
  SELECT
    source,
    source_kind,
    file,
    line,
    topic,
    "partition",
    "offset",
    reason,
    raw,
    raw_encoding,
    raw_bytes,
    truncated,
    {{ingested_at}}::TIMESTAMPTZ AS ingested_at,
    {{batch_id}} AS batch_id,
    {{dt}} AS dt
  FROM read_json({{staging_file}}, format = 'newline_delimited', maximum_object_size = 268435456, columns = {
    'source': 'VARCHAR', 'source_kind': 'VARCHAR', 'file': 'VARCHAR', 'line': 'BIGINT', 'topic': 'VARCHAR',
    'partition': 'INTEGER', 'offset': 'BIGINT', 'reason': 'VARCHAR', 'raw': 'VARCHAR', 'raw_encoding': 'VARCHAR',
    'raw_bytes': 'BIGINT', 'truncated': 'BOOLEAN'
  })
) TO {{out_file}} (FORMAT parquet, COMPRESSION {{compression}}, RETURN_STATS true);
