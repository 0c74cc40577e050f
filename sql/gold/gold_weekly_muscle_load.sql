-- One row per athlete, calendar week and muscle group (from the week it is first trained): hard
-- sets, their mean over the previous 4 calendar weeks (weeks without them count 0), and the
-- acute:chronic workload ratio (this week / that mean), flagged outside the 0.8-1.3 band. Null
-- before 4 weeks of history or when the chronic mean is 0.
-- grain: athlete_id, week_start, muscle_group
WITH first_trained AS (
    SELECT athlete_id, muscle_group, min(week_start) AS first_week
    FROM gold_weekly_muscle_group_volume
    GROUP BY athlete_id, muscle_group
), grid AS (
    SELECT w.athlete_id, w.week_start, f.muscle_group, coalesce(v.hard_sets, 0) AS hard_sets
    FROM gold_athlete_weeks w
    JOIN first_trained f ON f.athlete_id = w.athlete_id AND w.week_start >= f.first_week
    LEFT JOIN gold_weekly_muscle_group_volume v
      ON v.athlete_id = w.athlete_id AND v.week_start = w.week_start
     AND v.muscle_group = f.muscle_group
), rolled AS (
    SELECT
        g.*,
        avg(g.hard_sets) OVER previous_4 AS chronic_hard_sets,
        count(*) OVER previous_4 AS chronic_weeks
    FROM grid g
    WINDOW previous_4 AS (PARTITION BY g.athlete_id, g.muscle_group ORDER BY g.week_start
                          ROWS BETWEEN 4 PRECEDING AND 1 PRECEDING)
)
SELECT
    athlete_id,
    week_start,
    muscle_group,
    hard_sets,
    CASE WHEN chronic_weeks = 4 THEN chronic_hard_sets END AS chronic_hard_sets,
    CASE WHEN chronic_weeks = 4 AND chronic_hard_sets > 0
         THEN hard_sets / chronic_hard_sets END AS acwr,
    CASE WHEN chronic_weeks = 4 AND chronic_hard_sets > 0
         THEN hard_sets / chronic_hard_sets NOT BETWEEN 0.8 AND 1.3 END AS acwr_outside_band
FROM rolled
