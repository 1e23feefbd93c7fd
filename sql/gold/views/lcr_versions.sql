-- gold.lcr_versions: the LCR of every gold run: a restated date keeps its earlier figures here (is_current = false).
CREATE OR REPLACE VIEW gold.lcr_versions AS
SELECT *, gold_version IN ({{current_versions}}) AS is_current
FROM read_parquet({{all_lcr}});
