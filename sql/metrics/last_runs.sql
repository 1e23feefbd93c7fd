-- metrics.last_runs: per layer, its latest run that ran (a run skipped because another held the layer's lock is not
-- an outcome), and when the layer last succeeded: the row an alert on a failing layer looks at.
CREATE OR REPLACE VIEW metrics.last_runs AS
WITH ran AS (
  SELECT * FROM metrics.runs WHERE status <> 'skipped_locked'
),
last_success AS (
  SELECT layer, max(ended_at) AS last_success_at FROM ran WHERE status IN ('succeeded', 'unchanged') GROUP BY layer
),
final AS (
  SELECT r.layer, r.status, r.status <> 'failed' AS ok, r.started_at, r.ended_at, r.duration_s, r.rows_in, r.rows_out,
    r.rows_rejected, r.output_version, r.detail, r.error, s.last_success_at, r.run_id
  FROM ran r LEFT JOIN last_success s USING (layer)
  QUALIFY row_number() OVER (PARTITION BY r.layer ORDER BY r.ended_at DESC, r.run_id DESC) = 1
)
SELECT * FROM final ORDER BY layer;
