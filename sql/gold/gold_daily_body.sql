-- One row per athlete and calendar day: the weigh-in, the trend weight (weigh-ins exponentially
-- smoothed, 0.1 a day: the Hacker's Diet trend, days without a weigh-in skipped), and the trailing
-- windows the weekly body view reads (weigh-ins in the last 21 days; intake logged in the last 28).
-- grain: athlete_id, day
WITH trend AS (
    SELECT
        d.athlete_id, d.day, d.week_start, d.iso_dow, d.bodyweight_kg, d.calories_kcal,
        fitness.trend_weight(d.bodyweight_kg::double precision, d.day, 0.1) OVER running AS trend_kg,
        count(d.bodyweight_kg) OVER last_21 AS weigh_ins_21d,
        count(d.bodyweight_kg) OVER last_28 AS weigh_ins_28d,
        count(d.calories_kcal) OVER last_28 AS intake_days_28d,
        avg(d.calories_kcal) OVER last_28 AS avg_intake_28d
    FROM gold_athlete_days d
    WINDOW
        running AS (PARTITION BY d.athlete_id ORDER BY d.day
                    ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW),
        last_21 AS (PARTITION BY d.athlete_id ORDER BY d.day
                    ROWS BETWEEN 20 PRECEDING AND CURRENT ROW),
        last_28 AS (PARTITION BY d.athlete_id ORDER BY d.day
                    ROWS BETWEEN 27 PRECEDING AND CURRENT ROW)
)
SELECT
    t.*,
    lag(t.trend_kg, 20) OVER by_day AS trend_20d_before_kg,
    lag(t.trend_kg, 28) OVER by_day AS trend_28d_before_kg
FROM trend t
WINDOW by_day AS (PARTITION BY t.athlete_id ORDER BY t.day)
