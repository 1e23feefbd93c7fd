-- silver.treasury_deals_current: one row per live deal (a CANCEL ends it), enriched with the counterparty's type as
-- the directory has it now (counterparty_type is the type the deal was booked with).
CREATE OR REPLACE TEMP TABLE treasury_deals_current AS
SELECT d.* EXCLUDE (valid_to, recorded_to, deleted, topic, "partition", "offset", source),
  c.counterparty_type AS counterparty_type_now
FROM treasury_deals_history d
LEFT JOIN counterparties_current c ON c.counterparty_id = d.counterparty_id
WHERE d.recorded_to IS NULL AND d.valid_to IS NULL AND NOT d.deleted
ORDER BY d.deal_id;
