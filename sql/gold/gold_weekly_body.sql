-- One row per athlete and week of their calendar: the trend weight on the week's Sunday and its
-- weekly rate of change over the last 20 days; the estimated expenditure (adaptive TDEE) over the
-- 28 days to that Sunday; and adherence to the athlete's targets. A value that lacks the data
-- its rule needs is null, and its note says why.
--   rate        needs a trend 20 days before and at least 4 weigh-ins in the 21 days to Sunday
--   expenditure mean intake of the logged days - trend change x 7,700 kcal/kg / 28 days; needs at
--               least 21 of the 28 days with intake, at least 8 weigh-ins, and a trend at the
--               window's start; confidence high with at least 26 intake days and 20 weigh-ins
--   adherence   sessions / planned; days with calories within a tenth of the day's target; days with
--               protein at or above nine tenths of it; over the days logged
-- grain: athlete_id, week_start
WITH week_days AS (
    SELECT
        athlete_id,
        week_start,
        sum(sessions) AS sessions,
        count(calories_kcal) AS intake_logged_days,
        count(bodyweight_kg) AS weigh_in_days,
        count(*) FILTER (WHERE calories_kcal IS NOT NULL AND target_calories_kcal IS NOT NULL)
            AS calorie_days,
        count(*) FILTER (WHERE abs(calories_kcal - target_calories_kcal)
                               <= 0.10 * target_calories_kcal) AS calorie_days_on_target,
        count(*) FILTER (WHERE protein_g IS NOT NULL AND target_protein_g IS NOT NULL)
            AS protein_days,
        count(*) FILTER (WHERE protein_g >= 0.90 * target_protein_g) AS protein_days_on_target,
        avg(target_calories_kcal) AS target_calories_kcal,
        avg(target_protein_g) AS target_protein_g
    FROM gold_athlete_days
    GROUP BY athlete_id, week_start
), weeks AS (
    SELECT
        w.*,
        s.trend_kg,
        s.trend_20d_before_kg,
        s.trend_28d_before_kg,
        s.weigh_ins_21d,
        s.weigh_ins_28d,
        s.intake_days_28d,
        s.avg_intake_28d,
        a.target_sessions_per_week,
        s.trend_20d_before_kg IS NOT NULL AND s.weigh_ins_21d >= 4 AS has_rate,
        s.intake_days_28d >= 21 AND s.weigh_ins_28d >= 8 AND s.trend_28d_before_kg IS NOT NULL
            AS has_expenditure
    FROM week_days w
    JOIN gold_daily_body s ON s.athlete_id = w.athlete_id AND s.day = w.week_start + 6
    JOIN fitness.athletes a ON a.athlete_id = w.athlete_id
)
SELECT
    athlete_id,
    week_start,
    trend_kg,
    CASE WHEN has_rate THEN (trend_kg - trend_20d_before_kg) / 20 * 7 END
        AS trend_rate_kg_per_week,
    CASE WHEN has_rate THEN (trend_kg - trend_20d_before_kg) / 20 * 7 / trend_kg * 100 END
        AS trend_rate_pct_per_week,
    CASE
        WHEN has_rate THEN NULL
        WHEN trend_kg IS NULL THEN 'no weigh-in yet'
        WHEN trend_20d_before_kg IS NULL
            THEN 'no weigh-in on or before ' || to_char(week_start - 14, 'YYYY-MM-DD')
        ELSE 'fewer than 4 weigh-ins in the 21 days to ' || to_char(week_start + 6, 'YYYY-MM-DD')
    END AS trend_rate_note,
    CASE WHEN has_expenditure
         THEN avg_intake_28d - (trend_kg - trend_28d_before_kg) * 7700 / 28 END
        AS expenditure_kcal,
    CASE WHEN NOT has_expenditure THEN NULL
         WHEN intake_days_28d >= 26 AND weigh_ins_28d >= 20 THEN 'high'
         ELSE 'medium' END AS expenditure_confidence,
    CASE
        WHEN has_expenditure THEN NULL
        WHEN intake_days_28d < 21 THEN 'intake logged on fewer than 21 of the 28 days to '
                                       || to_char(week_start + 6, 'YYYY-MM-DD')
        WHEN weigh_ins_28d < 8 THEN 'fewer than 8 weigh-ins in the 28 days to '
                                    || to_char(week_start + 6, 'YYYY-MM-DD')
        ELSE 'no weigh-in on or before ' || to_char(week_start - 22, 'YYYY-MM-DD')
    END AS expenditure_note,
    intake_days_28d,
    weigh_ins_28d,
    sessions,
    target_sessions_per_week,
    sessions / target_sessions_per_week AS training_adherence,
    target_calories_kcal,
    CASE WHEN calorie_days > 0 THEN calorie_days_on_target END AS calorie_days_on_target,
    CASE WHEN calorie_days > 0 THEN calorie_days_on_target::numeric / calorie_days END
        AS calorie_adherence,
    target_protein_g,
    CASE WHEN protein_days > 0 THEN protein_days_on_target END AS protein_days_on_target,
    CASE WHEN protein_days > 0 THEN protein_days_on_target::numeric / protein_days END
        AS protein_adherence,
    intake_logged_days,
    weigh_in_days
FROM weeks
