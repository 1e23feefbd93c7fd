-- One row per live trade: what is known now and valid from its latest valid_from on; expired when its maturity
-- is before the build's business date (CONTRACT.md section 3, rule 4).
CREATE OR REPLACE TEMP TABLE trades_current AS
SELECT
  trade_id, version, counterparty_id, book_id, legal_entity, instrument_id, asset_class, side, quantity, price,
  currency, trade_date, settlement_date, maturity_date, created_date,
  coalesce(maturity_date < {{business_date}}, false) AS expired,
  valid_from, recorded_from, event_id
FROM trades_history
WHERE recorded_to IS NULL AND valid_to IS NULL
ORDER BY trade_id;
