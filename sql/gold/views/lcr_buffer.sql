-- gold.lcr_buffer: per as_of_date and legal entity, the liquidity buffer (HQLA minus net cash outflows) and the
-- headroom against the 100% minimum and the internal limit, in money and in ratio points, with breach flags.
CREATE OR REPLACE VIEW gold.lcr_buffer AS
SELECT as_of_date, legal_entity, reporting_currency, hqla_total, net_cash_outflows, lcr,
  buffer AS headroom_to_minimum,
  lcr - 1 AS ratio_headroom_to_minimum,
  internal_limit,
  internal_limit_buffer AS headroom_to_internal_limit,
  lcr - internal_limit AS ratio_headroom_to_internal_limit,
  below_minimum, below_internal_limit
FROM gold.lcr
ORDER BY as_of_date, legal_entity;
