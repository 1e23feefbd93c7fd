-- metrics.runs: one row per job run (ingest, silver, gold) from the run log (metrics/run-log.ts), oldest first. A table
-- filled when the catalog opens (from $runs, the runs as one JSON array), so a query never reads the run log's objects,
-- which a compaction may fold away meanwhile; an empty lake gives an empty table with these columns.
CREATE OR REPLACE TABLE metrics.runs AS
WITH runs AS (
  SELECT unnest(from_json(CAST($runs AS JSON), '[{"run_id": "VARCHAR", "layer": "VARCHAR", "trigger": "VARCHAR",
    "status": "VARCHAR", "business_date": "DATE", "started_at": "TIMESTAMPTZ", "ended_at": "TIMESTAMPTZ",
    "duration_s": "DOUBLE", "rows_in": "BIGINT", "rows_out": "BIGINT", "rows_rejected": "BIGINT", "input_versions": "JSON",
    "output_version": "INTEGER", "detail": "VARCHAR", "error": "VARCHAR", "host": "VARCHAR", "pid": "INTEGER"}]'), recursive := true)
),
final AS (
  SELECT run_id, layer, "trigger", status, business_date, started_at, ended_at, duration_s, rows_in, rows_out, rows_rejected,
    input_versions, output_version, detail, error, host, pid
  FROM runs
)
SELECT * FROM final ORDER BY started_at, run_id;
