-- One row per athlete and ISO week with training or diet, with the week's cycle
-- and the change against the calendar previous week (lw_*, null when that week has no row).
-- grain: athlete_id, week_start
-- The weeks with either are the union of both tables' keys, each side joined to them (a full outer
-- join in effect, written so that a filter on the athlete reaches both tables' indexes; weeks is
-- read twice, as this week and as last week, so it is NOT MATERIALIZED for the same reason).
WITH keys AS (
    SELECT athlete_id, week_start FROM gold_weekly_training_summary
    UNION
    SELECT athlete_id, week_start FROM gold_weekly_diet_summary
), weeks AS NOT MATERIALIZED (
    SELECT
        k.athlete_id,
        k.week_start,
        coalesce(t.training_sessions, 0) AS training_sessions,
        coalesce(t.total_sets, 0) AS total_sets,
        coalesce(t.failure_sets, 0) AS failure_sets,
        t.avg_reps_per_set,
        coalesce(t.tonnage_kg, 0) AS tonnage_kg,
        coalesce(t.sets_without_bodyweight, 0) AS sets_without_bodyweight,
        coalesce(t.training_minutes, 0) AS training_minutes,
        coalesce(t.cardio_sessions, 0) AS cardio_sessions,
        coalesce(t.cardio_minutes, 0) AS cardio_minutes,
        t.cardio_distance_km,
        d.avg_calories_kcal, d.avg_carbs_g, d.avg_protein_g, d.avg_fat_g, d.avg_bodyweight_kg,
        d.cardio_weekly_min,
        coalesce(d.logged_days, 0) AS logged_days,
        coalesce(d.weighed_days, 0) AS weighed_days,
        coalesce(d.kcal_mismatch_days, 0) AS kcal_mismatch_days,
        d.cycle_number AS diet_cycle_number
    FROM keys k
    LEFT JOIN gold_weekly_training_summary t
      ON t.athlete_id = k.athlete_id AND t.week_start = k.week_start
    LEFT JOIN gold_weekly_diet_summary d
      ON d.athlete_id = k.athlete_id AND d.week_start = k.week_start
)
SELECT
    w.*,
    a.athlete_key,
    w.avg_protein_g / nullif(w.avg_bodyweight_kg, 0) AS protein_g_per_kg,
    w.avg_bodyweight_kg - lw.avg_bodyweight_kg AS bodyweight_change_kg,
    lw.week_start IS NOT NULL AS has_last_week,
    w.training_sessions - lw.training_sessions AS lw_training_sessions,
    w.total_sets - lw.total_sets AS lw_total_sets,
    w.tonnage_kg - lw.tonnage_kg AS lw_tonnage_kg,
    w.training_minutes - lw.training_minutes AS lw_training_minutes,
    c.cycle_number, c.cycle_name, c.cycle_type
FROM weeks w
JOIN fitness.athletes a ON a.athlete_id = w.athlete_id
LEFT JOIN weeks lw ON lw.athlete_id = w.athlete_id AND lw.week_start = w.week_start - 7
LEFT JOIN LATERAL (
    -- without a cycle from the diet log, the cycle whose date range holds the week's Monday
    SELECT cy.cycle_number, cy.cycle_name, cy.cycle_type
    FROM fitness.cycles cy
    WHERE cy.athlete_id = w.athlete_id
      AND (cy.cycle_number = w.diet_cycle_number
           OR (w.diet_cycle_number IS NULL AND cy.start_date <= w.week_start
               AND (cy.end_date IS NULL OR cy.end_date >= w.week_start)))
    ORDER BY cy.start_date DESC, cy.cycle_number DESC
    LIMIT 1
) c ON true
