-- hqla_classification: the HQLA class of every instrument in the master as of the close of the business date
-- ($close_at) as known at $known_at, for each reporting currency an entity has, with the rule that decided it and why
-- (LCR.md section B; BCBS 238 paras 49-54). The first rule that applies wins. Per reporting currency because para
-- 50(d) makes a non-0% risk-weight sovereign's paper Level 1 only in its domestic currency where the bank takes its
-- liquidity risk: the holding entity's reporting currency stands for that here.
CREATE OR REPLACE TEMP TABLE hqla_classification AS
WITH instruments AS (
  SELECT * FROM silver.instruments_as_known(CAST($close_at AS TIMESTAMPTZ), CAST($known_at AS TIMESTAMPTZ))
  WHERE NOT deleted
),
holders AS (
  SELECT DISTINCT reporting_currency FROM exposure_entities
),
-- S&P long-term scale, best first; NR and missing ratings have no notch (unrated).
ratings(rating, notch) AS (
  VALUES ('AAA', 1), ('AA+', 2), ('AA', 3), ('AA-', 4), ('A+', 5), ('A', 6), ('A-', 7), ('BBB+', 8), ('BBB', 9), ('BBB-', 10),
    ('BB+', 11), ('BB', 12), ('BB-', 13), ('B+', 14), ('B', 15), ('B-', 16), ('CCC', 17), ('CC', 18), ('C', 19), ('D', 20)
),
-- A sovereign's domestic currency, by ISO country code (the euro area's members issue in EUR).
domestic(country, currency) AS (
  VALUES ('US', 'USD'), ('GB', 'GBP'), ('JP', 'JPY'), ('CH', 'CHF'), ('CA', 'CAD'), ('AU', 'AUD'), ('NZ', 'NZD'), ('SE', 'SEK'),
    ('NO', 'NOK'), ('DK', 'DKK'), ('PL', 'PLN'), ('CZ', 'CZK'), ('HU', 'HUF'), ('CN', 'CNY'), ('HK', 'HKD'), ('SG', 'SGD'),
    ('KR', 'KRW'), ('IN', 'INR'), ('BR', 'BRL'), ('MX', 'MXN'), ('ZA', 'ZAR'), ('TR', 'TRY'), ('SA', 'SAR'), ('AE', 'AED'),
    ('AT', 'EUR'), ('BE', 'EUR'), ('HR', 'EUR'), ('CY', 'EUR'), ('EE', 'EUR'), ('FI', 'EUR'), ('FR', 'EUR'), ('DE', 'EUR'),
    ('GR', 'EUR'), ('IE', 'EUR'), ('IT', 'EUR'), ('LV', 'EUR'), ('LT', 'EUR'), ('LU', 'EUR'), ('MT', 'EUR'), ('NL', 'EUR'),
    ('PT', 'EUR'), ('SK', 'EUR'), ('SI', 'EUR'), ('ES', 'EUR')
),
rules(rule, collateral_class, reason) AS (
  VALUES
    ('level1_zero_risk_weight', 'L1', '0% risk-weight marketable paper of a sovereign, central bank, PSE or MDB (para 50(c))'),
    ('level1_domestic_sovereign', 'L1', 'non-0% risk-weight sovereign or central-bank paper in its domestic currency, which is the holder''s reporting currency (para 50(d))'),
    ('level2a_public_sector', 'L2A', '20% risk-weight paper of a sovereign, central bank, PSE, MDB or government-sponsored agency (para 52(a))'),
    ('level2a_corporate', 'L2A', 'non-financial corporate debt rated AA- or better (para 52(b))'),
    ('level2a_covered_bond', 'L2A', 'covered bond rated AA- or better, not own-issued (para 52(b))'),
    ('level2b_rmbs', 'L2B_RMBS', 'RMBS rated AA or better, full recourse, average LTV at issuance at most 80%, not own-originated (para 54(a))'),
    ('level2b_corporate', 'L2B', 'non-financial corporate debt rated A+ to BBB- (para 54(b))'),
    ('level2b_equity', 'L2B', 'non-financial equity listed in a major index (para 54(c))'),
    ('not_a_security', 'NON_HQLA', 'not a marketable security (commodities, loans, deposits, repos are never HQLA)'),
    ('issuer_unknown', 'NON_HQLA', 'issuer type unknown: eligibility cannot be shown'),
    ('issuer_not_eligible', 'NON_HQLA', 'equity of an issuer that is not a non-financial corporate'),
    ('own_issued', 'NON_HQLA', 'issued or originated by the bank itself, or not known not to be (paras 52(b), 54(a))'),
    ('financial_issuer', 'NON_HQLA', 'debt or equity of a bank or other financial institution (paras 50(c), 52(b), 54(b), 54(c))'),
    ('covered_bond_below_aa_minus', 'NON_HQLA', 'covered bond rated below AA- (para 52(b); covered bonds have no Level 2B)'),
    ('rmbs_below_aa', 'NON_HQLA', 'RMBS rated below AA (para 54(a))'),
    ('rmbs_not_full_recourse', 'NON_HQLA', 'RMBS whose underlying mortgages are not full recourse (para 54(a))'),
    ('rmbs_ltv_above_80pct', 'NON_HQLA', 'RMBS with average LTV at issuance above 80%, or unknown (para 54(a))'),
    ('risk_weight_unknown', 'NON_HQLA', 'sovereign, PSE, MDB or agency paper without a risk weight'),
    ('risk_weight_above_20pct', 'NON_HQLA', 'sovereign, PSE, MDB or agency paper with a risk weight above 20%, not domestic-currency sovereign paper of the holder (paras 50(d), 52(a))'),
    ('equity_not_in_major_index', 'NON_HQLA', 'equity not listed in a major stock index (para 54(c))'),
    ('unrated', 'NON_HQLA', 'debt without a rating: the rating thresholds cannot be shown (paras 52(b), 54(a), 54(b))'),
    ('corporate_below_bbb_minus', 'NON_HQLA', 'non-financial corporate debt rated below BBB- (para 54(b))')
),
facts AS (
  SELECT i.*, h.reporting_currency, r.notch,
    i.issuer_type IN ('SOVEREIGN', 'CENTRAL_BANK', 'PSE', 'MDB') AS public_issuer,
    i.issuer_type IN ('BANK', 'OTHER_FINANCIAL') AS financial_issuer,
    i.currency = d.currency AS in_domestic_currency
  FROM instruments i
  CROSS JOIN holders h
  LEFT JOIN ratings r ON r.rating = i.rating
  LEFT JOIN domestic d ON d.country = i.issuer_country
),
ruled AS (
  SELECT *, CASE
    WHEN coalesce(asset_class, '') NOT IN ('GOVT_BOND', 'AGENCY_BOND', 'COVERED_BOND', 'CORPORATE_BOND', 'RMBS', 'EQUITY') THEN 'not_a_security'
    -- Covered bonds and RMBS are issued by banks and financial vehicles: their own criteria replace the issuer test.
    WHEN asset_class = 'COVERED_BOND' AND own_originated THEN 'own_issued'
    WHEN asset_class = 'COVERED_BOND' AND notch IS NULL THEN 'unrated'
    WHEN asset_class = 'COVERED_BOND' AND notch <= 4 THEN 'level2a_covered_bond'
    WHEN asset_class = 'COVERED_BOND' THEN 'covered_bond_below_aa_minus'
    WHEN asset_class = 'RMBS' AND notch IS NULL THEN 'unrated'
    WHEN asset_class = 'RMBS' AND notch > 3 THEN 'rmbs_below_aa'
    WHEN asset_class = 'RMBS' AND rmbs_full_recourse IS NOT TRUE THEN 'rmbs_not_full_recourse'
    WHEN asset_class = 'RMBS' AND (rmbs_ltv IS NULL OR rmbs_ltv > 0.8) THEN 'rmbs_ltv_above_80pct'
    WHEN asset_class = 'RMBS' AND own_originated IS NOT FALSE THEN 'own_issued' -- unknown origination is not shown to be third-party
    WHEN asset_class = 'RMBS' THEN 'level2b_rmbs'
    WHEN issuer_type IS NULL THEN 'issuer_unknown'
    WHEN financial_issuer THEN 'financial_issuer'
    WHEN asset_class = 'EQUITY' AND issuer_type <> 'NON_FINANCIAL_CORPORATE' THEN 'issuer_not_eligible'
    WHEN asset_class = 'EQUITY' AND listed_index IS NOT NULL THEN 'level2b_equity'
    WHEN asset_class = 'EQUITY' THEN 'equity_not_in_major_index'
    WHEN public_issuer AND risk_weight = 0 THEN 'level1_zero_risk_weight'
    WHEN issuer_type IN ('SOVEREIGN', 'CENTRAL_BANK') AND risk_weight > 0 AND in_domestic_currency AND currency = reporting_currency THEN 'level1_domestic_sovereign'
    WHEN public_issuer AND risk_weight = 0.2 THEN 'level2a_public_sector'
    WHEN issuer_type = 'GSE' AND risk_weight <= 0.2 THEN 'level2a_public_sector' -- agencies: 2A as in the US rule (LCR.md B), never Level 1
    WHEN (public_issuer OR issuer_type = 'GSE') AND risk_weight IS NULL THEN 'risk_weight_unknown'
    WHEN public_issuer OR issuer_type = 'GSE' THEN 'risk_weight_above_20pct'
    -- What is left is non-financial corporate debt.
    WHEN notch IS NULL THEN 'unrated'
    WHEN notch <= 4 THEN 'level2a_corporate'
    WHEN notch <= 10 THEN 'level2b_corporate'
    ELSE 'corporate_below_bbb_minus'
  END AS rule
  FROM facts
),
final AS (
  SELECT x.instrument_id, x.reporting_currency, ru.collateral_class, x.rule, ru.reason,
    x.name, x.asset_class, x.currency, x.issuer_id, x.issuer_type, x.issuer_country, x.risk_weight, x.rating, x.central_bank_eligible,
    x.listed_index, x.rmbs_full_recourse, x.rmbs_ltv, x.own_originated, x.maturity_date, x.price, x.price_date
  FROM ruled x JOIN rules ru USING (rule)
)
SELECT * FROM final ORDER BY instrument_id, reporting_currency;
