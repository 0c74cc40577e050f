-- One row per athlete and calendar week of their span: every numeric weekly feature of the
-- payload (training, body, adherence, signals) and, as labels, the next week's outcomes: the
-- trend weight's change to next Sunday and the mean change of this week's main lifts' best e1RM
-- (the lifts trained next week, against their latest e1RM up to this week).
-- grain: athlete_id, week_start
WITH lifts AS (
    SELECT
        l.athlete_id, l.week_start,
        avg(nxt.best_e1rm_kg - cur.best_e1rm_kg) AS next_main_lift_e1rm_change_kg,
        count(nxt.best_e1rm_kg) AS next_main_lifts_trained,
        count(*) FILTER (WHERE cur.is_stalled) AS stalled_main_lifts
    FROM gold_weekly_main_lifts l
    LEFT JOIN LATERAL (
        SELECT p.best_e1rm_kg, p.is_stalled
        FROM gold_exercise_progress p
        WHERE p.athlete_id = l.athlete_id AND p.exercise_id = l.exercise_id
          AND p.week_start <= l.week_start
        ORDER BY p.week_start DESC
        LIMIT 1
    ) cur ON true
    LEFT JOIN gold_exercise_progress nxt
      ON nxt.athlete_id = l.athlete_id AND nxt.exercise_id = l.exercise_id
     AND nxt.week_start = l.week_start + 7
    GROUP BY l.athlete_id, l.week_start
), muscles AS (
    SELECT
        athlete_id, week_start,
        sum(hard_sets) AS hard_sets,
        count(*) FILTER (WHERE acwr_outside_band) AS muscle_groups_outside_acwr_band,
        max(acwr) AS max_acwr
    FROM gold_weekly_muscle_load
    GROUP BY athlete_id, week_start
)
SELECT
    w.athlete_id,
    a.athlete_key,
    w.week_start,
    w.sessions,
    w.working_sets,
    w.tonnage_kg,
    coalesce(m.hard_sets, 0) AS hard_sets,
    m.max_acwr,
    coalesce(m.muscle_groups_outside_acwr_band, 0) AS muscle_groups_outside_acwr_band,
    w.streak_weeks,
    w.is_deload::integer AS is_deload,
    coalesce(l.stalled_main_lifts, 0) AS stalled_main_lifts,
    w.avg_calories_kcal,
    b.trend_kg,
    b.trend_rate_kg_per_week,
    b.trend_rate_pct_per_week,
    b.expenditure_kcal,
    b.intake_logged_days,
    b.weigh_in_days,
    b.training_adherence,
    b.calorie_adherence,
    b.protein_adherence,
    lead(b.trend_kg) OVER by_week - b.trend_kg AS label_next_week_trend_change_kg,
    l.next_main_lift_e1rm_change_kg AS label_next_week_main_lift_e1rm_change_kg
FROM gold_athlete_weeks w
JOIN fitness.athletes a ON a.athlete_id = w.athlete_id
LEFT JOIN gold_weekly_body b ON b.athlete_id = w.athlete_id AND b.week_start = w.week_start
LEFT JOIN muscles m ON m.athlete_id = w.athlete_id AND m.week_start = w.week_start
LEFT JOIN lifts l ON l.athlete_id = w.athlete_id AND l.week_start = w.week_start
WINDOW by_week AS (PARTITION BY w.athlete_id ORDER BY w.week_start)
