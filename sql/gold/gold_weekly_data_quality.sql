-- One row per athlete and week of the fitness summary: what is missing, corrected or quarantined.
-- grain: athlete_id, week_start
SELECT
    s.athlete_id,
    s.week_start,
    s.training_sessions > 0 AS has_training,
    s.logged_days > 0 AS has_diet,
    7 - s.logged_days AS diet_days_missing,
    s.logged_days - s.weighed_days AS bodyweight_days_missing,
    s.kcal_mismatch_days,
    s.sets_without_bodyweight,
    (SELECT count(*) FROM fitness.rejected_rows r
     WHERE r.athlete_id = s.athlete_id AND r.row_date >= s.week_start
       AND r.row_date < s.week_start + 7) AS quarantined_rows,
    (SELECT count(*) FROM fitness.applied_corrections c
     WHERE c.athlete_id = s.athlete_id AND c.workout_start >= s.week_start
       AND c.workout_start < s.week_start + 7) AS corrected_values,
    (SELECT coalesce(array_agg(p.exercise_key ORDER BY p.exercise_key), '{}')
     FROM gold_weekly_exercise_performance p
     WHERE p.athlete_id = s.athlete_id AND p.week_start = s.week_start
       AND p.catalog_source = 'inferred') AS inferred_exercises
FROM gold_weekly_fitness_summary s
