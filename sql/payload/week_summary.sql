-- One athlete-week's summary and data quality: the payload's top-level numbers.
SELECT s.*, q.has_training, q.has_diet, q.diet_days_missing, q.bodyweight_days_missing,
       q.quarantined_rows, q.corrected_values, q.inferred_exercises, a.display_name
FROM fitness.gold_weekly_fitness_summary s
JOIN fitness.gold_weekly_data_quality q USING (athlete_id, week_start)
JOIN fitness.athletes a ON a.athlete_id = s.athlete_id
WHERE s.athlete_key = :athlete AND s.week_start = :week;
