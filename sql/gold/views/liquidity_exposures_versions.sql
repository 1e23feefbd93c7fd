-- gold.liquidity_exposures_versions: the exposures of every gold run, restated ones included (gold_version names the run).
CREATE OR REPLACE VIEW gold.liquidity_exposures_versions AS
SELECT *, gold_version IN ({{current_versions}}) AS is_current
FROM read_parquet({{all_liquidity_exposures}});
