-- Source rows held in quarantine, with the rule each broke.
-- asset: rejected_rows
-- metric: rows
-- count_by: rule
-- scope: athlete
SELECT r.athlete_id, a.athlete_key, r.source_file, r.source_line, r.rule, r.raw_values::text AS raw_values
FROM fitness.rejected_rows r JOIN fitness.athletes a USING (athlete_id)
ORDER BY 2, 3, 4, 5;
