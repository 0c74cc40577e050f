-- One row per athlete, week and exercise: everything the weekly payload says about an exercise.
-- grain: athlete_id, week_start, exercise_id
SELECT
    p.athlete_id, p.week_start, p.exercise_id, p.exercise_key, p.exercise_name, p.muscle_group,
    p.catalog_source, p.load_basis, p.logged_min_kg, p.logged_max_kg, p.sets_without_bodyweight,
    p.total_sets, p.failure_sets, p.total_reps, p.avg_reps, p.avg_load_kg, p.top_load_kg,
    p.best_e1rm_kg, p.tonnage_kg, p.sessions_count,
    g.has_last_week,
    g.lw_total_sets, g.lw_failure_sets, g.lw_total_reps, g.lw_avg_reps, g.lw_avg_load_kg,
    g.lw_top_load_kg, g.lw_best_e1rm_kg, g.lw_tonnage_kg, g.lw_sessions_count,
    g.lw_logged_min_kg, g.lw_logged_max_kg,
    g.previous_session_week, g.ps_weeks_since,
    g.ps_total_sets, g.ps_failure_sets, g.ps_total_reps, g.ps_avg_reps, g.ps_avg_load_kg,
    g.ps_top_load_kg, g.ps_best_e1rm_kg, g.ps_tonnage_kg, g.ps_sessions_count,
    g.ps_logged_min_kg, g.ps_logged_max_kg,
    r.top_load_all_time, r.top_load_last_52_weeks, r.top_load_last_8_weeks,
    r.best_e1rm_all_time, r.best_e1rm_last_52_weeks, r.best_e1rm_last_8_weeks
FROM gold_weekly_exercise_performance p
JOIN gold_weekly_exercise_progression g USING (athlete_id, week_start, exercise_id)
JOIN gold_exercise_records r USING (athlete_id, week_start, exercise_id)
