-- Per legal entity, one gold run's LCR as gold.lcr shows it, for the gauges (lakehouse_lcr_*): the ratio and money
-- as exact decimal text, the breach flags gold computed on the unrounded ratio.
SELECT legal_entity, reporting_currency, CAST(lcr AS VARCHAR) AS lcr, CAST(hqla_total AS VARCHAR) AS hqla_total,
  CAST(net_cash_outflows AS VARCHAR) AS net_cash_outflows, CAST(internal_limit AS VARCHAR) AS internal_limit,
  below_minimum, below_internal_limit
FROM read_parquet({{lcr}})
ORDER BY legal_entity
