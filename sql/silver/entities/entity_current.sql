-- {{current}}: one row per live key of {{history}}: what is known now, in force from its latest valid_from on, and
-- not a tombstone.
CREATE OR REPLACE TEMP TABLE {{current}} AS
SELECT * EXCLUDE (valid_to, recorded_to, deleted, topic, "partition", "offset", source)
FROM {{history}}
WHERE recorded_to IS NULL AND valid_to IS NULL AND NOT deleted
ORDER BY {{key}};
