-- The event time a gold run reflects (lakehouse_gold_freshness_seconds): the newest record time, as known at the run's
-- knowledge time, among what gold reads from silver at the run's silver version: treasury deals, instruments,
-- counterparties, positions (a trade reaches gold through its position event) and FX rates.
WITH recorded AS (
  SELECT recorded_from AS recorded_at FROM {{treasury_deals_history}}
  UNION ALL SELECT recorded_from FROM {{instruments_history}}
  UNION ALL SELECT recorded_from FROM {{counterparties_history}}
  UNION ALL SELECT recorded_from FROM {{positions_history}}
  UNION ALL SELECT recorded_at FROM {{fx_rates}}
)
SELECT epoch_ms(max(recorded_at)) AS newest_ms
FROM recorded
WHERE recorded_at <= CAST($known_at AS TIMESTAMPTZ) -- what the run could not have known stays out
