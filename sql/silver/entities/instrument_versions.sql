-- The accepted versions of instruments, typed. Business time starts at event_time; active = false is a tombstone
-- (deleted): withdrawn from the master from its valid time on.
CREATE OR REPLACE TEMP TABLE instrument_versions AS
SELECT
  arrival,
  j ->> 'instrument_id' AS instrument_id,
  NOT CAST(j ->> 'active' AS BOOLEAN) AS deleted,
  j ->> 'isin' AS isin,
  j ->> 'name' AS name,
  j ->> 'asset_class' AS asset_class,
  j ->> 'currency' AS currency,
  j ->> 'issuer_id' AS issuer_id,
  j ->> 'issuer_type' AS issuer_type,
  j ->> 'issuer_country' AS issuer_country,
  CAST(j ->> 'risk_weight' AS DECIMAL(38, 10)) AS risk_weight,
  j ->> 'rating' AS rating,
  CAST(j ->> 'central_bank_eligible' AS BOOLEAN) AS central_bank_eligible,
  j ->> 'listed_index' AS listed_index,
  CAST(j ->> 'rmbs_full_recourse' AS BOOLEAN) AS rmbs_full_recourse,
  CAST(j ->> 'rmbs_ltv' AS DECIMAL(38, 10)) AS rmbs_ltv,
  CAST(j ->> 'own_originated' AS BOOLEAN) AS own_originated,
  CAST(j ->> 'maturity_date' AS DATE) AS maturity_date,
  CAST(j ->> 'coupon_rate' AS DECIMAL(38, 10)) AS coupon_rate,
  CAST(j ->> 'price' AS DECIMAL(38, 10)) AS price,
  CAST(j ->> 'price_date' AS DATE) AS price_date,
  CAST(j ->> 'event_time' AS TIMESTAMPTZ) AS valid_from,
  j ->> 'event_id' AS event_id,
  recorded_at, topic, "partition", "offset", source, file_sha256, line
FROM instruments_accepted;
