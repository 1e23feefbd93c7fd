-- silver.trades_history: every accepted version, with its valid and recorded intervals (open ends NULL).
CREATE OR REPLACE VIEW silver.trades_history AS SELECT * FROM {{trades_history}};
-- expired: the maturity is before the business date of the silver version (CONTRACT.md section 3, rule 4).
CREATE OR REPLACE VIEW silver.trades_current AS
SELECT trade_id, version, counterparty_id, book_id, legal_entity, instrument_id, asset_class, side, quantity, price,
  currency, trade_date, settlement_date, maturity_date, created_date,
  coalesce(maturity_date < {{business_date}}, false) AS expired,
  valid_from, recorded_from, event_id
FROM {{trades_current}};
-- silver.quarantine: the rejected records of every topic.
CREATE OR REPLACE VIEW silver.quarantine AS SELECT * FROM {{quarantine}};
-- Facts, one row per accepted event (orders, executions), and the FX rates, one row per date and pair.
CREATE OR REPLACE VIEW silver.orders AS SELECT * FROM {{orders}};
CREATE OR REPLACE VIEW silver.executions AS SELECT * FROM {{executions}};
CREATE OR REPLACE VIEW silver.fx_rates AS SELECT * FROM {{fx_rates}};
-- Stateful entities: two-timeline history (tombstones kept as rows with deleted = true) and the live rows now.
CREATE OR REPLACE VIEW silver.treasury_deals_history AS SELECT * FROM {{treasury_deals_history}};
CREATE OR REPLACE VIEW silver.treasury_deals_current AS SELECT * FROM {{treasury_deals_current}};
CREATE OR REPLACE VIEW silver.instruments_history AS SELECT * FROM {{instruments_history}};
CREATE OR REPLACE VIEW silver.instruments_current AS SELECT * FROM {{instruments_current}};
CREATE OR REPLACE VIEW silver.counterparties_history AS SELECT * FROM {{counterparties_history}};
CREATE OR REPLACE VIEW silver.counterparties_current AS SELECT * FROM {{counterparties_current}};
CREATE OR REPLACE VIEW silver.positions_history AS SELECT * FROM {{positions_history}};
CREATE OR REPLACE VIEW silver.positions_current AS SELECT * FROM {{positions_current}};
-- The two questions users ask of any two-timeline history table (named by `tbl`):
-- "as of valid date D": what is known now about what held on D;
-- "as of valid date D, as known at time T": what the lakehouse knew at T about what held on D.
-- Tombstoned rows (deleted = true) are answers too: the entity did not exist then; add `WHERE NOT deleted` for live rows.
CREATE OR REPLACE MACRO silver.history_as_of(tbl, d) AS TABLE
  SELECT * FROM query_table(tbl)
  WHERE recorded_to IS NULL AND valid_from <= CAST(d AS TIMESTAMPTZ) AND (valid_to IS NULL OR valid_to > CAST(d AS TIMESTAMPTZ));
CREATE OR REPLACE MACRO silver.history_as_known(tbl, d, t) AS TABLE
  SELECT * FROM query_table(tbl)
  WHERE recorded_from <= CAST(t AS TIMESTAMPTZ) AND (recorded_to IS NULL OR recorded_to > CAST(t AS TIMESTAMPTZ))
    AND valid_from <= CAST(d AS TIMESTAMPTZ) AND (valid_to IS NULL OR valid_to > CAST(d AS TIMESTAMPTZ));
-- Per entity: silver.<entity>_as_of(D) and silver.<entity>_as_known(D, T).
CREATE OR REPLACE MACRO silver.trades_as_of(d) AS TABLE SELECT * FROM silver.history_as_of('silver.trades_history', d);
CREATE OR REPLACE MACRO silver.trades_as_known(d, t) AS TABLE SELECT * FROM silver.history_as_known('silver.trades_history', d, t);
CREATE OR REPLACE MACRO silver.treasury_deals_as_of(d) AS TABLE SELECT * FROM silver.history_as_of('silver.treasury_deals_history', d);
CREATE OR REPLACE MACRO silver.treasury_deals_as_known(d, t) AS TABLE SELECT * FROM silver.history_as_known('silver.treasury_deals_history', d, t);
CREATE OR REPLACE MACRO silver.instruments_as_of(d) AS TABLE SELECT * FROM silver.history_as_of('silver.instruments_history', d);
CREATE OR REPLACE MACRO silver.instruments_as_known(d, t) AS TABLE SELECT * FROM silver.history_as_known('silver.instruments_history', d, t);
CREATE OR REPLACE MACRO silver.counterparties_as_of(d) AS TABLE SELECT * FROM silver.history_as_of('silver.counterparties_history', d);
CREATE OR REPLACE MACRO silver.counterparties_as_known(d, t) AS TABLE SELECT * FROM silver.history_as_known('silver.counterparties_history', d, t);
CREATE OR REPLACE MACRO silver.positions_as_of(d) AS TABLE SELECT * FROM silver.history_as_of('silver.positions_history', d);
CREATE OR REPLACE MACRO silver.positions_as_known(d, t) AS TABLE SELECT * FROM silver.history_as_known('silver.positions_history', d, t);
