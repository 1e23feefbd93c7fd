-- The excluded exposures of each entity: the rows of lcr_exposure_keys in a group that lcr_group_treatment excludes
-- (so the per-row decision is the group's, not computed again), one string of exposure ids per reason joined by a
-- separator, so that a long list crosses into JS as a few strings; `separated` is false when an id holds the separator.
WITH excluded_groups AS (
  SELECT * FROM lcr_group_treatment WHERE exclusion_reason IS NOT NULL
)

SELECT
  g.as_of_date,
  g.legal_entity,
  g.exclusion_reason,
  string_agg(k.exposure_id, {{separator}} ORDER BY k.exposure_id) AS exposure_ids,
  NOT bool_or(contains(k.exposure_id, {{separator}})) AS separated
FROM lcr_exposure_keys AS k
JOIN excluded_groups AS g
  ON k.as_of_date IS NOT DISTINCT FROM g.as_of_date
  AND k.legal_entity IS NOT DISTINCT FROM g.legal_entity
  AND k.reporting_currency IS NOT DISTINCT FROM g.reporting_currency
  AND k.product IS NOT DISTINCT FROM g.product
  AND k.counterparty_type IS NOT DISTINCT FROM g.counterparty_type
  AND k.collateral_class IS NOT DISTINCT FROM g.collateral_class
  AND k.is_operational = g.is_operational
  AND k.is_insured = g.is_insured
  AND k.is_stable = g.is_stable
  AND k.is_encumbered = g.is_encumbered
  AND k.maturity_open = g.maturity_open
  AND k.matures_in_horizon = g.matures_in_horizon
  AND k.amount_missing = g.amount_missing
  AND k.collateral_missing = g.collateral_missing
GROUP BY g.as_of_date, g.legal_entity, g.exclusion_reason
ORDER BY g.as_of_date, g.legal_entity, g.exclusion_reason;
