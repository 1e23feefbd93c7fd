-- gold.liquidity_exposures: the exposure records of LCR.md section D per as_of_date, from each date's current gold run;
-- exactly the columns `lakehouse lcr --exposures` reads, so an export of a date is a valid calculator input.
CREATE OR REPLACE VIEW gold.liquidity_exposures AS
SELECT as_of_date, legal_entity, reporting_currency, currency, exposure_id, product, direction, counterparty_type, amount,
  maturity_date, collateral_class, collateral_value, is_operational, is_insured, is_stable, is_encumbered
FROM read_parquet({{current_liquidity_exposures}});
