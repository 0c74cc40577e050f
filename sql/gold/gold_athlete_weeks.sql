-- One row per athlete and calendar week of their span, weeks without data included (so gaps stay
-- visible): sessions, working sets, tonnage, mean intake, trend weight; the training streak
-- (consecutive weeks with a session, Hevy's definition); and the deload rule: working sets or
-- tonnage at most 60 per cent of the mean of the previous 4 calendar weeks (a week without
-- training counts 0; the week needs those 4 weeks of history and a session of its own).
-- grain: athlete_id, week_start
WITH grid AS (
    SELECT
        w.athlete_id,
        w.week_start,
        coalesce(t.training_sessions, 0) AS sessions,
        coalesce(t.total_sets, 0) AS working_sets,
        coalesce(t.tonnage_kg, 0) AS tonnage_kg,
        d.avg_calories_kcal,
        b.trend_kg
    FROM (SELECT DISTINCT athlete_id, week_start FROM gold_athlete_days) w
    LEFT JOIN gold_weekly_training_summary t
      ON t.athlete_id = w.athlete_id AND t.week_start = w.week_start
    LEFT JOIN gold_weekly_diet_summary d
      ON d.athlete_id = w.athlete_id AND d.week_start = w.week_start
    LEFT JOIN gold_weekly_body b ON b.athlete_id = w.athlete_id AND b.week_start = w.week_start
), rolled AS (
    SELECT
        g.*,
        sum(CASE WHEN g.sessions = 0 THEN 1 ELSE 0 END) OVER by_week AS breaks,
        avg(g.working_sets) OVER previous_4 AS baseline_sets,
        avg(g.tonnage_kg) OVER previous_4 AS baseline_tonnage_kg,
        count(*) OVER previous_4 AS baseline_weeks
    FROM grid g
    WINDOW
        by_week AS (PARTITION BY g.athlete_id ORDER BY g.week_start),
        previous_4 AS (PARTITION BY g.athlete_id ORDER BY g.week_start
                       ROWS BETWEEN 4 PRECEDING AND 1 PRECEDING)
)
SELECT
    athlete_id,
    week_start,
    sessions,
    working_sets,
    tonnage_kg,
    avg_calories_kcal,
    trend_kg,
    CASE WHEN sessions > 0
         THEN count(*) FILTER (WHERE sessions > 0)
                  OVER (PARTITION BY athlete_id, breaks ORDER BY week_start)
         ELSE 0 END AS streak_weeks,
    CASE WHEN baseline_weeks = 4 THEN baseline_sets END AS baseline_sets,
    CASE WHEN baseline_weeks = 4 THEN baseline_tonnage_kg END AS baseline_tonnage_kg,
    coalesce(sessions > 0 AND baseline_weeks = 4
             AND ((baseline_sets > 0 AND working_sets <= 0.60 * baseline_sets)
                  OR (baseline_tonnage_kg > 0 AND tonnage_kg <= 0.60 * baseline_tonnage_kg)),
             false) AS is_deload
FROM rolled
