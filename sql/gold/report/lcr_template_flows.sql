-- The cash outflows and inflows of each legal entity by row of the Basel LCR common disclosure template (LCR1), from the
-- calculator's treatment of every exposure (lcr_classified): unweighted = the balance, weighted = after the run-off or
-- inflow rate (inflows before the cap). Only what counts within the horizon (no exclusion). Exact sums.
SELECT legal_entity, template_row, sum(amount) AS unweighted, sum(weighted_amount) AS weighted
FROM (
  SELECT legal_entity, amount, weighted_amount,
    CASE
      WHEN product = 'RETAIL_DEPOSIT' AND is_stable THEN 3
      WHEN product = 'RETAIL_DEPOSIT' THEN 4
      WHEN product = 'UNSECURED_WHOLESALE_FUNDING' AND is_operational THEN 6
      WHEN product = 'UNSECURED_WHOLESALE_FUNDING' THEN 7
      WHEN product = 'SECURED_FUNDING' THEN 9
      WHEN product IN ('COMMITTED_CREDIT_FACILITY', 'COMMITTED_LIQUIDITY_FACILITY') THEN 13
      WHEN product = 'SECURED_LENDING' THEN 17
      WHEN product = 'UNSECURED_LENDING' THEN 18
      ELSE 19
    END AS template_row
  FROM lcr_classified
  WHERE flow IN ('outflow', 'inflow') AND exclusion_reason IS NULL
)
GROUP BY ALL
ORDER BY legal_entity, template_row;
