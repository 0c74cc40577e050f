-- By athlete, the weeks with training or diet between two Mondays as one line of ISO dates in
-- week order: what the delivery indexes record, compared as text (1,000 strings instead of
-- 142,000 dates to convert, for a check that runs before every delivery). Grouped by athlete_id,
-- the rows come in order from the view's (athlete_id, week_start) index, unsorted.
SELECT a.athlete_key, w.weeks
FROM (
    SELECT athlete_id, string_agg(week_start::text, ' ' ORDER BY week_start) AS weeks
    FROM fitness.gold_weekly_fitness_summary
    WHERE week_start BETWEEN :start AND :end
    GROUP BY athlete_id
) w
JOIN fitness.athletes a USING (athlete_id);
