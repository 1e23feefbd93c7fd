-- The LCR treatment of each row of its input (lcr_exposure_keys: one exposure; lcr_exposure_groups: exposures that
-- share every key), following LCR.md section D's horizon rules 1-6. Adds to the input's columns:
--   direction, hqla_class  the product's direction; the class of the asset (CASH, CB_RESERVES: the regime's) or collateral
--   exclusion_reason  beyond_30d, open_inflow, encumbered, non_hqla_asset; NULL when the row counts
--   flow, rate_rule, rate, weighted_amount   the outflow or inflow it makes and the regime rule that priced it
--   in_stock, stock_bucket, stock_value      what the asset, or a reverse repo's collateral, adds to the HQLA stock
--   unwinds, unwind_cash, unwind_bucket, unwind_collateral   the stock's change if the secured transaction were
--                     unwound (Annex 1); the cash leg is Level 1
--   problem           what the regime or the row lacks to be priced; the caller refuses rows that have one
-- The regime's figures arrive as DECIMAL literals in the CASE expressions: no DOUBLE anywhere.
WITH classed AS (
  SELECT
    *,
    {{product_direction}} AS direction,
    {{asset_class}} AS hqla_class
  FROM {{input}}
),

horizon AS (
  SELECT
    *,
    CASE
      WHEN product = 'SECURITY' AND is_encumbered THEN 'encumbered'  -- rule 4
      WHEN product = 'SECURITY' AND hqla_class = 'NON_HQLA' AND matures_in_horizon THEN NULL  -- rule 4: an inflow
      WHEN direction = 'asset' AND hqla_class = 'NON_HQLA' THEN 'non_hqla_asset'
      WHEN product IN ('COMMITTED_CREDIT_FACILITY', 'COMMITTED_LIQUIDITY_FACILITY') THEN NULL  -- rule 2: drawable any day
      WHEN direction = 'outflow' AND NOT maturity_open AND NOT matures_in_horizon THEN 'beyond_30d'  -- rule 1: open = callable
      WHEN direction = 'inflow' AND maturity_open THEN 'open_inflow'  -- rule 3
      WHEN direction = 'inflow' AND NOT matures_in_horizon THEN 'beyond_30d'
    END AS exclusion_reason
  FROM classed
),

flows AS (
  SELECT
    *,
    CASE
      WHEN exclusion_reason IS NOT NULL THEN NULL
      WHEN direction IN ('outflow', 'inflow') THEN direction
      WHEN product = 'SECURITY' AND hqla_class = 'NON_HQLA' THEN 'inflow'
    END AS flow,
    -- rules 4 and 5: an unencumbered HQLA asset, or the unencumbered HQLA collateral of a reverse repo, whatever its maturity
    coalesce(hqla_class <> 'NON_HQLA' AND NOT is_encumbered AND (direction = 'asset' OR product = 'SECURED_LENDING'), false) AS in_stock
  FROM horizon
),

priced AS (
  SELECT
    *,
    CASE flow WHEN 'outflow' THEN {{outflow_rule}} WHEN 'inflow' THEN {{inflow_rule}} END AS rate_rule,
    {{hqla_weight}} AS hqla_weight,  -- NULL for NON_HQLA and for a class the regime lacks
    {{hqla_bucket}} AS hqla_bucket,
    -- rule 6: secured transactions counted inside the horizon that exchange HQLA collateral
    coalesce(hqla_class <> 'NON_HQLA' AND (
      (product = 'SECURED_FUNDING' AND flow = 'outflow') OR (product = 'SECURED_LENDING' AND flow = 'inflow' AND NOT is_encumbered)
    ), false) AS unwinds
  FROM flows
),

rated AS (
  SELECT *, {{rule_rate}} AS rate
  FROM priced
)

SELECT
  * EXCLUDE (hqla_bucket),
  amount * rate AS weighted_amount,
  CASE WHEN in_stock THEN hqla_bucket END AS stock_bucket,
  CASE WHEN in_stock THEN CASE WHEN direction = 'asset' THEN amount ELSE collateral_value END * hqla_weight END AS stock_value,
  CASE WHEN unwinds THEN CASE WHEN product = 'SECURED_FUNDING' THEN -amount ELSE amount END END AS unwind_cash,
  CASE WHEN unwinds THEN hqla_bucket END AS unwind_bucket,
  CASE WHEN unwinds THEN CASE WHEN product = 'SECURED_FUNDING' THEN collateral_value ELSE -collateral_value END * hqla_weight END AS unwind_collateral,
  CASE
    WHEN direction IS NULL THEN concat('unknown product ', coalesce(product, 'NULL'))
    WHEN amount_missing THEN 'amount is missing'
    WHEN flow IS NOT NULL AND rate_rule IS NULL THEN concat('no ', flow, ' rate in the regime for this combination')
    WHEN (in_stock OR unwinds) AND hqla_weight IS NULL THEN concat('no HQLA weight in the regime for ', hqla_class)
    WHEN (unwinds OR (in_stock AND direction <> 'asset')) AND collateral_missing THEN 'collateral_value is missing'
  END AS problem
FROM rated
