-- Every date of gold.lcr per legal entity, measured against the internal limit the dashboard shows: the one it was
-- started with ($internal_limit, a ratio such as '1.10'; '' for none), or else the limit of the date's gold run.
WITH measured AS (
  SELECT *, coalesce(CAST(nullif($internal_limit, '') AS DECIMAL(9,4)), internal_limit) AS limit_shown
  FROM gold.lcr
)
SELECT as_of_date, legal_entity, reporting_currency, lcr, level1, level2a, level2b, hqla_total, outflows_total,
  inflows_total, inflows_capped, net_cash_outflows, buffer,
  limit_shown AS internal_limit,
  CASE WHEN limit_shown = internal_limit THEN internal_limit_buffer
    ELSE CAST(hqla_total - limit_shown * net_cash_outflows AS DECIMAL(38,2)) END AS internal_limit_buffer,
  below_minimum,
  coalesce(lcr < limit_shown, false) AS below_internal_limit, -- no ratio (no net outflows) is no breach
  gold_version,
  strftime(known_at, '%Y-%m-%dT%H:%M:%SZ') AS known_at,
  strftime(computed_at, '%Y-%m-%dT%H:%M:%S.%gZ') AS computed_at
FROM measured
ORDER BY legal_entity, as_of_date;
