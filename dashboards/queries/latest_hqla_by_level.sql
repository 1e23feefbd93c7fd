-- HQLA per level on each legal entity's latest date: market value, the haircut, the cut of the 15% and 40% caps, and
-- what counts after both (market_value = after_caps + cap_adjustment + haircut).
WITH latest AS (
  SELECT legal_entity, max(as_of_date) AS as_of_date FROM gold.lcr GROUP BY ALL
)
SELECT h.legal_entity, h.level, h.market_value, h.market_value - h.after_haircut AS haircut, h.cap_adjustment, h.after_caps
FROM gold.hqla_by_level h
JOIN latest USING (legal_entity, as_of_date)
ORDER BY h.legal_entity, h.level;
