-- One row per rejected record of one topic in this build: where it came from, the rule (id and version) and why,
-- the raw value. {{records}}: the topic's staged records; {{violations}}: (arrival, rule_id, rule_version, action,
-- reason) from the schema rules; {{rejections}}: (arrival, rule_id, rule_version, reason) from the topic's own rules.
CREATE OR REPLACE TEMP TABLE {{quarantine}} AS
WITH rejected AS (
  SELECT arrival, rule_id, rule_version, reason FROM {{violations}} WHERE action IN ('quarantine', 'fail')
  UNION ALL
  SELECT arrival, rule_id, rule_version, reason FROM {{rejections}}
),
first_rule AS (
  -- A record breaking several rules is quarantined once, under the first rule it broke, with every reason listed.
  SELECT arrival, min_by(rule_id, rule_id) AS rule, min_by(rule_version, rule_id) AS rule_version,
    string_agg(reason, '; ' ORDER BY rule_id) AS reason, count(*) AS rules_broken
  FROM rejected GROUP BY arrival
)
SELECT r.topic, r."partition", r."offset", r."key", r.gk AS entity_key, q.rule, q.rule_version, q.reason, q.rules_broken, r."value",
  r.recorded_at, r.source, r.file_sha256, r.line
FROM first_rule q JOIN {{records}} r ON r.arrival = q.arrival
ORDER BY r.arrival;
