-- One row per live trade: what is known now and valid from its latest valid_from on. `expired` depends on the
-- business date, so the silver.trades_current view adds it (sql/silver/views.sql): this table stays the same from
-- one business date to the next, and an incremental build rewrites only the buckets whose trades changed.
CREATE OR REPLACE TEMP TABLE trades_current AS
SELECT
  trade_id, version, counterparty_id, book_id, legal_entity, instrument_id, asset_class, side, quantity, price,
  currency, trade_date, settlement_date, maturity_date, created_date,
  valid_from, recorded_from, event_id
FROM trades_history
WHERE recorded_to IS NULL AND valid_to IS NULL
ORDER BY trade_id;
