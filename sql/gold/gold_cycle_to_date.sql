-- One row per athlete, calendar week and diet cycle with a day in that week: the cycle from its
-- first day to the week's Sunday (or to its own last day, if earlier). Weigh-ins, trend change and
-- weekly rate, mean intake, protein per kg, sessions and hard sets per week, and adherence where
-- targets exist. A cycle's days are the days the diet log (else the cycles file) gives it.
-- grain: athlete_id, week_start, cycle_number
-- Each figure is a running total over the cycle's days in day order (and the athlete's weeks in
-- week order), read at the cycle's last day of the week: linear in the length of a cycle, where
-- one aggregate per week over all its days so far was quadratic.
WITH cycle_days AS (
    -- every day of a cycle, with the cycle's totals from its first day to this one; a day is the
    -- cycle's last of its week when the cycle's next day (if any) is in another week
    SELECT
        d.athlete_id,
        d.week_start,
        d.cycle_number,
        min(d.day) OVER cycle AS first_day,
        max(d.day) OVER cycle AS last_day,
        lead(d.week_start) OVER to_day IS DISTINCT FROM d.week_start AS last_of_week,
        min(d.day) FILTER (WHERE d.bodyweight_kg IS NOT NULL) OVER to_day AS first_weigh_in_day,
        max(d.day) FILTER (WHERE d.bodyweight_kg IS NOT NULL) OVER to_day AS last_weigh_in_day,
        avg(d.calories_kcal) OVER to_day AS avg_calories_kcal,
        avg(d.protein_g) OVER to_day AS avg_protein_g,
        avg(d.bodyweight_kg) OVER to_day AS avg_bodyweight_kg,
        sum(d.sessions) OVER to_day AS sessions,
        count(*) FILTER (WHERE d.calories_kcal IS NOT NULL AND d.target_calories_kcal IS NOT NULL)
            OVER to_day AS calorie_days,
        count(*) FILTER (WHERE abs(d.calories_kcal - d.target_calories_kcal)
                               <= 0.10 * d.target_calories_kcal) OVER to_day
            AS calorie_days_on_target,
        count(*) FILTER (WHERE d.protein_g IS NOT NULL AND d.target_protein_g IS NOT NULL)
            OVER to_day AS protein_days,
        count(*) FILTER (WHERE d.protein_g >= 0.90 * d.target_protein_g) OVER to_day
            AS protein_days_on_target
    FROM gold_athlete_days d
    WHERE d.cycle_number IS NOT NULL
    WINDOW cycle AS (PARTITION BY d.athlete_id, d.cycle_number),
           to_day AS (PARTITION BY d.athlete_id, d.cycle_number ORDER BY d.day)
), active AS (
    SELECT c.*, least(c.week_start + 6, c.last_day) AS as_of
    FROM cycle_days c
    WHERE c.last_of_week
), weekly_hard AS NOT MATERIALIZED (
    -- each athlete week's hard sets (0 without any), and their sum and count of weeks up to it
    SELECT
        aw.athlete_id,
        aw.week_start,
        coalesce(sum(m.hard_sets), 0) AS hard_sets,
        sum(coalesce(sum(m.hard_sets), 0)) OVER to_week AS hard_sets_to_date,
        count(*) OVER to_week AS weeks_to_date
    FROM gold_athlete_weeks aw
    LEFT JOIN gold_weekly_muscle_load m
      ON m.athlete_id = aw.athlete_id AND m.week_start = aw.week_start
    GROUP BY aw.athlete_id, aw.week_start
    WINDOW to_week AS (PARTITION BY aw.athlete_id ORDER BY aw.week_start)
)
SELECT
    a.athlete_id,
    a.week_start,
    a.cycle_number,
    k.cycle_name,
    k.cycle_type,
    k.start_date,
    k.end_date,
    a.first_day,
    a.as_of,
    a.as_of - a.first_day + 1 AS days,
    (a.as_of - a.first_day + 1) / 7.0 AS weeks,
    k.end_date IS NOT NULL AND k.end_date BETWEEN a.week_start AND a.week_start + 6 AS ends_this_week,
    fw.bodyweight_kg AS first_weigh_in_kg,
    lw.bodyweight_kg AS last_weigh_in_kg,
    lw.bodyweight_kg - fw.bodyweight_kg AS bodyweight_change_kg,
    trend.start_kg AS trend_start_kg,
    trend.end_kg AS trend_end_kg,
    trend.end_kg - trend.start_kg AS trend_change_kg,
    (trend.end_kg - trend.start_kg) / (a.as_of - a.first_day + 1) * 7 AS trend_rate_kg_per_week,
    a.avg_calories_kcal,
    a.avg_protein_g / nullif(a.avg_bodyweight_kg, 0) AS protein_g_per_kg,
    a.sessions,
    a.sessions / ((a.as_of - a.first_day + 1) / 7.0) AS sessions_per_week,
    (e.hard_sets_to_date - s.hard_sets_to_date + s.hard_sets)
        / (e.weeks_to_date - s.weeks_to_date + 1) AS hard_sets_per_week,
    ath.target_sessions_per_week,
    a.sessions / (ath.target_sessions_per_week * (a.as_of - a.first_day + 1) / 7.0)
        AS training_adherence,
    CASE WHEN a.calorie_days > 0
         THEN a.calorie_days_on_target::numeric / a.calorie_days END AS calorie_adherence,
    CASE WHEN a.protein_days > 0
         THEN a.protein_days_on_target::numeric / a.protein_days END AS protein_adherence
FROM active a
JOIN fitness.cycles k ON k.athlete_id = a.athlete_id AND k.cycle_number = a.cycle_number
JOIN fitness.athletes ath ON ath.athlete_id = a.athlete_id
LEFT JOIN gold_athlete_days fw ON fw.athlete_id = a.athlete_id AND fw.day = a.first_weigh_in_day
LEFT JOIN gold_athlete_days lw ON lw.athlete_id = a.athlete_id AND lw.day = a.last_weigh_in_day
-- the hard sets of the athlete's weeks from the cycle's first week to this one
LEFT JOIN weekly_hard e ON e.athlete_id = a.athlete_id AND e.week_start = a.week_start
LEFT JOIN weekly_hard s
  ON s.athlete_id = a.athlete_id AND s.week_start = date_trunc('week', a.first_day)::date
CROSS JOIN LATERAL (
    -- the trend entering the cycle (the day before its first), else its first value in the cycle
    SELECT
        coalesce(
            (SELECT b.trend_kg FROM gold_daily_body b
             WHERE b.athlete_id = a.athlete_id AND b.day = a.first_day - 1),
            (SELECT b.trend_kg FROM gold_daily_body b
             WHERE b.athlete_id = a.athlete_id AND b.day BETWEEN a.first_day AND a.as_of
               AND b.trend_kg IS NOT NULL
             ORDER BY b.day LIMIT 1)
        ) AS start_kg,
        (SELECT b.trend_kg FROM gold_daily_body b
         WHERE b.athlete_id = a.athlete_id AND b.day = a.as_of) AS end_kg
) trend
