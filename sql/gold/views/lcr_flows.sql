-- gold.lcr_flows: outflows and inflows within the horizon per as_of_date, legal entity, product and counterparty
-- type: the amounts before and after their run-off or inflow rates (inflows before the 75% cap), summed exactly
-- and rounded once. Excluded exposures (beyond 30 days, open inflows) are not in it.
CREATE OR REPLACE VIEW gold.lcr_flows AS
SELECT as_of_date, legal_entity, reporting_currency, flow, product, counterparty_type,
  CAST(sum(exposures) AS BIGINT) AS exposures,
  gold.money(sum(amount)) AS amount,
  gold.money(sum(weighted_amount)) AS weighted_amount
FROM gold.lcr_sums
WHERE flow IN ('outflow', 'inflow') AND exclusion_reason IS NULL
GROUP BY ALL
ORDER BY as_of_date, legal_entity, flow DESC, product, counterparty_type;
