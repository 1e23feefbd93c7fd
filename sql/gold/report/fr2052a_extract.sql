-- An FR 2052a-style extract of the exposure rows behind the report: one line per exposure with a table and product
-- code modelled on FR 2052a (I.A assets, I.U / I.S unsecured and secured inflows, O.D deposits, O.W wholesale funding,
-- O.S secured funding, O.O other outflows), the counterparty, the maturity bucket, the collateral class and the LCR
-- treatment the calculator gave it. Amounts exact, as gold holds them (not rounded). Not a filing: the codes are a reading aid for reviewers who know FR 2052a.
COPY (
  SELECT
    c.legal_entity AS reporting_entity,
    strftime(c.as_of_date, '%Y-%m-%d') AS as_of_date,
    CASE
      WHEN c.product IN ('CASH', 'CB_RESERVES', 'SECURITY') THEN 'I.A'
      WHEN c.product = 'UNSECURED_LENDING' THEN 'I.U'
      WHEN c.product = 'SECURED_LENDING' THEN 'I.S'
      WHEN c.product = 'RETAIL_DEPOSIT' THEN 'O.D'
      WHEN c.product = 'UNSECURED_WHOLESALE_FUNDING' THEN 'O.W'
      WHEN c.product = 'SECURED_FUNDING' THEN 'O.S'
      ELSE 'O.O'
    END AS fr2052a_table,
    CASE
      WHEN c.product = 'CASH' THEN 'I.A.1 Cash'
      WHEN c.product = 'CB_RESERVES' THEN 'I.A.3 Unrestricted Reserve Balances'
      WHEN c.product = 'SECURITY' AND c.is_encumbered THEN 'I.A.7 Encumbered Assets'
      WHEN c.product = 'SECURITY' THEN 'I.A.1 Unencumbered Assets'
      WHEN c.product = 'UNSECURED_LENDING' AND c.is_operational THEN 'I.U.3 Required Operational Balances'
      WHEN c.product = 'UNSECURED_LENDING' THEN 'I.U.1 Placements'
      WHEN c.product = 'SECURED_LENDING' THEN 'I.S.1 Reverse Repo'
      WHEN c.product = 'RETAIL_DEPOSIT' AND c.is_stable THEN 'O.D.1 Stable Retail Deposits'
      WHEN c.product = 'RETAIL_DEPOSIT' THEN 'O.D.2 Less Stable Retail Deposits'
      WHEN c.product = 'UNSECURED_WHOLESALE_FUNDING' AND c.is_operational THEN 'O.W.4 Operational Account Balances'
      WHEN c.product = 'UNSECURED_WHOLESALE_FUNDING' THEN 'O.W.6 Non-Operational Account Balances'
      WHEN c.product = 'SECURED_FUNDING' THEN 'O.S.1 Repo'
      WHEN c.product = 'COMMITTED_CREDIT_FACILITY' THEN 'O.O.4 Credit Facilities'
      ELSE 'O.O.5 Liquidity Facilities'
    END AS fr2052a_product,
    c.exposure_id,
    coalesce(c.counterparty_type, '') AS counterparty,
    e.currency,
    c.reporting_currency,
    CASE
      WHEN c.maturity_date IS NULL THEN 'Open'
      WHEN c.maturity_date - c.as_of_date <= 60 THEN concat('Day ', c.maturity_date - c.as_of_date)
      WHEN c.maturity_date - c.as_of_date <= 67 THEN '61-67 Days'
      WHEN c.maturity_date - c.as_of_date <= 74 THEN '68-74 Days'
      WHEN c.maturity_date - c.as_of_date <= 82 THEN '75-82 Days'
      WHEN c.maturity_date - c.as_of_date <= 90 THEN '83-90 Days'
      WHEN c.maturity_date - c.as_of_date <= 120 THEN '91-120 Days'
      WHEN c.maturity_date - c.as_of_date <= 150 THEN '121-150 Days'
      WHEN c.maturity_date - c.as_of_date <= 179 THEN '151-179 Days'
      WHEN c.maturity_date - c.as_of_date <= 270 THEN '180-270 Days'
      WHEN c.maturity_date - c.as_of_date <= 364 THEN '271-364 Days'
      WHEN c.maturity_date < c.as_of_date + INTERVAL 2 YEAR THEN '>=1 Yr <=2 Yr'
      WHEN c.maturity_date < c.as_of_date + INTERVAL 3 YEAR THEN '>2 Yr <=3 Yr'
      WHEN c.maturity_date < c.as_of_date + INTERVAL 4 YEAR THEN '>3 Yr <=4 Yr'
      WHEN c.maturity_date < c.as_of_date + INTERVAL 5 YEAR THEN '>4 Yr <=5 Yr'
      ELSE '>5 Yr'
    END AS maturity_bucket,
    coalesce(strftime(c.maturity_date, '%Y-%m-%d'), '') AS maturity_date,
    c.amount AS market_value,
    coalesce(c.collateral_class, '') AS collateral_class,
    coalesce(CAST(c.collateral_value AS VARCHAR), '') AS collateral_value,
    c.is_encumbered AS encumbered,
    c.is_insured AS insured,
    c.is_operational AS operational,
    coalesce(c.exclusion_reason, '') AS lcr_exclusion,
    coalesce(c.rate_rule, '') AS lcr_rate_rule,
    coalesce(CAST(c.rate AS VARCHAR), '') AS lcr_rate,
    coalesce(CAST(c.weighted_amount AS VARCHAR), '') AS lcr_weighted_amount
  FROM lcr_classified c
  JOIN {{exposures}} e USING (exposure_id, legal_entity)
  ORDER BY reporting_entity, exposure_id
) TO {{out}} (FORMAT csv, HEADER true);
