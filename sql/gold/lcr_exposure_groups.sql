-- The exposures summed over those that share every key their treatment depends on (the keys of lcr_exposure_keys):
-- the treatment is then decided once per group instead of once per row (amounts enter it linearly, so the sums stay
-- exact). The pass over the exposures costs what its grouping keys cost, key by key, so lcr_exposure_key_groups groups
-- them by the six columns the treatment reads, as they are, and by one small integer packing the eight yes/no keys (a
-- flag that is NULL counts as false, as in lcr_exposure_keys); the as_of_date and the horizon are constants when the
-- relation has a single as_of_date (computeLcr), so that neither is a key or a date sum per row. Its few hundred
-- groups are then unpacked into lcr_exposure_groups. With computeLcr's hashRows, lcr_exposure_key_groups also groups
-- by currency and direction (the gold build writes them as ENUMs of their values) and both hash the rows of each
-- group (row_hash, else NULL).
CREATE OR REPLACE TEMP TABLE lcr_exposure_key_groups AS
SELECT
  {{as_of_date}} AS as_of_date, legal_entity, reporting_currency, product, counterparty_type, collateral_class,
  CASE WHEN is_operational THEN 1 ELSE 0 END
    + CASE WHEN is_insured THEN 2 ELSE 0 END
    + CASE WHEN is_stable THEN 4 ELSE 0 END
    + CASE WHEN is_encumbered THEN 8 ELSE 0 END
    + CASE WHEN maturity_date IS NULL THEN 16 WHEN maturity_date <= {{horizon}} THEN 32 ELSE 0 END
    + CASE WHEN amount IS NULL THEN 64 ELSE 0 END
    + CASE WHEN collateral_value IS NULL THEN 128 ELSE 0 END AS keys{{extra_keys}},
  count(*) AS exposures,
  sum(amount) AS amount,
  sum(collateral_value) AS collateral_value,
  {{key_groups_row_hash}} AS row_hash
FROM {{exposures}}
GROUP BY ALL;

CREATE OR REPLACE TEMP TABLE lcr_exposure_groups AS
SELECT
  as_of_date, legal_entity, reporting_currency, product, counterparty_type, collateral_class,
  keys & 1 <> 0 AS is_operational,
  keys & 2 <> 0 AS is_insured,
  keys & 4 <> 0 AS is_stable,
  keys & 8 <> 0 AS is_encumbered,
  keys & 16 <> 0 AS maturity_open,
  keys & 32 <> 0 AS matures_in_horizon,
  keys & 64 <> 0 AS amount_missing,
  keys & 128 <> 0 AS collateral_missing,
  CAST(sum(exposures) AS BIGINT) AS exposures,
  sum(amount) AS amount,
  sum(collateral_value) AS collateral_value,
  {{groups_row_hash}} AS row_hash
FROM lcr_exposure_key_groups
GROUP BY ALL;
