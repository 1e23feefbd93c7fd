-- The accepted versions of treasury deals, typed. Business time starts at the event's event_time; a CANCEL is a
-- tombstone (deleted): from its valid time on the deal is not live.
-- The payload is parsed once (json_transform, every field as text), then cast; amounts through silver_decimal (the
-- exact DECIMAL(38, 10) cast at a fraction of its cost: silver/trade-typing.ts decimalSql).
CREATE OR REPLACE TEMP TABLE treasury_deal_versions AS
SELECT
  arrival,
  f.deal_id AS deal_id,
  CAST(f.version AS INTEGER) AS version,
  f.action AS action,
  f.action = 'CANCEL' AS deleted,
  f.deal_type AS deal_type,
  f.legal_entity AS legal_entity,
  f.book_id AS book_id,
  f.counterparty_id AS counterparty_id,
  f.counterparty_type AS counterparty_type,
  f.currency AS currency,
  silver_decimal(f.principal) AS principal,
  silver_decimal(f.drawn_amount) AS drawn_amount,
  silver_decimal(f.interest_rate) AS interest_rate,
  CAST(f.start_date AS DATE) AS start_date,
  CAST(f.maturity_date AS DATE) AS maturity_date,
  CAST(f.notice_days AS INTEGER) AS notice_days,
  CAST(f.is_operational AS BOOLEAN) AS is_operational,
  CAST(f.is_insured AS BOOLEAN) AS is_insured,
  CAST(f.has_relationship AS BOOLEAN) AS has_relationship,
  f.collateral_instrument_id AS collateral_instrument_id,
  silver_decimal(f.collateral_nominal) AS collateral_nominal,
  silver_decimal(f.collateral_market_value) AS collateral_market_value,
  CAST(f.collateral_rehypothecated AS BOOLEAN) AS collateral_rehypothecated,
  CAST(f.trade_date AS DATE) AS trade_date,
  CAST(f.event_time AS TIMESTAMPTZ) AS event_time,
  CAST(f.event_time AS TIMESTAMPTZ) AS valid_from,
  f.event_id AS event_id,
  recorded_at, topic, "partition", "offset", source, file_sha256, line
FROM (SELECT *, json_transform(j, '{"deal_id": "VARCHAR", "version": "VARCHAR", "action": "VARCHAR", "deal_type": "VARCHAR", "legal_entity": "VARCHAR", "book_id": "VARCHAR", "counterparty_id": "VARCHAR", "counterparty_type": "VARCHAR", "currency": "VARCHAR", "principal": "VARCHAR", "drawn_amount": "VARCHAR", "interest_rate": "VARCHAR", "start_date": "VARCHAR", "maturity_date": "VARCHAR", "notice_days": "VARCHAR", "is_operational": "VARCHAR", "is_insured": "VARCHAR", "has_relationship": "VARCHAR", "collateral_instrument_id": "VARCHAR", "collateral_nominal": "VARCHAR", "collateral_market_value": "VARCHAR", "collateral_rehypothecated": "VARCHAR", "trade_date": "VARCHAR", "event_time": "VARCHAR", "event_id": "VARCHAR"}') AS f FROM treasury_deals_accepted);
