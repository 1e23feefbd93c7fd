-- silver.positions_current: each position's latest state, enriched with the instrument's attributes as the master
-- has them now (NULL when the instrument is unknown or withdrawn).
CREATE OR REPLACE TEMP TABLE positions_current AS
SELECT p.* EXCLUDE (valid_to, recorded_to, deleted, topic, "partition", "offset", source),
  i.asset_class, i.issuer_id, i.issuer_type, i.issuer_country, i.rating, i.maturity_date,
  i.currency AS instrument_currency, i.price AS instrument_price, i.price_date AS instrument_price_date
FROM positions_history p
LEFT JOIN instruments_current i ON i.instrument_id = p.instrument_id
WHERE p.recorded_to IS NULL AND p.valid_to IS NULL AND NOT p.deleted
ORDER BY p.position_id;
