-- security_exposures: the securities held at the close of the business date ($close_at; $as_of_date is its date) as
-- known at $known_at, one row per position and part (free or encumbered), valued at market (units x the instrument's
-- price known then) in the entity's reporting currency, with left_out_reason set where a position yields no exposure.
-- Encumbered: the units the entity's live repos pledge (deal_exposures), taken from its positions in that instrument
-- in position_id order; a repo whose pledged units are unknown encumbers the whole holding.
CREATE OR REPLACE TEMP TABLE security_exposures AS
WITH positions AS (
  SELECT * FROM silver.positions_as_known(CAST($close_at AS TIMESTAMPTZ), CAST($known_at AS TIMESTAMPTZ))
  WHERE NOT deleted AND quantity <> 0
),
pledged AS (
  SELECT legal_entity, collateral_instrument_id AS instrument_id, sum(collateral_units) AS units, bool_or(collateral_units IS NULL) AS units_unknown
  FROM deal_exposures
  WHERE deal_type = 'REPO' AND is_live AND collateral_instrument_id IS NOT NULL
  GROUP BY legal_entity, collateral_instrument_id
),
held AS (
  SELECT p.position_id, p.legal_entity, p.book_id, p.instrument_id, p.quantity, p.currency AS position_currency, e.reporting_currency,
    coalesce(sum(greatest(p.quantity, 0)) OVER (
      PARTITION BY p.legal_entity, p.instrument_id ORDER BY p.position_id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
    ), 0) AS held_before
  FROM positions p
  JOIN exposure_entities e ON e.legal_entity = p.legal_entity
),
split AS (
  SELECT h.*,
    CASE
      WHEN h.quantity < 0 OR pl.instrument_id IS NULL THEN 0
      WHEN pl.units_unknown THEN h.quantity
      ELSE least(h.quantity, greatest(pl.units - h.held_before, 0))
    END AS encumbered_quantity
  FROM held h
  LEFT JOIN pledged pl ON pl.legal_entity = h.legal_entity AND pl.instrument_id = h.instrument_id
),
parts AS (
  SELECT *, false AS is_encumbered, quantity - encumbered_quantity AS part_quantity FROM split
  UNION ALL
  SELECT *, true AS is_encumbered, encumbered_quantity AS part_quantity FROM split WHERE encumbered_quantity > 0
),
valued AS (
  SELECT s.*, k.collateral_class, k.rule AS hqla_rule, k.currency, k.price, k.maturity_date,
    CAST(s.part_quantity * k.price AS DECIMAL(38, 10)) AS amount_native,
    fx_convert(CAST(s.part_quantity * k.price AS DECIMAL(38, 10)), fi.units_per_usd, fr.units_per_usd) AS amount,
    fi.units_per_usd IS NULL OR fr.units_per_usd IS NULL AS fx_missing
  FROM parts s
  LEFT JOIN hqla_classification k ON k.instrument_id = s.instrument_id AND k.reporting_currency = s.reporting_currency
  LEFT JOIN exposure_fx_rates fi ON fi.currency = k.currency
  LEFT JOIN exposure_fx_rates fr ON fr.currency = s.reporting_currency
  WHERE s.part_quantity <> 0
),
final AS (
  SELECT
    'SEC:' || position_id || CASE WHEN is_encumbered THEN ':ENCUMBERED' ELSE '' END AS exposure_id,
    position_id, legal_entity, book_id, instrument_id, reporting_currency, position_currency, currency,
    'SECURITY' AS product, 'asset' AS direction, CAST(NULL AS VARCHAR) AS counterparty_type,
    part_quantity AS quantity, price, amount_native, amount, maturity_date, collateral_class, hqla_rule,
    false AS is_operational, false AS is_insured, false AS is_stable, is_encumbered,
    CASE
      WHEN part_quantity < 0 THEN 'short_position' -- a short is an obligation to deliver, not an asset; not modelled
      WHEN collateral_class IS NULL THEN 'instrument_unknown'
      WHEN price IS NULL THEN 'no_price'
      WHEN maturity_date IS NOT NULL AND maturity_date <= CAST($as_of_date AS DATE) THEN 'instrument_matured' -- redeemed, yet the position was not closed
      WHEN fx_missing THEN 'no_fx_rate'
    END AS left_out_reason
  FROM valued
)
-- Unordered: a staging table; the tables made from it are sorted (liquidity_exposures.sql, _left_out.sql).
SELECT * FROM final;
