-- One row per athlete and diet cycle: the cycle as of its last day with data (its end, or today's
-- end of data for an open cycle), with its main lifts' strength from the first to the last trained
-- weeks (the main lifts of that last week).
-- grain: athlete_id, cycle_number
WITH last_weeks AS (
    SELECT DISTINCT ON (athlete_id, cycle_number) *
    FROM gold_cycle_to_date
    ORDER BY athlete_id, cycle_number, week_start DESC
)
SELECT
    w.*,
    w.end_date IS NOT NULL AND w.as_of >= w.end_date AS is_closed,
    (SELECT jsonb_agg(
                jsonb_build_object(
                    'exercise_key', l.exercise_key,
                    'exercise_name', l.exercise_name,
                    'trained_weeks', l.trained_weeks,
                    'first_best_e1rm_kg', l.first_best_e1rm_kg,
                    'last_best_e1rm_kg', l.last_best_e1rm_kg,
                    'e1rm_change_kg', l.e1rm_change_kg,
                    'e1rm_retained_pct', l.e1rm_retained_pct,
                    'strength_retained', l.strength_retained)
                ORDER BY l.lift_rank)
     FROM gold_cycle_lifts l
     WHERE l.athlete_id = w.athlete_id AND l.week_start = w.week_start
       AND l.cycle_number = w.cycle_number) AS main_lifts
FROM last_weeks w
