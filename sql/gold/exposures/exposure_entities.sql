-- exposure_entities: the legal entities gold reports on and each one's reporting currency, from $entities (a JSON
-- object {"BANK_A": "USD", ...}); silver has no entity master, so the caller says.
CREATE OR REPLACE TEMP TABLE exposure_entities AS
SELECT key AS legal_entity, value ->> '$' AS reporting_currency
FROM json_each(CAST($entities AS VARCHAR));
