-- Every way a row of the exposure CSV (lcr_exposures_csv: `line` and the columns as text) breaks LCR.md section D,
-- one row per (line, exposure_id, column, message), all of them at once. An empty field is NULL.
CREATE OR REPLACE TEMP TABLE lcr_exposure_problems AS
WITH parsed AS (
  SELECT
    *,
    {{product_direction}} AS product_direction,
    CASE WHEN regexp_full_match(as_of_date, '\d{4}-\d{2}-\d{2}') THEN TRY_CAST(as_of_date AS DATE) END AS as_of,
    CASE WHEN regexp_full_match(maturity_date, '\d{4}-\d{2}-\d{2}') THEN TRY_CAST(maturity_date AS DATE) END AS maturity,
    regexp_full_match(amount, '-?\d+(\.\d+)?') AS amount_is_decimal,
    regexp_full_match(collateral_value, '-?\d+(\.\d+)?') AS collateral_value_is_decimal
  FROM lcr_exposures_csv
),

file_date AS (
  SELECT arg_min(as_of, line) AS as_of, min(line) AS line FROM parsed WHERE as_of IS NOT NULL
),

entity_currency AS (
  SELECT legal_entity, arg_min(reporting_currency, line) AS currency, min(line) AS line
  FROM parsed
  WHERE reporting_currency IS NOT NULL
  GROUP BY legal_entity
),

first_id AS (
  SELECT exposure_id, min(line) AS line FROM parsed WHERE exposure_id IS NOT NULL GROUP BY exposure_id
),

checked AS (
  SELECT
    p.line,
    p.exposure_id,
    list_filter([
      CASE WHEN p.as_of_date IS NULL THEN {'column_name': 'as_of_date', 'message': 'is required'} END,
      CASE WHEN p.as_of_date IS NOT NULL AND p.as_of IS NULL THEN {'column_name': 'as_of_date', 'message': concat('"', p.as_of_date, '" is not a date (YYYY-MM-DD)')} END,
      CASE WHEN p.as_of <> f.as_of THEN {'column_name': 'as_of_date', 'message': concat(p.as_of_date, ' differs from ', f.as_of, ' (line ', f.line, '): one as_of_date per file')} END,
      CASE WHEN p.legal_entity IS NULL THEN {'column_name': 'legal_entity', 'message': 'is required'} END,
      CASE WHEN p.reporting_currency IS NULL THEN {'column_name': 'reporting_currency', 'message': 'is required'} END,
      CASE WHEN NOT regexp_full_match(p.reporting_currency, '[A-Z]{3}') THEN {'column_name': 'reporting_currency', 'message': concat('"', p.reporting_currency, '" is not an ISO 4217 currency code')} END,
      CASE WHEN p.reporting_currency <> e.currency THEN {'column_name': 'reporting_currency', 'message': concat(p.reporting_currency, ' differs from ', e.currency, ' (line ', e.line, ') for legal_entity ', p.legal_entity, ': one reporting currency per entity')} END,
      CASE WHEN p.currency IS NULL THEN {'column_name': 'currency', 'message': 'is required'} END,
      CASE WHEN NOT regexp_full_match(p.currency, '[A-Z]{3}') THEN {'column_name': 'currency', 'message': concat('"', p.currency, '" is not an ISO 4217 currency code')} END,
      CASE WHEN p.exposure_id IS NULL THEN {'column_name': 'exposure_id', 'message': 'is required'} END,
      CASE WHEN i.line < p.line THEN {'column_name': 'exposure_id', 'message': concat('duplicate of line ', i.line)} END,
      CASE WHEN p.product IS NULL THEN {'column_name': 'product', 'message': 'is required'} END,
      CASE WHEN p.product IS NOT NULL AND p.product_direction IS NULL THEN {'column_name': 'product', 'message': concat('unknown product "', p.product, '" (products: ', {{product_names}}, ')')} END,
      CASE WHEN p.direction IS NULL THEN {'column_name': 'direction', 'message': 'is required'} END,
      CASE WHEN p.direction NOT IN ('asset', 'outflow', 'inflow') THEN {'column_name': 'direction', 'message': concat('"', p.direction, '" is not asset, outflow or inflow')} END,
      CASE WHEN p.direction IN ('asset', 'outflow', 'inflow') AND p.direction <> p.product_direction THEN {'column_name': 'direction', 'message': concat(p.direction, ' is not the direction of ', p.product, ' (', p.product_direction, ')')} END,
      CASE WHEN p.product_direction = 'asset' AND p.counterparty_type IS NOT NULL THEN {'column_name': 'counterparty_type', 'message': concat('must be empty for an asset (', p.product, ')')} END,
      CASE WHEN p.product_direction <> 'asset' AND p.counterparty_type IS NULL THEN {'column_name': 'counterparty_type', 'message': concat('is required for ', p.product)} END,
      CASE WHEN p.counterparty_type NOT IN {{counterparty_types}} THEN {'column_name': 'counterparty_type', 'message': concat('unknown counterparty_type "', p.counterparty_type, '"')} END,
      CASE WHEN p.counterparty_type IN ('RETAIL', 'SMALL_BUSINESS') AND p.product IN {{retail_forbidden}} THEN {'column_name': 'counterparty_type', 'message': concat(p.counterparty_type, ' is not allowed on ', p.product)} END,
      CASE WHEN p.amount IS NULL THEN {'column_name': 'amount', 'message': 'is required'} END,
      CASE WHEN NOT p.amount_is_decimal THEN {'column_name': 'amount', 'message': concat('"', p.amount, '" is not a decimal number')} END,
      CASE WHEN p.amount_is_decimal AND starts_with(p.amount, '-') THEN {'column_name': 'amount', 'message': concat(p.amount, ' is negative')} END,
      CASE WHEN p.amount_is_decimal AND (length(split_part(p.amount, '.', 2)) > 10 OR length(ltrim(split_part(p.amount, '.', 1), '-0')) > 28) THEN {'column_name': 'amount', 'message': concat(p.amount, ' has more than 10 decimals or 28 digits before the point')} END,
      CASE WHEN p.maturity_date IS NOT NULL AND p.maturity IS NULL THEN {'column_name': 'maturity_date', 'message': concat('"', p.maturity_date, '" is not a date (YYYY-MM-DD)')} END,
      CASE WHEN p.maturity <= p.as_of THEN {'column_name': 'maturity_date', 'message': concat(p.maturity, ' is not after as_of_date ', p.as_of)} END,
      CASE WHEN p.collateral_class IS NULL AND p.product IN {{collateral_required}} THEN {'column_name': 'collateral_class', 'message': concat('is required for ', p.product)} END,
      CASE WHEN p.collateral_class NOT IN {{collateral_classes}} THEN {'column_name': 'collateral_class', 'message': concat('unknown collateral_class "', p.collateral_class, '"')} END,
      CASE WHEN p.collateral_class IN {{collateral_classes}} AND p.product IN ('CASH', 'CB_RESERVES') AND p.collateral_class <> 'L1' THEN {'column_name': 'collateral_class', 'message': concat('must be L1 or empty for ', p.product)} END,
      CASE WHEN p.collateral_class IS NOT NULL AND p.product IN {{products}} AND p.product NOT IN {{collateral_required}} AND p.product NOT IN ('CASH', 'CB_RESERVES') THEN {'column_name': 'collateral_class', 'message': concat('must be empty for ', p.product)} END,
      CASE WHEN NOT p.collateral_value_is_decimal THEN {'column_name': 'collateral_value', 'message': concat('"', p.collateral_value, '" is not a decimal number')} END,
      CASE WHEN p.collateral_value_is_decimal AND starts_with(p.collateral_value, '-') THEN {'column_name': 'collateral_value', 'message': concat(p.collateral_value, ' is negative')} END,
      CASE WHEN p.collateral_value_is_decimal AND (length(split_part(p.collateral_value, '.', 2)) > 10 OR length(ltrim(split_part(p.collateral_value, '.', 1), '-0')) > 28) THEN {'column_name': 'collateral_value', 'message': concat(p.collateral_value, ' has more than 10 decimals or 28 digits before the point')} END,
      CASE WHEN p.collateral_value IS NULL AND p.product IN {{secured}} AND p.collateral_class IN {{hqla_classes}} THEN {'column_name': 'collateral_value', 'message': concat('is required on ', p.product, ' with ', p.collateral_class, ' collateral')} END,
      CASE WHEN p.is_operational NOT IN ('true', 'false') THEN {'column_name': 'is_operational', 'message': concat('"', p.is_operational, '" is not true, false or empty')} END,
      CASE WHEN p.is_operational = 'true' AND p.product NOT IN {{is_operational_products}} THEN {'column_name': 'is_operational', 'message': concat('cannot be true on ', p.product, ' (only on ', {{is_operational_names}}, ')')} END,
      CASE WHEN p.is_operational = 'true' AND p.product = 'UNSECURED_LENDING' AND p.counterparty_type NOT IN ('BANK', 'OTHER_FINANCIAL') THEN {'column_name': 'is_operational', 'message': concat('on UNSECURED_LENDING is a balance held at a BANK or OTHER_FINANCIAL, not ', p.counterparty_type)} END,
      CASE WHEN p.is_insured NOT IN ('true', 'false') THEN {'column_name': 'is_insured', 'message': concat('"', p.is_insured, '" is not true, false or empty')} END,
      CASE WHEN p.is_insured = 'true' AND p.product NOT IN {{is_insured_products}} THEN {'column_name': 'is_insured', 'message': concat('cannot be true on ', p.product, ' (only on ', {{is_insured_names}}, ')')} END,
      CASE WHEN p.is_stable NOT IN ('true', 'false') THEN {'column_name': 'is_stable', 'message': concat('"', p.is_stable, '" is not true, false or empty')} END,
      CASE WHEN p.is_stable = 'true' AND p.product NOT IN {{is_stable_products}} THEN {'column_name': 'is_stable', 'message': concat('cannot be true on ', p.product, ' (only on ', {{is_stable_names}}, ')')} END,
      CASE WHEN p.is_stable = 'true' AND coalesce(p.is_insured, '') <> 'true' THEN {'column_name': 'is_stable', 'message': 'requires is_insured'} END,
      CASE WHEN p.is_encumbered NOT IN ('true', 'false') THEN {'column_name': 'is_encumbered', 'message': concat('"', p.is_encumbered, '" is not true, false or empty')} END,
      CASE WHEN p.is_encumbered = 'true' AND p.product NOT IN {{is_encumbered_products}} THEN {'column_name': 'is_encumbered', 'message': concat('cannot be true on ', p.product, ' (only on ', {{is_encumbered_names}}, ')')} END
    ], x -> x IS NOT NULL) AS problems
  FROM parsed AS p
  CROSS JOIN file_date AS f
  LEFT JOIN entity_currency AS e ON e.legal_entity = p.legal_entity
  LEFT JOIN first_id AS i ON i.exposure_id = p.exposure_id
),

final AS (
  SELECT line, exposure_id, problem.column_name AS column_name, problem.message AS message
  FROM (SELECT line, exposure_id, unnest(problems) AS problem FROM checked)
)

SELECT * FROM final;
