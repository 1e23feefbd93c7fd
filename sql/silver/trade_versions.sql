-- The accepted trade versions, typed: amounts as DECIMAL, dates as DATE ({{typed}}: the records that passed the schema
-- rules, typed by silver/trade-typing.ts), less those the trade store's rules rejected. A version's valid time starts
-- on its trade_date (the trade store's business time); its recorded time is when its record arrived. A view: the
-- history reads it once for its windows and once for the rows' columns, cheaper than a copy of every version.
CREATE OR REPLACE TEMP VIEW trade_versions AS
SELECT
  t.arrival, t.trade_id, t.version, t.counterparty_id, t.book_id, t.legal_entity, t.instrument_id, t.asset_class, t.side,
  t.quantity, t.price, t.currency, t.trade_date, t.settlement_date, t.maturity_date, t.created_date, t.event_id,
  -- (CAST(t.trade_date AS TIMESTAMPTZ) in UTC, as integers: the time zone cast cost ten times more.)
  make_timestamptz((t.trade_date - DATE '1970-01-01') * 86400000000) AS valid_from,
  t.recorded_at,
  t.topic, t."partition", t."offset", t.source, t.file_sha256, t.line, t._bucket
FROM {{typed}} t ANTI JOIN trade_rejections r USING (arrival);
