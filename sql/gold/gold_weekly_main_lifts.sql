-- One row per athlete, calendar week and main lift (rank 1-3): the exercises with an e1RM in the
-- trailing 12 weeks (this one included) that have the most working sets over them; ties by name.
-- grain: athlete_id, week_start, lift_rank
WITH lifts AS (
    SELECT athlete_id, exercise_id, min(week_start) AS first_week
    FROM gold_weekly_exercise_performance
    GROUP BY athlete_id, exercise_id
    HAVING bool_or(best_e1rm_kg IS NOT NULL)
), grid AS (
    SELECT
        w.athlete_id, w.week_start, l.exercise_id,
        coalesce(p.total_sets, 0) AS working_sets,
        p.best_e1rm_kg IS NOT NULL AS has_e1rm
    FROM gold_athlete_weeks w
    JOIN lifts l ON l.athlete_id = w.athlete_id AND w.week_start >= l.first_week
    LEFT JOIN gold_weekly_exercise_performance p
      ON p.athlete_id = w.athlete_id AND p.week_start = w.week_start
     AND p.exercise_id = l.exercise_id
), rolled AS (
    SELECT
        g.athlete_id, g.week_start, g.exercise_id,
        sum(g.working_sets) OVER last_12 AS working_sets_12w,
        bool_or(g.has_e1rm) OVER last_12 AS has_e1rm_12w
    FROM grid g
    WINDOW last_12 AS (PARTITION BY g.athlete_id, g.exercise_id ORDER BY g.week_start
                       ROWS BETWEEN 11 PRECEDING AND CURRENT ROW)
), ranked AS (
    SELECT
        r.*, e.exercise_key, e.exercise_name,
        row_number() OVER (PARTITION BY r.athlete_id, r.week_start
                           ORDER BY r.working_sets_12w DESC, e.exercise_name, e.exercise_key)
            AS lift_rank
    FROM rolled r
    JOIN fitness.exercises e ON e.exercise_id = r.exercise_id
    WHERE r.has_e1rm_12w AND r.working_sets_12w > 0
)
SELECT athlete_id, week_start, lift_rank, exercise_id, exercise_key, exercise_name, working_sets_12w
FROM ranked
WHERE lift_rank <= 3
