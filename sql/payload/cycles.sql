-- For each of one athlete's weeks (:weeks), the diet cycles active in it, each from its first
-- day to the week's end (or its own), and each one's main lifts.
SELECT c.*, l.lift_rank, l.exercise_key, l.exercise_name, l.trained_weeks, l.edge_weeks,
       l.first_best_e1rm_kg, l.last_best_e1rm_kg, l.e1rm_change_kg, l.e1rm_retained_pct,
       l.strength_retained
FROM fitness.gold_cycle_to_date c
LEFT JOIN fitness.gold_cycle_lifts l USING (athlete_id, week_start, cycle_number)
WHERE c.athlete_id = :athlete_id AND c.week_start = ANY(:weeks)
ORDER BY c.week_start, c.first_day, c.cycle_number, l.lift_rank;
