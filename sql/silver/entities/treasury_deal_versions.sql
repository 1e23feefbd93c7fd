-- The accepted versions of treasury deals, typed. Business time starts at the event's event_time; a CANCEL is a
-- tombstone (deleted): from its valid time on the deal is not live.
CREATE OR REPLACE TEMP TABLE treasury_deal_versions AS
SELECT
  arrival,
  j ->> 'deal_id' AS deal_id,
  CAST(j ->> 'version' AS INTEGER) AS version,
  j ->> 'action' AS action,
  j ->> 'action' = 'CANCEL' AS deleted,
  j ->> 'deal_type' AS deal_type,
  j ->> 'legal_entity' AS legal_entity,
  j ->> 'book_id' AS book_id,
  j ->> 'counterparty_id' AS counterparty_id,
  j ->> 'counterparty_type' AS counterparty_type,
  j ->> 'currency' AS currency,
  CAST(j ->> 'principal' AS DECIMAL(38, 10)) AS principal,
  CAST(j ->> 'drawn_amount' AS DECIMAL(38, 10)) AS drawn_amount,
  CAST(j ->> 'interest_rate' AS DECIMAL(38, 10)) AS interest_rate,
  CAST(j ->> 'start_date' AS DATE) AS start_date,
  CAST(j ->> 'maturity_date' AS DATE) AS maturity_date,
  CAST(j ->> 'notice_days' AS INTEGER) AS notice_days,
  CAST(j ->> 'is_operational' AS BOOLEAN) AS is_operational,
  CAST(j ->> 'is_insured' AS BOOLEAN) AS is_insured,
  CAST(j ->> 'has_relationship' AS BOOLEAN) AS has_relationship,
  j ->> 'collateral_instrument_id' AS collateral_instrument_id,
  CAST(j ->> 'collateral_nominal' AS DECIMAL(38, 10)) AS collateral_nominal,
  CAST(j ->> 'collateral_market_value' AS DECIMAL(38, 10)) AS collateral_market_value,
  CAST(j ->> 'collateral_rehypothecated' AS BOOLEAN) AS collateral_rehypothecated,
  CAST(j ->> 'trade_date' AS DATE) AS trade_date,
  CAST(j ->> 'event_time' AS TIMESTAMPTZ) AS event_time,
  CAST(j ->> 'event_time' AS TIMESTAMPTZ) AS valid_from,
  j ->> 'event_id' AS event_id,
  recorded_at, topic, "partition", "offset", source, file_sha256, line
FROM treasury_deals_accepted;
