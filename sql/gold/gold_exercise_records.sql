-- One row per athlete, week and exercise: whether the week's max weight and best e1RM beat every
-- earlier week all-time, over the previous 52 weeks and over the previous 8 weeks.
-- grain: athlete_id, week_start, exercise_id
WITH windows AS (
    SELECT
        p.athlete_id, p.week_start, p.exercise_id, p.max_weight_kg, p.best_e1rm_kg,
        max(p.max_weight_kg) OVER all_time AS mw_all, count(p.max_weight_kg) OVER all_time AS mw_all_n,
        max(p.max_weight_kg) OVER w52 AS mw_52, count(p.max_weight_kg) OVER w52 AS mw_52_n,
        max(p.max_weight_kg) OVER w8 AS mw_8, count(p.max_weight_kg) OVER w8 AS mw_8_n,
        max(p.best_e1rm_kg) OVER all_time AS e1_all, count(p.best_e1rm_kg) OVER all_time AS e1_all_n,
        max(p.best_e1rm_kg) OVER w52 AS e1_52, count(p.best_e1rm_kg) OVER w52 AS e1_52_n,
        max(p.best_e1rm_kg) OVER w8 AS e1_8, count(p.best_e1rm_kg) OVER w8 AS e1_8_n
    FROM gold_weekly_exercise_performance p
    WINDOW
        all_time AS (PARTITION BY p.athlete_id, p.exercise_id ORDER BY p.week_start
                     ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING),
        w52 AS (PARTITION BY p.athlete_id, p.exercise_id ORDER BY p.week_start
                RANGE BETWEEN interval '364 days' PRECEDING AND interval '1 day' PRECEDING),
        w8 AS (PARTITION BY p.athlete_id, p.exercise_id ORDER BY p.week_start
               RANGE BETWEEN interval '56 days' PRECEDING AND interval '1 day' PRECEDING)
)
SELECT
    athlete_id, week_start, exercise_id, max_weight_kg, best_e1rm_kg,
    coalesce(mw_all_n > 0 AND max_weight_kg > mw_all, false) AS max_weight_all_time,
    coalesce(mw_52_n > 0 AND max_weight_kg > mw_52, false) AS max_weight_last_52_weeks,
    coalesce(mw_8_n > 0 AND max_weight_kg > mw_8, false) AS max_weight_last_8_weeks,
    coalesce(e1_all_n > 0 AND best_e1rm_kg > e1_all, false) AS best_e1rm_all_time,
    coalesce(e1_52_n > 0 AND best_e1rm_kg > e1_52, false) AS best_e1rm_last_52_weeks,
    coalesce(e1_8_n > 0 AND best_e1rm_kg > e1_8, false) AS best_e1rm_last_8_weeks
FROM windows
