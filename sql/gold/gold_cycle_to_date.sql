-- One row per athlete, calendar week and diet cycle with a day in that week: the cycle from its
-- first day to the week's Sunday (or to its own last day, if earlier). Weigh-ins, trend change and
-- weekly rate, mean intake, protein per kg, sessions and hard sets per week, and adherence where
-- targets exist. A cycle's days are the days the diet log (else the cycles file) gives it.
-- grain: athlete_id, week_start, cycle_number
WITH spans AS (
    SELECT athlete_id, cycle_number, min(day) AS first_day, max(day) AS last_day
    FROM gold_athlete_days
    WHERE cycle_number IS NOT NULL
    GROUP BY athlete_id, cycle_number
), active AS (
    SELECT DISTINCT d.athlete_id, d.week_start, d.cycle_number, s.first_day, s.last_day,
           least(d.week_start + 6, s.last_day) AS as_of
    FROM gold_athlete_days d
    JOIN spans s ON s.athlete_id = d.athlete_id AND s.cycle_number = d.cycle_number
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
    agg.first_weigh_in_kg,
    agg.last_weigh_in_kg,
    agg.last_weigh_in_kg - agg.first_weigh_in_kg AS bodyweight_change_kg,
    trend.start_kg AS trend_start_kg,
    trend.end_kg AS trend_end_kg,
    trend.end_kg - trend.start_kg AS trend_change_kg,
    (trend.end_kg - trend.start_kg) / (a.as_of - a.first_day + 1) * 7 AS trend_rate_kg_per_week,
    agg.avg_calories_kcal,
    agg.avg_protein_g / nullif(agg.avg_bodyweight_kg, 0) AS protein_g_per_kg,
    agg.sessions,
    agg.sessions / ((a.as_of - a.first_day + 1) / 7.0) AS sessions_per_week,
    hard.hard_sets_per_week,
    ath.target_sessions_per_week,
    agg.sessions / (ath.target_sessions_per_week * (a.as_of - a.first_day + 1) / 7.0)
        AS training_adherence,
    CASE WHEN agg.calorie_days > 0
         THEN agg.calorie_days_on_target::numeric / agg.calorie_days END AS calorie_adherence,
    CASE WHEN agg.protein_days > 0
         THEN agg.protein_days_on_target::numeric / agg.protein_days END AS protein_adherence
FROM active a
JOIN fitness.cycles k ON k.athlete_id = a.athlete_id AND k.cycle_number = a.cycle_number
JOIN fitness.athletes ath ON ath.athlete_id = a.athlete_id
CROSS JOIN LATERAL (
    SELECT
        (array_agg(d.bodyweight_kg ORDER BY d.day) FILTER (WHERE d.bodyweight_kg IS NOT NULL))[1]
            AS first_weigh_in_kg,
        (array_agg(d.bodyweight_kg ORDER BY d.day DESC)
            FILTER (WHERE d.bodyweight_kg IS NOT NULL))[1] AS last_weigh_in_kg,
        avg(d.calories_kcal) AS avg_calories_kcal,
        avg(d.protein_g) AS avg_protein_g,
        avg(d.bodyweight_kg) AS avg_bodyweight_kg,
        sum(d.sessions) AS sessions,
        count(*) FILTER (WHERE d.calories_kcal IS NOT NULL AND d.target_calories_kcal IS NOT NULL)
            AS calorie_days,
        count(*) FILTER (WHERE abs(d.calories_kcal - d.target_calories_kcal)
                               <= 0.10 * d.target_calories_kcal) AS calorie_days_on_target,
        count(*) FILTER (WHERE d.protein_g IS NOT NULL AND d.target_protein_g IS NOT NULL)
            AS protein_days,
        count(*) FILTER (WHERE d.protein_g >= 0.90 * d.target_protein_g) AS protein_days_on_target
    FROM gold_athlete_days d
    WHERE d.athlete_id = a.athlete_id AND d.day BETWEEN a.first_day AND a.as_of
      AND d.cycle_number = a.cycle_number
) agg
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
CROSS JOIN LATERAL (
    SELECT avg(w.hard_sets) AS hard_sets_per_week
    FROM (
        SELECT aw.week_start, coalesce(sum(m.hard_sets), 0) AS hard_sets
        FROM gold_athlete_weeks aw
        LEFT JOIN gold_weekly_muscle_load m
          ON m.athlete_id = aw.athlete_id AND m.week_start = aw.week_start
        WHERE aw.athlete_id = a.athlete_id
          AND aw.week_start BETWEEN date_trunc('week', a.first_day)::date AND a.week_start
        GROUP BY aw.week_start
    ) w
) hard
