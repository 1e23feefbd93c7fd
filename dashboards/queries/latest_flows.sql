-- Weighted outflows and inflows per product on each legal entity's latest date (counterparty types summed; inflows
-- before the 75% cap).
WITH latest AS (
  SELECT legal_entity, max(as_of_date) AS as_of_date FROM gold.lcr GROUP BY ALL
)
SELECT f.legal_entity, f.product,
  CAST(sum(f.weighted_amount) FILTER (WHERE f.flow = 'outflow') AS DECIMAL(38,2)) AS outflow,
  CAST(sum(f.weighted_amount) FILTER (WHERE f.flow = 'inflow') AS DECIMAL(38,2)) AS inflow
FROM gold.lcr_flows f
JOIN latest USING (legal_entity, as_of_date)
GROUP BY ALL
ORDER BY f.legal_entity, greatest(coalesce(outflow, 0), coalesce(inflow, 0)) DESC, f.product;
