-- One row per athlete, week and exercise: deltas against the calendar previous week (lw_*) and
-- against the last earlier week the exercise was trained (ps_*), with the gap in weeks.
-- grain: athlete_id, week_start, exercise_id
WITH perf AS (
    SELECT p.*,
           lag(p.week_start) OVER w AS previous_session_week
    FROM gold_weekly_exercise_performance p
    WINDOW w AS (PARTITION BY p.athlete_id, p.exercise_id ORDER BY p.week_start)
)
SELECT
    p.athlete_id, p.week_start, p.exercise_id,
    lw.week_start IS NOT NULL AS has_last_week,
    p.total_sets - lw.total_sets AS lw_total_sets,
    p.failure_sets - lw.failure_sets AS lw_failure_sets,
    p.total_reps - lw.total_reps AS lw_total_reps,
    p.avg_reps - lw.avg_reps AS lw_avg_reps,
    p.avg_load_kg - lw.avg_load_kg AS lw_avg_load_kg,
    p.top_load_kg - lw.top_load_kg AS lw_top_load_kg,
    p.best_e1rm_kg - lw.best_e1rm_kg AS lw_best_e1rm_kg,
    p.tonnage_kg - lw.tonnage_kg AS lw_tonnage_kg,
    p.sessions_count - lw.sessions_count AS lw_sessions_count,
    p.logged_min_kg - lw.logged_min_kg AS lw_logged_min_kg,
    p.logged_max_kg - lw.logged_max_kg AS lw_logged_max_kg,
    p.previous_session_week,
    (p.week_start - p.previous_session_week) / 7 AS ps_weeks_since,
    p.total_sets - ps.total_sets AS ps_total_sets,
    p.failure_sets - ps.failure_sets AS ps_failure_sets,
    p.total_reps - ps.total_reps AS ps_total_reps,
    p.avg_reps - ps.avg_reps AS ps_avg_reps,
    p.avg_load_kg - ps.avg_load_kg AS ps_avg_load_kg,
    p.top_load_kg - ps.top_load_kg AS ps_top_load_kg,
    p.best_e1rm_kg - ps.best_e1rm_kg AS ps_best_e1rm_kg,
    p.tonnage_kg - ps.tonnage_kg AS ps_tonnage_kg,
    p.sessions_count - ps.sessions_count AS ps_sessions_count,
    p.logged_min_kg - ps.logged_min_kg AS ps_logged_min_kg,
    p.logged_max_kg - ps.logged_max_kg AS ps_logged_max_kg
FROM perf p
LEFT JOIN gold_weekly_exercise_performance lw
  ON lw.athlete_id = p.athlete_id AND lw.exercise_id = p.exercise_id
 AND lw.week_start = p.week_start - 7
LEFT JOIN gold_weekly_exercise_performance ps
  ON ps.athlete_id = p.athlete_id AND ps.exercise_id = p.exercise_id
 AND ps.week_start = p.previous_session_week
