-- gold.lcr_sums: the exact DECIMAL sums the LCR of each date's current run was finished from, per legal entity,
-- product, counterparty type and treatment (HQLA class, exclusion, flow, rate rule and rate). Not rounded.
CREATE OR REPLACE VIEW gold.lcr_sums AS
SELECT * FROM read_parquet({{current_lcr_sums}});
