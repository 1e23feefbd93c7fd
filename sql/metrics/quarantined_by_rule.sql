-- Quarantined records per topic and rule at one silver version (lakehouse_quarantined_total): two columns of
-- silver.quarantine's files, read once per silver version.
SELECT topic, rule, count(*) AS records
FROM {{quarantine}}
GROUP BY ALL
ORDER BY ALL
