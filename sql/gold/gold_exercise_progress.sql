-- One row per athlete, week and exercise trained with an e1RM (effective load): the week's best
-- e1RM, the best of every earlier such week, whether this week beat it, the trained weeks since
-- the last week that did, and the stall rule: at least 3 trained weeks without beating it.
-- grain: athlete_id, week_start, exercise_id
WITH trained AS (
    SELECT
        p.athlete_id, p.week_start, p.exercise_id, p.best_e1rm_kg,
        max(p.best_e1rm_kg) OVER earlier AS previous_best_e1rm_kg,
        row_number() OVER by_week AS trained_week_number
    FROM gold_weekly_exercise_performance p
    WHERE p.best_e1rm_kg IS NOT NULL
    WINDOW
        earlier AS (PARTITION BY p.athlete_id, p.exercise_id ORDER BY p.week_start
                    ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING),
        by_week AS (PARTITION BY p.athlete_id, p.exercise_id ORDER BY p.week_start)
), marked AS (
    SELECT
        t.*,
        (t.previous_best_e1rm_kg IS NULL OR t.best_e1rm_kg > t.previous_best_e1rm_kg) AS is_best,
        count(*) FILTER (WHERE t.previous_best_e1rm_kg IS NULL
                            OR t.best_e1rm_kg > t.previous_best_e1rm_kg)
            OVER (PARTITION BY t.athlete_id, t.exercise_id ORDER BY t.week_start) AS best_run
    FROM trained t
)
SELECT
    athlete_id,
    week_start,
    exercise_id,
    best_e1rm_kg,
    previous_best_e1rm_kg,
    is_best,
    trained_week_number,
    row_number() OVER run - 1 AS weeks_since_best,
    row_number() OVER run - 1 >= 3 AS is_stalled
FROM marked
WINDOW run AS (PARTITION BY athlete_id, exercise_id, best_run ORDER BY week_start)
