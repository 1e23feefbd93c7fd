-- gold.lcr_drivers: what moved each entity's LCR since its previous date: every component of the ratio (HQLA per
-- level after caps, weighted outflows and inflows per product, the inflow cap's cut) with its change and its effect
-- on the buffer (HQLA minus net cash outflows), ranked by the size of that effect (rank 1 = the main driver).
CREATE OR REPLACE VIEW gold.lcr_drivers AS
WITH components AS (
  SELECT as_of_date, legal_entity, 'hqla' AS kind, level AS component, after_caps AS amount, 1 AS sign FROM gold.hqla_by_level
  UNION ALL
  SELECT as_of_date, legal_entity, flow, product, sum(weighted_amount), CASE flow WHEN 'outflow' THEN -1 ELSE 1 END
  FROM gold.lcr_flows GROUP BY ALL
  UNION ALL
  SELECT as_of_date, legal_entity, 'inflow_cap', 'inflows above the 75% cap', inflows_total - inflows_capped, -1 FROM gold.lcr
),
dates AS (
  SELECT as_of_date, legal_entity, reporting_currency, lag(as_of_date) OVER (PARTITION BY legal_entity ORDER BY as_of_date) AS previous_date
  FROM gold.lcr
),
pairs AS (
  SELECT d.as_of_date, d.legal_entity, d.reporting_currency, d.previous_date, k.kind, k.component, k.sign
  FROM dates d
  JOIN (SELECT DISTINCT as_of_date, legal_entity, kind, component, sign FROM components) k
    ON k.legal_entity = d.legal_entity AND (k.as_of_date = d.as_of_date OR k.as_of_date = d.previous_date)
  WHERE d.previous_date IS NOT NULL
  GROUP BY ALL
)
SELECT p.as_of_date, p.legal_entity, p.reporting_currency, p.previous_date, p.kind, p.component,
  coalesce(before.amount, 0) AS previous_amount,
  coalesce(now.amount, 0) AS amount,
  coalesce(now.amount, 0) - coalesce(before.amount, 0) AS change,
  p.sign * (coalesce(now.amount, 0) - coalesce(before.amount, 0)) AS buffer_effect,
  row_number() OVER (PARTITION BY p.as_of_date, p.legal_entity ORDER BY abs(coalesce(now.amount, 0) - coalesce(before.amount, 0)) DESC, p.kind, p.component) AS rank
FROM pairs p
LEFT JOIN components now ON now.as_of_date = p.as_of_date AND now.legal_entity = p.legal_entity AND now.kind = p.kind AND now.component = p.component
LEFT JOIN components before ON before.as_of_date = p.previous_date AND before.legal_entity = p.legal_entity AND before.kind = p.kind AND before.component = p.component
ORDER BY p.as_of_date, p.legal_entity, rank;
