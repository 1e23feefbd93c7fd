-- The legal entities holding positions or deals at the close of the business date ($close_at, as known at $known_at)
-- that exposure_entities gives no reporting currency: their exposures could not be stated, so the build stops.
SELECT DISTINCT legal_entity
FROM (
  SELECT legal_entity FROM silver.positions_as_known(CAST($close_at AS TIMESTAMPTZ), CAST($known_at AS TIMESTAMPTZ))
  WHERE NOT deleted AND quantity <> 0
  UNION ALL
  SELECT legal_entity FROM silver.treasury_deals_as_known(CAST($close_at AS TIMESTAMPTZ), CAST($known_at AS TIMESTAMPTZ))
  WHERE NOT deleted
)
WHERE legal_entity NOT IN (SELECT legal_entity FROM exposure_entities)
ORDER BY legal_entity;
