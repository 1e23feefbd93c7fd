-- gold.lcr_change: day-over-day per legal entity: each as_of_date against the entity's previous date in gold.lcr.
CREATE OR REPLACE VIEW gold.lcr_change AS
WITH ordered AS (
  SELECT *,
    lag(as_of_date) OVER w AS previous_date,
    lag(lcr) OVER w AS previous_lcr,
    lag(hqla_total) OVER w AS previous_hqla_total,
    lag(outflows_total) OVER w AS previous_outflows_total,
    lag(inflows_capped) OVER w AS previous_inflows_capped,
    lag(net_cash_outflows) OVER w AS previous_net_cash_outflows
  FROM gold.lcr
  WINDOW w AS (PARTITION BY legal_entity ORDER BY as_of_date)
)
SELECT as_of_date, legal_entity, reporting_currency, previous_date,
  previous_lcr, lcr, lcr - previous_lcr AS lcr_change,
  hqla_total - previous_hqla_total AS hqla_change,
  outflows_total - previous_outflows_total AS outflows_change,
  inflows_capped - previous_inflows_capped AS inflows_capped_change,
  net_cash_outflows - previous_net_cash_outflows AS net_cash_outflows_change
FROM ordered
ORDER BY as_of_date, legal_entity;
