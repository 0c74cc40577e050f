-- One row per athlete, week and exercise: whether the week's top load (the effective load, so for
-- an assisted move less assistance is a higher load) and best e1RM beat every earlier week
-- all-time, over the previous 52 weeks and over the previous 8 weeks.
-- grain: athlete_id, week_start, exercise_id
WITH windows AS (
    SELECT
        p.athlete_id, p.week_start, p.exercise_id, p.top_load_kg, p.best_e1rm_kg,
        max(p.top_load_kg) OVER all_time AS tl_all, count(p.top_load_kg) OVER all_time AS tl_all_n,
        max(p.top_load_kg) OVER w52 AS tl_52, count(p.top_load_kg) OVER w52 AS tl_52_n,
        max(p.top_load_kg) OVER w8 AS tl_8, count(p.top_load_kg) OVER w8 AS tl_8_n,
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
    athlete_id, week_start, exercise_id, top_load_kg, best_e1rm_kg,
    coalesce(tl_all_n > 0 AND top_load_kg > tl_all, false) AS top_load_all_time,
    coalesce(tl_52_n > 0 AND top_load_kg > tl_52, false) AS top_load_last_52_weeks,
    coalesce(tl_8_n > 0 AND top_load_kg > tl_8, false) AS top_load_last_8_weeks,
    coalesce(e1_all_n > 0 AND best_e1rm_kg > e1_all, false) AS best_e1rm_all_time,
    coalesce(e1_52_n > 0 AND best_e1rm_kg > e1_52, false) AS best_e1rm_last_52_weeks,
    coalesce(e1_8_n > 0 AND best_e1rm_kg > e1_8, false) AS best_e1rm_last_8_weeks
FROM windows
