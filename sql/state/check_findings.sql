-- A check's findings over every athlete, in athlete order (the order of the check's own rows).
SELECT s.found, s.sample, s.counts
FROM fitness.check_athlete_state s
JOIN fitness.athletes a USING (athlete_id)
WHERE s.check_name = :check AND s.found > 0
ORDER BY a.athlete_key;
