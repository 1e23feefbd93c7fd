-- The main drivers of each legal entity's change in LCR on its latest date, since its previous date: the top $top
-- components by the size of their change, with their effect on the buffer (HQLA minus net cash outflows).
WITH latest AS (
  SELECT legal_entity, max(as_of_date) AS as_of_date FROM gold.lcr GROUP BY ALL
)
SELECT d.legal_entity, d.previous_date, d.kind, d.component, d.previous_amount, d.amount, d.change, d.buffer_effect,
  CAST(d.rank AS INTEGER) AS rank
FROM gold.lcr_drivers d
JOIN latest USING (legal_entity, as_of_date)
WHERE d.rank <= $top
ORDER BY d.legal_entity, d.rank;
