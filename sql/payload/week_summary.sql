-- One athlete's weeks (:weeks, any number of them): each week's summary, body composition, adherence and data quality: the payload's
-- top-level numbers.
SELECT s.*, q.has_training, q.has_diet, q.diet_days_missing, q.bodyweight_days_missing,
       q.quarantined_rows, q.corrected_values, q.inferred_exercises, a.display_name,
       a.weight_unit,
       b.trend_kg, b.trend_rate_kg_per_week, b.trend_rate_pct_per_week, b.trend_rate_note,
       b.expenditure_kcal, b.expenditure_confidence, b.expenditure_note, b.intake_days_28d,
       b.weigh_ins_28d, b.target_sessions_per_week, b.training_adherence,
       b.target_calories_kcal, b.calorie_days_on_target, b.calorie_adherence,
       b.target_protein_g, b.protein_days_on_target, b.protein_adherence,
       b.intake_logged_days, b.weigh_in_days
FROM fitness.gold_weekly_fitness_summary s
JOIN fitness.gold_weekly_data_quality q USING (athlete_id, week_start)
JOIN fitness.athletes a ON a.athlete_id = s.athlete_id
LEFT JOIN fitness.gold_weekly_body b ON b.athlete_id = s.athlete_id AND b.week_start = s.week_start
-- The athlete's id first (athletes are unique by key): the views are indexed by (athlete_id,
-- week_start), and a filter on the summary's athlete_key scanned every athlete's weeks.
WHERE s.athlete_id = (SELECT athlete_id FROM fitness.athletes WHERE athlete_key = :athlete)
  AND s.week_start = ANY(:weeks)
ORDER BY s.week_start;
