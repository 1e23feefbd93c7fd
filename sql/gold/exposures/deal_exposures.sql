-- deal_exposures: every treasury deal in force at the close of the business date ($close_at; $as_of_date is its
-- date) as known at $known_at, mapped to its LCR.md section D exposure, with left_out_reason set where it yields none
-- (left out rows stay here so a regulator can ask why). Amounts in the entity's reporting currency.
CREATE OR REPLACE TEMP TABLE deal_exposures AS
WITH deals AS (
  SELECT * FROM silver.treasury_deals_as_known(CAST($close_at AS TIMESTAMPTZ), CAST($known_at AS TIMESTAMPTZ))
  WHERE NOT deleted
),
directory AS (
  SELECT counterparty_id, counterparty_type
  FROM silver.counterparties_as_known(CAST($close_at AS TIMESTAMPTZ), CAST($known_at AS TIMESTAMPTZ))
  WHERE NOT deleted
),
directions(product, direction) AS (
  VALUES ('CASH', 'asset'), ('CB_RESERVES', 'asset'), ('RETAIL_DEPOSIT', 'outflow'), ('UNSECURED_WHOLESALE_FUNDING', 'outflow'),
    ('SECURED_FUNDING', 'outflow'), ('COMMITTED_CREDIT_FACILITY', 'outflow'), ('COMMITTED_LIQUIDITY_FACILITY', 'outflow'),
    ('SECURED_LENDING', 'inflow'), ('UNSECURED_LENDING', 'inflow')
),
typed AS (
  SELECT d.*, e.reporting_currency,
    -- The directory's type on the business date wins over the type the deal was booked with (a reclassification).
    CASE WHEN d.deal_type IN ('CASH', 'CB_RESERVES') THEN NULL ELSE coalesce(c.counterparty_type, d.counterparty_type) END AS cp_type,
    CASE d.deal_type
      WHEN 'DEPOSIT' THEN CASE WHEN coalesce(c.counterparty_type, d.counterparty_type) IN ('RETAIL', 'SMALL_BUSINESS') THEN 'RETAIL_DEPOSIT' ELSE 'UNSECURED_WHOLESALE_FUNDING' END
      WHEN 'REPO' THEN 'SECURED_FUNDING'
      WHEN 'REVERSE_REPO' THEN 'SECURED_LENDING'
      WHEN 'LOAN' THEN 'UNSECURED_LENDING'
      WHEN 'PLACEMENT' THEN 'UNSECURED_LENDING'
      WHEN 'CREDIT_FACILITY' THEN 'COMMITTED_CREDIT_FACILITY'
      WHEN 'LIQUIDITY_FACILITY' THEN 'COMMITTED_LIQUIDITY_FACILITY'
      WHEN 'CB_RESERVES' THEN 'CB_RESERVES'
      WHEN 'CASH' THEN 'CASH'
    END AS product,
    d.start_date <= CAST($as_of_date AS DATE) AND (d.maturity_date IS NULL OR d.maturity_date > CAST($as_of_date AS DATE)) AS is_live
  FROM deals d
  JOIN exposure_entities e ON e.legal_entity = d.legal_entity
  LEFT JOIN directory c ON c.counterparty_id = d.counterparty_id
),
valued AS (
  SELECT t.*, p.direction,
    CASE WHEN t.deal_type IN ('CREDIT_FACILITY', 'LIQUIDITY_FACILITY') THEN greatest(t.principal - coalesce(t.drawn_amount, 0), 0) ELSE t.principal END AS amount_native,
    -- A notice period makes the earliest date a depositor can demand the money the business date plus the notice.
    CASE
      WHEN t.product IN ('RETAIL_DEPOSIT', 'UNSECURED_WHOLESALE_FUNDING') AND t.notice_days > 0
        AND (t.maturity_date IS NULL OR t.maturity_date > CAST($as_of_date AS DATE) + t.notice_days)
        THEN CAST($as_of_date AS DATE) + t.notice_days
      ELSE t.maturity_date
    END AS exposure_maturity_date,
    t.product IN ('SECURED_FUNDING', 'SECURED_LENDING') AS secured,
    k.instrument_id IS NOT NULL AS collateral_known,
    CASE WHEN t.product IN ('SECURED_FUNDING', 'SECURED_LENDING') THEN
      coalesce(k.rule, CASE WHEN t.collateral_instrument_id IS NULL THEN 'no_collateral_instrument' ELSE 'instrument_unknown' END)
    END AS collateral_rule,
    CASE
      WHEN t.product IN ('CASH', 'CB_RESERVES') THEN 'L1'
      WHEN t.product IN ('SECURED_FUNDING', 'SECURED_LENDING') THEN coalesce(k.collateral_class, 'NON_HQLA')
    END AS collateral_class,
    -- Bond units are 100 of face value (the nominal); equities and commodities count units.
    CASE WHEN k.instrument_id IS NOT NULL THEN
      CAST(CASE WHEN k.asset_class IN ('EQUITY', 'COMMODITY') THEN t.collateral_nominal ELSE t.collateral_nominal * 0.01 END AS DECIMAL(38, 10))
    END AS collateral_units,
    k.price AS collateral_price, k.currency AS collateral_instrument_currency
  FROM typed t
  LEFT JOIN directions p ON p.product = t.product
  LEFT JOIN hqla_classification k ON k.instrument_id = t.collateral_instrument_id AND k.reporting_currency = t.reporting_currency
),
-- The collateral at its market value on the business date (units x the price known then, as the holdings are
-- valued), or the value the deal carries when the units or the instrument are unknown.
collateral AS (
  SELECT v.*,
    CASE
      WHEN NOT v.secured THEN NULL
      WHEN v.collateral_units IS NOT NULL AND v.collateral_price IS NOT NULL THEN CAST(v.collateral_units * v.collateral_price AS DECIMAL(38, 10))
      ELSE v.collateral_market_value
    END AS collateral_value_native,
    CASE
      WHEN NOT v.secured THEN NULL
      WHEN v.collateral_units IS NOT NULL AND v.collateral_price IS NOT NULL THEN v.collateral_instrument_currency
      WHEN v.collateral_market_value IS NOT NULL THEN v.currency
    END AS collateral_currency
  FROM valued v
),
converted AS (
  SELECT c.*,
    fx_convert(c.amount_native, fd.units_per_usd, fr.units_per_usd) AS amount,
    fx_convert(c.collateral_value_native, fc.units_per_usd, fr.units_per_usd) AS collateral_value,
    fd.units_per_usd IS NULL OR fr.units_per_usd IS NULL OR (c.collateral_currency IS NOT NULL AND fc.units_per_usd IS NULL) AS fx_missing
  FROM collateral c
  LEFT JOIN exposure_fx_rates fd ON fd.currency = c.currency
  LEFT JOIN exposure_fx_rates fc ON fc.currency = c.collateral_currency
  LEFT JOIN exposure_fx_rates fr ON fr.currency = c.reporting_currency
),
final AS (
  SELECT
    deal_id AS exposure_id, deal_id, deal_type, version, legal_entity, reporting_currency, currency, product, direction,
    cp_type AS counterparty_type, counterparty_id, amount_native, amount, exposure_maturity_date AS maturity_date,
    collateral_instrument_id, collateral_units, collateral_rule, collateral_class, collateral_currency, collateral_value_native,
    collateral_value,
    coalesce(CASE
      WHEN product = 'UNSECURED_WHOLESALE_FUNDING' THEN x.is_operational
      WHEN product = 'UNSECURED_LENDING' THEN x.is_operational AND cp_type IN ('BANK', 'OTHER_FINANCIAL') -- an operational balance is held at a bank
    END, false) AS is_operational,
    coalesce(CASE WHEN product IN ('RETAIL_DEPOSIT', 'UNSECURED_WHOLESALE_FUNDING') THEN x.is_insured END, false) AS is_insured,
    coalesce(CASE WHEN product = 'RETAIL_DEPOSIT' THEN x.is_insured AND x.has_relationship END, false) AS is_stable,
    coalesce(CASE WHEN product = 'SECURED_LENDING' THEN collateral_rehypothecated END, false) AS is_encumbered,
    is_live,
    CASE
      WHEN x.maturity_date IS NOT NULL AND x.maturity_date <= CAST($as_of_date AS DATE) THEN 'matured'
      WHEN x.start_date > CAST($as_of_date AS DATE) THEN 'not_started'
      WHEN product IS NULL THEN 'unknown_deal_type'
      WHEN direction <> 'asset' AND cp_type IS NULL THEN 'no_counterparty_type'
      WHEN secured AND cp_type IN ('RETAIL', 'SMALL_BUSINESS') THEN 'retail_secured_out_of_scope'
      WHEN secured AND collateral_class <> 'NON_HQLA' AND collateral_value_native IS NULL THEN 'collateral_value_unknown'
      WHEN fx_missing THEN 'no_fx_rate'
    END AS left_out_reason
  FROM converted x
)
-- Unordered: a staging table; the tables made from it are sorted (liquidity_exposures.sql, _left_out.sql).
SELECT * FROM final;
