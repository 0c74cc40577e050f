-- One row per athlete and calendar day, from the Monday of their first week with data to the
-- Sunday of their last: the calendar's week, the cycle covering the day (the diet log's, else the
-- cycle whose range holds it), intake, the day's weigh-in, sessions, and the day's targets (the
-- cycle's, else athlete.toml's).
-- grain: athlete_id, day
WITH span AS (
    SELECT athlete_id, date_trunc('week', min(first_day))::date AS first_day,
           date_trunc('week', max(last_day))::date + 6 AS last_day
    FROM (
        SELECT athlete_id, min(workout_date), max(workout_date) FROM fitness.workouts GROUP BY 1
        UNION ALL
        SELECT athlete_id, min(diet_date), max(diet_date) FROM fitness.diet_daily GROUP BY 1
        UNION ALL
        SELECT athlete_id, min(measured_on), max(measured_on)
        FROM fitness.bodyweight_daily GROUP BY 1
    ) AS dated (athlete_id, first_day, last_day)
    GROUP BY athlete_id
), sessions AS (
    SELECT athlete_id, workout_date AS day, count(*) AS sessions
    FROM fitness.workouts
    GROUP BY athlete_id, workout_date
)
SELECT
    s.athlete_id,
    c.day,
    c.week_start,
    c.iso_year,
    c.iso_week,
    c.iso_dow,
    c.month_start,
    cy.cycle_number,
    d.calories_kcal,
    d.protein_g,
    b.bodyweight_kg,
    coalesce(x.sessions, 0) AS sessions,
    coalesce(cy.target_calories_kcal, a.target_calories_kcal) AS target_calories_kcal,
    coalesce(cy.target_protein_g, a.target_protein_g) AS target_protein_g
FROM span s
JOIN fitness.calendar c ON c.day BETWEEN s.first_day AND s.last_day
JOIN fitness.athletes a ON a.athlete_id = s.athlete_id
LEFT JOIN fitness.diet_daily d ON d.athlete_id = s.athlete_id AND d.diet_date = c.day
LEFT JOIN fitness.bodyweight_daily b ON b.athlete_id = s.athlete_id AND b.measured_on = c.day
LEFT JOIN sessions x ON x.athlete_id = s.athlete_id AND x.day = c.day
LEFT JOIN LATERAL (
    SELECT k.cycle_number, k.target_calories_kcal, k.target_protein_g
    FROM fitness.cycles k
    WHERE k.athlete_id = s.athlete_id
      AND (k.cycle_number = d.cycle_number
           OR (d.cycle_number IS NULL AND k.start_date <= c.day
               AND (k.end_date IS NULL OR k.end_date >= c.day)))
    ORDER BY (k.cycle_number = d.cycle_number) DESC NULLS LAST, k.start_date DESC,
             k.cycle_number DESC
    LIMIT 1
) cy ON true
